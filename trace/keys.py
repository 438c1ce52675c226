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
import logging
import os
import re
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .codes import TO_CROCKFORD, encode_signature, sign_item
from .db import utc_now
from .transparency import leaves
from .errors import Conflict, InvalidInput, KeyProblem, KeyRoleError, NotFound

log = logging.getLogger(__name__)
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
    held_by: str | None = None  # "platform", "owner", or None (registered before we said)

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
                "not_after": self.not_after, "revoked_at": self.revoked_at,
                # Who can sign with it: a lab's key the platform holds signs on its
                # staff's word on the web; an auditor must be able to tell.
                "held_by": self.held_by}

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


def _make_private_folder(folder: Path) -> None:
    """Make the keys folder its owner's alone (0700) before a first key goes in;
    one that already holds keys is not changed behind the operator's back, but
    warned about."""
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
    elif any(folder.glob("*.pem")):
        if folder.stat().st_mode & 0o077:
            log.warning("the keys folder %s can be read by other users; chmod 700 %s",
                        folder, folder)
        return
    folder.chmod(0o700)  # mkdir's mode is cut by the umask; a git checkout's is 0755


def check_role(role: str) -> None:
    if not ROLE_RE.fullmatch(role or ""):
        raise InvalidInput(f"role must be issuer, ledger or agency:<id>, got {role!r}")


def create_key(db: sqlite_utils.Database, keys_dir: str | Path, role: str = "issuer",
               passphrase: str | None = None) -> KeyRecord:
    """Generate a key, write its PEM (mode 0600) and register its public half."""
    check_role(role)
    private = Ed25519PrivateKey.generate()
    public_raw = _public_raw(private)
    kid = derive_kid(public_raw)
    encryption = (serialization.BestAvailableEncryption(passphrase.encode())
                  if passphrase else serialization.NoEncryption())
    pem = private.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.PKCS8, encryption)
    path = _pem_path(keys_dir, kid)
    _make_private_folder(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    now = utc_now()
    record = KeyRecord(kid=kid, role=role, status="active",
                       public_key=encode_signature(public_raw), created_at=now,
                       not_before=now, held_by="platform")
    with db.atomic():
        db.execute("INSERT INTO keys (kid, role, status, public_key, created_at, not_before, "
                   "held_by) VALUES (?, ?, ?, ?, ?, ?, 'platform')",
                   [kid, role, "active", record.public_key, now, now])
        leaves.record(db, f"keys:{kid}:created")
    return record


def register_public_key(db: sqlite_utils.Database, role: str, pem: bytes) -> KeyRecord:
    """Register a key whose private half stays with its owner (an agency signing on
    its own machine): only the public key enters the key set."""
    if not ROLE_RE.fullmatch(role or "") or not role.startswith("agency:"):
        raise InvalidInput(f"only an agency registers its own public key, not role {role!r}")
    try:
        public = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError):
        raise InvalidInput("not a PEM public key (-----BEGIN PUBLIC KEY-----)",
                           message_zh="不是 PEM 格式的公钥") from None
    if not isinstance(public, Ed25519PublicKey):
        raise InvalidInput("the public key is not Ed25519", message_zh="公钥不是 Ed25519 密钥")
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    kid = derive_kid(raw)
    if get_key(db, kid):
        raise Conflict(f"key {kid} is registered already", message_zh=f"密钥 {kid} 已登记")
    now = utc_now()
    with db.atomic():
        db.execute("INSERT INTO keys (kid, role, status, public_key, created_at, not_before, "
                   "held_by) VALUES (?, ?, 'active', ?, ?, ?, 'owner')",
                   [kid, role, encode_signature(raw), now, now])
        leaves.record(db, f"keys:{kid}:created")
    return get_key(db, kid)  # type: ignore[return-value]


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
    with db.atomic():
        db.execute("UPDATE keys SET status = 'retired', retired_at = ?, not_after = ? "
                   "WHERE kid = ?", [now, now, kid])
        leaves.record(db, f"keys:{kid}:retired")
    return _require_key(db, kid)


def rotate_key(db: sqlite_utils.Database, keys_dir: str | Path, role: str = "issuer",
               passphrase: str | None = None) -> tuple[KeyRecord, list[KeyRecord]]:
    """A new key of ``role`` signs from now on; the active ones before it retire (all
    they signed keeps verifying). Returns the new key and the retired ones."""
    new = create_key(db, keys_dir, role, passphrase)
    with db.atomic():
        old = [record for record in list_keys(db)
               if record.role == role and record.status == "active" and record.kid != new.kid]
        retired = [retire_key(db, record.kid) for record in old]
    return new, retired


