"""Ed25519 signing keys: creation, storage, status, and the public trust list.

Private keys live in ``keys/{KID}.pem`` (PKCS8, encrypted when a passphrase is
given, mode 0600); the database holds the public half, role and status. Roles:
``issuer`` signs item codes, ``agency:<id>`` signs inspections, ``ledger``
signs checkpoints; a key never signs outside its role::

    record = create_key(db, "keys/", role="issuer")
    signer = load_signer(db, "keys/")           # newest active issuer key
    revoke_key(db, record.kid, at="2026-11-26T08:00:00+08:00")
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .codes import TO_CROCKFORD, encode_signature, sign_item
from .db import utc_now
from .errors import InvalidInput, KeyProblem, KeyRoleError, NotFound

ROLE_RE = re.compile(r"(issuer|ledger|agency:[0-9A-Za-z_-]{1,32})")


def derive_kid(public_raw: bytes) -> str:
    """Eight Crockford base32 characters of SHA-256 of the raw public key."""
    digest = base64.b32encode(hashlib.sha256(public_raw).digest()).decode()
    return digest.translate(TO_CROCKFORD)[:8]


def parse_time(text: str) -> str:
    """An ISO 8601 time with an explicit offset, normalised to our UTC format."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"not an ISO 8601 time: {text!r} "
                           "(example: 2026-11-26T08:00:00+08:00)") from None
    if moment.tzinfo is None:
        raise InvalidInput(f"give the time zone too, e.g. {text}+08:00 or {text}Z")
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class KeyRecord:
    """The public half of a key and its standing, as the trust list shows it."""

    kid: str
    role: str
    status: str
    public_key: str
    created_at: str
    not_before: str
    not_after: str | None = None
    retired_at: str | None = None
    revoked_at: str | None = None

    @property
    def public_bytes(self) -> bytes:
        return base64.urlsafe_b64decode(self.public_key + "=")

    def valid_at(self, moment: str) -> bool:
        """Could this key have signed legitimately at ``moment`` (ISO UTC)?"""
        when = datetime.fromisoformat(moment)
        if when < datetime.fromisoformat(self.not_before):
            return False
        if self.not_after and when > datetime.fromisoformat(self.not_after):
            return False
        return not (self.revoked_at and when >= datetime.fromisoformat(self.revoked_at))

    def to_jwk(self) -> dict:
        return {"kid": self.kid, "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA",
                "use": "sig", "x": self.public_key, "role": self.role,
                "status": self.status, "not_before": self.not_before,
                "not_after": self.not_after, "revoked_at": self.revoked_at}

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Signer:
    """A loaded private key with its id and role."""

    kid: str
    role: str
    private_key: Ed25519PrivateKey

    def require_role(self, role: str) -> None:
        if self.role != role:
            raise KeyRoleError(f"key {self.kid} has role {self.role!r} and may not sign "
                               f"for role {role!r}")

    def sign_item(self, gtin: str, lot: str, serial: str) -> str:
        self.require_role("issuer")
        return sign_item(self.private_key, self.kid, gtin, lot, serial)

    def raw_private_bytes(self) -> bytes:
        return self.private_key.private_bytes(serialization.Encoding.Raw,
                                              serialization.PrivateFormat.Raw,
                                              serialization.NoEncryption())


def _pem_path(keys_dir: str | Path, kid: str) -> Path:
    return Path(keys_dir) / f"{kid}.pem"


def create_key(db: sqlite_utils.Database, keys_dir: str | Path, role: str = "issuer",
               passphrase: str | None = None) -> KeyRecord:
    """Generate a key, write its PEM (mode 0600) and register its public half."""
    if not ROLE_RE.fullmatch(role or ""):
        raise InvalidInput(f"role must be issuer, ledger or agency:<id>, got {role!r}")
    private = Ed25519PrivateKey.generate()
    public_raw = private.public_key().public_bytes(serialization.Encoding.Raw,
                                                   serialization.PublicFormat.Raw)
    kid = derive_kid(public_raw)
    encryption = (serialization.BestAvailableEncryption(passphrase.encode())
                  if passphrase else serialization.NoEncryption())
    pem = private.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.PKCS8, encryption)
    path = _pem_path(keys_dir, kid)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    now = utc_now()
    record = KeyRecord(kid=kid, role=role, status="active",
                       public_key=encode_signature(public_raw), created_at=now,
                       not_before=now)
    db.execute("INSERT INTO keys (kid, role, status, public_key, created_at, not_before) "
               "VALUES (?, ?, ?, ?, ?, ?)",
               [kid, role, "active", record.public_key, now, now])
    return record