def revoke_key(db: sqlite_utils.Database, kid: str, at: str | None = None) -> KeyRecord:
    """Distrust ``kid`` from ``at`` on (default now): only what the database shows
    it signed before then stays valid. A revocation is final, so a time before
    the key existed or in the future is refused rather than taken."""
    record = _require_key(db, kid)
    if record.status == "revoked":
        raise InvalidInput(f"key {kid} is already revoked (at {record.revoked_at})")
    now = utc_now()
    moment = parse_time(at) if at else now
    if datetime.fromisoformat(moment) < datetime.fromisoformat(record.not_before):
        raise InvalidInput(f"--at {at} is before key {kid} existed (it is valid from "
                           f"{record.not_before}); nothing was revoked")
    if datetime.fromisoformat(moment) > datetime.fromisoformat(now):
        raise InvalidInput(f"--at {at} is in the future; a key is revoked from now at the "
                           "latest. Nothing was revoked")
    with db.atomic():
        db.execute("UPDATE keys SET status = 'revoked', revoked_at = ? WHERE kid = ?",
                   [moment, kid])
        leaves.record(db, f"keys:{kid}:revoked")
    return _require_key(db, kid)


def codes_signed_since(db: sqlite_utils.Database, kid: str, moment: str) -> int:
    """How many recorded codes ``kid`` signed at or after ``moment`` (they stop verifying)."""
    return db.execute("SELECT count(*) FROM items WHERE kid = ? AND issued_at >= ?",
                      [kid, moment]).fetchone()[0]


def reports_stored_since(db: sqlite_utils.Database, kid: str, moment: str) -> int:
    """How many lab reports signed by ``kid`` were stored at or after ``moment``."""
    return db.execute("SELECT count(*) FROM inspection_reports WHERE kid = ? AND "
                      "created_at >= ?", [kid, moment]).fetchone()[0]


_PEM_BEGIN = b"-----BEGIN "
_PEM_END = b"-----END "


def _read_pem(path: Path, kid: str) -> bytes:
    """The PEM bytes of ``path``, or a ``KeyProblem`` saying what is wrong with it."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise KeyProblem(f"private key file {path} for key {kid} not found") from None
    except OSError as error:
        raise KeyProblem(f"cannot read the private key file {path}: {error.strerror}") from None
    if not data.strip():
        raise KeyProblem(f"the private key file {path} is empty")
    if _PEM_BEGIN not in data:
        raise KeyProblem(f"the private key file {path} is corrupt: it is not a PEM file")
    if _PEM_END not in data:
        raise KeyProblem(f"the private key file {path} is truncated: its PEM has no END line")
    if path.stat().st_mode & 0o077:
        log.warning("the private key file %s can be read by other users; "
                    "make it private: chmod 600 %s", path, path)
    return data


def load_private_key(keys_dir: str | Path, kid: str,
                     passphrase: str | None = None) -> Ed25519PrivateKey:
    """The private key in ``keys/{kid}.pem``; every way it can fail is named."""
    return load_pem_file(_pem_path(keys_dir, kid), passphrase, kid)


def load_pem_file(path: Path, passphrase: str | None = None,
                  kid: str = "") -> Ed25519PrivateKey:
    """An Ed25519 private key from a PEM file (an agency's own, on its own machine)."""
    data = _read_pem(path, kid or path.name)
    encrypted = b"ENCRYPTED PRIVATE KEY" in data
    if encrypted and not passphrase:
        raise KeyProblem(f"the private key {path} is encrypted: set TRACE_KEY_PASSPHRASE")
    try:
        key = serialization.load_pem_private_key(
            data, passphrase.encode() if encrypted and passphrase else None)
    except (TypeError, ValueError):
        if encrypted:  # a wrong passphrase and a damaged file look the same here
            raise KeyProblem(f"cannot open the private key {path}: TRACE_KEY_PASSPHRASE "
                             "is wrong, or the file is damaged") from None
        raise KeyProblem(f"the private key file {path} is corrupt: "
                         "its PEM does not decode to a key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyProblem(f"{path} is not an Ed25519 key")
    return key


def kid_of(private: Ed25519PrivateKey) -> str:
    """The key id the key set gives this private key's public half."""
    return derive_kid(_public_raw(private))


def _public_raw(private: Ed25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(serialization.Encoding.Raw,
                                             serialization.PublicFormat.Raw)


def _open_signer(record: KeyRecord, keys_dir: str | Path, passphrase: str | None) -> Signer:
    """The signer for ``record``, after checking that its file holds that very key."""
    private = load_private_key(keys_dir, record.kid, passphrase)
    if _public_raw(private) != record.public_bytes:
        raise KeyProblem(
            f"{_pem_path(keys_dir, record.kid)} does not hold the private half of key "
            f"{record.kid}: its public key is not the one registered, so everything it "
            "signed would verify as forged. Restore the right file, or retire the key "
            "(python -m trace keys retire) and create a new one.")
    return Signer(record.kid, record.role, private)


def start_warnings(db: sqlite_utils.Database, keys_dir: str | Path,
                   passphrase: str | None) -> list[str]:
    """What a server starting with these keys should tell its operator: keys it
    cannot sign with here, and bare key files under a passphrase."""
    warnings = []
    if not Path(keys_dir).is_dir():  # a typing slip looks like a verify-only node
        warnings.append(f"the keys folder {keys_dir} does not exist: this server holds no "
                        "private key (check TRACE_KEYS_DIR; a verify-only server may have "
                        "an empty folder)")
    if not can_issue(db, keys_dir):  # a verify-only server?
        warnings.append(f"no private key of the active issuer key in {keys_dir}: this server "
                        "verifies codes but cannot issue them (check TRACE_KEYS_DIR)")
    bare = unencrypted_keys(keys_dir) if passphrase else []
    if bare:
        warnings.append(f"TRACE_KEY_PASSPHRASE is set, but the private keys {', '.join(bare)} "
                        f"in {keys_dir} are stored unencrypted: python -m trace keys encrypt")
    ledger = active_key(db, "ledger")
    if ledger is None:
        warnings.append("no ledger key here (none registered): what is written is logged, but "
                        "no checkpoint is signed until one is (python -m trace keys new --role "
                        "ledger, or check TRACE_KEYS_DIR)")
    elif not held_here(keys_dir, ledger.kid):  # a new key here would fork who signs
        warnings.append(f"the private file of ledger key {ledger.kid} is not in {keys_dir}: "
                        "what is written is logged, but no checkpoint is signed until it is "
                        "(check TRACE_KEYS_DIR, or put the file back from the key backup)")
    for record in lost_keys(db, keys_dir):
        if record.role.startswith("agency:"):
            warnings.append(f"the private key of {record.role}'s active key {record.kid} is not "
                            f"in {keys_dir}: the lab cannot sign until it is restored from the "
                            "key backup, or given a new key (python -m trace keys rotate "
                            f"--role {record.role})")
    return warnings


def at_start(db: sqlite_utils.Database, keys_dir: str | Path,
             passphrase: str | None) -> list[str]:
    """What a server does with its keys as it starts, whichever way it is run: refuse
    keys that will not open (``KeyProblem``), record who holds the older keys, and
    give the warnings to show."""
    check_openable(db, keys_dir, passphrase)
    record_holders(db, keys_dir)
    return start_warnings(db, keys_dir, passphrase)


def record_holders(db: sqlite_utils.Database, keys_dir: str | Path) -> None:
    """Keys registered before their holder was recorded (schema 20) whose private
    half is here are the platform's: say so, so that losing the file later reads as
    lost, not as a key its owner keeps. The others stay unknown."""
    unknown = [kid for (kid,) in db.execute("SELECT kid FROM keys WHERE held_by IS NULL")]
    here = [kid for kid in unknown if held_here(keys_dir, kid)]
    if here:
        db.execute(f"UPDATE keys SET held_by = 'platform' WHERE kid IN "
                   f"({', '.join('?' * len(here))})", here)


def lost_keys(db: sqlite_utils.Database, keys_dir: str | Path) -> list[KeyRecord]:
    """Active keys the platform holds whose private half is missing from ``keys_dir``."""
    return [record for record in list_keys(db)
            if record.status == "active" and lost_here(keys_dir, record)]


def unencrypted_keys(keys_dir: str | Path) -> list[str]:
    """The ids of the private keys in ``keys_dir`` stored without a passphrase."""
    return sorted(path.stem for path in Path(keys_dir).glob("*.pem")
                  if path.is_file() and b"ENCRYPTED PRIVATE KEY" not in path.read_bytes())


def encrypt_keys(keys_dir: str | Path, passphrase: str) -> list[str]:
    """Rewrite each unencrypted private key in ``keys_dir`` encrypted with
    ``passphrase`` (each file replaced whole, never half-written); their ids."""
    done = []
    for kid in unencrypted_keys(keys_dir):
        path = _pem_path(keys_dir, kid)
        private = load_pem_file(path, None, kid)
        pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.BestAvailableEncryption(passphrase.encode()))
        partial = path.with_name(f".{path.name}.partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        os.replace(partial, path)
        done.append(kid)
    return done


def held_here(keys_dir: str | Path, kid: str) -> bool:
    """Whether the private half of ``kid`` is in ``keys_dir`` (an agency that
    registered its own public key keeps its private key itself)."""
    return _pem_path(keys_dir, kid).exists()


def kept_by_owner(keys_dir: str | Path, record: KeyRecord) -> bool:
    """Whether only the key's owner holds its private half (an agency signing on its
    own machine). Keys registered before we recorded it are read from the folder."""
    if record.held_by is not None:
        return record.held_by == "owner"
    return not held_here(keys_dir, record.kid)


def lost_here(keys_dir: str | Path, record: KeyRecord) -> bool:
    """Whether a key the platform holds has lost its private half from ``keys_dir``."""
    return record.held_by == "platform" and not held_here(keys_dir, record.kid)


def can_issue(db: sqlite_utils.Database, keys_dir: str | Path) -> bool:
    """Whether the active issuer key's private file is in ``keys_dir`` (checked to
    open when the server started): /healthz says so, for a monitor."""
    record = active_key(db, "issuer")
    return record is not None and _pem_path(keys_dir, record.kid).exists()


def check_openable(db: sqlite_utils.Database, keys_dir: str | Path,
                   passphrase: str | None) -> None:
    """Raise KeyProblem unless every active key whose private file is in ``keys_dir``
    opens with ``passphrase`` and holds its registered key. Checked when a server
    starts: a wrong TRACE_KEY_PASSPHRASE showed only at the first issuing, behind a
    healthy /healthz. A key whose file is elsewhere is not this server's to open (a
    verify-only server holds none; a lab keeps its own)."""
    problems = []
    for record in list_keys(db):
        if record.status == "active" and _pem_path(keys_dir, record.kid).exists():
            try:
                _open_signer(record, keys_dir, passphrase)
            except KeyProblem as error:
                problems.append(error.message)
    if problems:
        raise KeyProblem("; ".join(problems))


def active_key(db: sqlite_utils.Database, role: str = "issuer") -> KeyRecord | None:
    """The newest active key of ``role`` in the database, whatever is on disk."""
    rows = list(db.query("SELECT * FROM keys WHERE role = ? AND status = 'active' "
                         "ORDER BY created_at DESC LIMIT 1", [role]))
    return KeyRecord(**rows[0]) if rows else None


def load_signer(db: sqlite_utils.Database, keys_dir: str | Path,
                passphrase: str | None = None, role: str = "issuer") -> Signer:
    """The newest active key of ``role``, checked against its registered public key."""
    record = active_key(db, role)
    if record is None:
        raise KeyProblem(f"no active {role} key; create one: "
                         f"python -m trace keys new --role {role}")
    return _open_signer(record, keys_dir, passphrase)


def load_signer_by_kid(db: sqlite_utils.Database, keys_dir: str | Path, kid: str,
                       passphrase: str | None = None) -> Signer:
    record = _require_key(db, kid)
    if record.status != "active":
        raise KeyProblem(f"key {kid} is {record.status} and may not sign")
    return _open_signer(record, keys_dir, passphrase)


_opened: dict[tuple[str, str], Signer] = {}


def cached_signer(db: sqlite_utils.Database, keys_dir: str | Path, passphrase: str | None,
                  role: str) -> Signer | None:
    """The active key of ``role``, opened once a process (an encrypted key costs a
    key derivation to open); None if there is none, or its private half is not in
    ``keys_dir`` (a server that serves and verifies, but signs nowhere). For keys
    used on every write, such as the ledger's."""
    record = active_key(db, role)
    if record is None or not held_here(keys_dir, record.kid):
        return None
    if (str(keys_dir), record.kid) not in _opened:
        _opened[str(keys_dir), record.kid] = _open_signer(record, keys_dir, passphrase)
    return _opened[str(keys_dir), record.kid]


def trust_list(db: sqlite_utils.Database) -> dict:
    """The public key set served at /.well-known/trace-keys.json."""
    return {"keys": [record.to_jwk() for record in list_keys(db)]}