def get_key(db: sqlite_utils.Database, kid: str) -> KeyRecord | None:
    rows = list(db.query("SELECT * FROM keys WHERE kid = ?", [kid]))
    return KeyRecord(**rows[0]) if rows else None


def list_keys(db: sqlite_utils.Database) -> list[KeyRecord]:
    return [KeyRecord(**row) for row in db.query("SELECT * FROM keys ORDER BY created_at")]


def _require_key(db: sqlite_utils.Database, kid: str) -> KeyRecord:
    record = get_key(db, kid)
    if record is None:
        raise NotFound(f"no key with id {kid!r}")
    return record


def retire_key(db: sqlite_utils.Database, kid: str) -> KeyRecord:
    """Stop signing with ``kid``; everything it signed keeps verifying."""
    record = _require_key(db, kid)
    if record.status != "active":
        raise InvalidInput(f"key {kid} is already {record.status}")
    now = utc_now()
    db.execute("UPDATE keys SET status = 'retired', retired_at = ?, not_after = ? "
               "WHERE kid = ?", [now, now, kid])
    return _require_key(db, kid)


def revoke_key(db: sqlite_utils.Database, kid: str, at: str | None = None) -> KeyRecord:
    """Distrust ``kid`` from ``at`` on (default now): only what the database shows
    it signed before then stays valid."""
    record = _require_key(db, kid)
    if record.status == "revoked":
        raise InvalidInput(f"key {kid} is already revoked (at {record.revoked_at})")
    moment = parse_time(at) if at else utc_now()
    db.execute("UPDATE keys SET status = 'revoked', revoked_at = ? WHERE kid = ?",
               [moment, kid])
    return _require_key(db, kid)


def load_private_key(keys_dir: str | Path, kid: str,
                     passphrase: str | None = None) -> Ed25519PrivateKey:
    path = _pem_path(keys_dir, kid)
    try:
        data = path.read_bytes()
    except OSError:
        raise KeyProblem(f"private key file for {kid} not found in {keys_dir}") from None
    try:
        key = serialization.load_pem_private_key(
            data, passphrase.encode() if passphrase else None)
    except (TypeError, ValueError):
        raise KeyProblem(f"cannot open the private key {kid}: wrong or missing "
                         "TRACE_KEY_PASSPHRASE?") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyProblem(f"{path.name} is not an Ed25519 key")
    return key


def load_signer(db: sqlite_utils.Database, keys_dir: str | Path,
                passphrase: str | None = None, role: str = "issuer") -> Signer:
    """The newest active key of ``role`` whose private half is in ``keys_dir``."""
    rows = db.execute("SELECT kid FROM keys WHERE role = ? AND status = 'active' "
                      "ORDER BY created_at DESC", [role]).fetchall()
    for (kid,) in rows:
        if _pem_path(keys_dir, kid).exists():
            return Signer(kid, role, load_private_key(keys_dir, kid, passphrase))
    raise KeyProblem(f"no active {role} key with its private key in {keys_dir}; "
                     f"create one: python -m trace keys new --role {role}")


def load_signer_by_kid(db: sqlite_utils.Database, keys_dir: str | Path, kid: str,
                       passphrase: str | None = None) -> Signer:
    record = _require_key(db, kid)
    if record.status != "active":
        raise KeyProblem(f"key {kid} is {record.status} and may not sign")
    return Signer(kid, record.role, load_private_key(keys_dir, kid, passphrase))


def trust_list(db: sqlite_utils.Database) -> dict:
    """The public key set served at /.well-known/trace-keys.json."""
    return {"keys": [record.to_jwk() for record in list_keys(db)]}
