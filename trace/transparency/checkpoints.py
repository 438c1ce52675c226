"""Checkpoints: the log's tree heads as C2SP signed notes, signed by the key of
role ``ledger`` (DESIGN §10)::

    trace.example.cn/ledger
    1024
    <base64 root>

    — trace.example.cn/ledger <base64(4-byte key hash ‖ 64-byte Ed25519 signature)>

The key hash is the C2SP signed-note one for Ed25519: the first four bytes of
SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key). Anyone keeping checkpoints can compare
them (a consistency proof links any two) and check them with other tools, such as
Go's golang.org/x/mod/sumdb/note with the verifier key from :func:`verifier_key`::

    issue_if_due(db, signer, "trace.example.cn/ledger")   # at most one a second
    checked = verify_note(latest(db).note, [public_key])   # raises BadCheckpoint
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import time
from dataclasses import dataclass
from typing import Protocol
from datetime import datetime, timezone

import sqlite_utils
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..db import utc_now
from ..errors import TraceError
from . import log

MIN_INTERVAL_SECONDS = 1.0
_SIZE = re.compile(r"0|[1-9][0-9]{0,18}")


class NoteSigner(Protocol):
    """What signs a checkpoint: the ledger key (a ``trace.keys.Signer``)."""

    @property
    def kid(self) -> str: ...

    @property
    def private_key(self) -> Ed25519PrivateKey: ...


class BadCheckpoint(TraceError):
    """A checkpoint that does not parse or whose signature does not verify."""

    status = 422


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    note: str


def origin_for(official_domain: str) -> str:
    return f"{official_domain}/ledger"


def key_hash(name: str, public_raw: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n\x01" + public_raw).digest()[:4]


def verifier_key(name: str, public_raw: bytes) -> str:
    """The note verifier key string (name+hash+key) other tools take."""
    encoded = base64.b64encode(b"\x01" + public_raw).decode()
    return f"{name}+{key_hash(name, public_raw).hex()}+{encoded}"


def sign_text(name: str, text: str, private_key: Ed25519PrivateKey) -> str:
    """The signature line of a C2SP signed note over ``text`` (which ends in a newline)."""
    public_raw = private_key.public_key().public_bytes(serialization.Encoding.Raw,
                                                       serialization.PublicFormat.Raw)
    stamp = key_hash(name, public_raw) + private_key.sign(text.encode())
    return f"\u2014 {name} {base64.b64encode(stamp).decode()}\n"


def open_note(note: str, name: str, public_keys: list[bytes]) -> str:
    """The text of ``note`` if one of ``public_keys`` signed it under ``name``."""
    text, separator, signatures = note.rpartition("\n\n")  # the last blank line splits
    if not separator:
        raise BadCheckpoint("not a signed note: no blank line before its signatures")
    text += "\n"
    for line in signatures.splitlines():
        match = re.fullmatch(r"\u2014 (\S+) ([A-Za-z0-9+/=]+)", line)
        if not match or match[1] != name:
            continue
        try:
            stamp = base64.b64decode(match[2])
        except binascii.Error:
            continue
        for public_raw in public_keys:
            if len(stamp) != 68 or key_hash(name, public_raw) != stamp[:4]:
                continue
            try:
                Ed25519PublicKey.from_public_bytes(public_raw).verify(stamp[4:], text.encode())
                return text
            except InvalidSignature:
                pass
    raise BadCheckpoint(f"no valid signature by a trusted key named {name} on the note")


def sign_note(origin: str, size: int, root: bytes, signer: NoteSigner,
              *also: NoteSigner) -> str:
    """A checkpoint (c2sp.org/tlog-checkpoint) of the tree of ``size`` with ``root``,
    signed by ``signer`` and any keys ``also`` (one signature line each)."""
    body = f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n"
    signatures = [sign_text(origin, body, key.private_key) for key in (signer, *also)]
    return f"{body}\n" + "".join(signatures)


def issue_handover(db: sqlite_utils.Database, new: NoteSigner, retired: list[NoteSigner],
                   origin: str) -> Checkpoint | None:
    """Right after a ledger key changes: a checkpoint of the log as it stands (the
    change itself logged) signed by the new key and the retired ones, so that an
    auditor who pinned an old key verifies it, and so learns the new one."""
    size = log.tree_size(db)
    if size == 0:
        return None
    root = log.root_at(db, size)
    note = sign_note(origin, size, root, new, *retired)
    stored = db.execute("INSERT OR IGNORE INTO ledger_checkpoints (size, root, kid, note, at) "
                        "VALUES (?, ?, ?, ?, ?)", [size, root, new.kid, note, utc_now()])
    # Checkpoints are append-only: one a server signed at this size first stays.
    return Checkpoint(origin, size, root, note) if stored.rowcount else None


def signed_by_one_of(note: str, candidates: list[tuple[str, bytes]]) -> str | None:
    """The id of the first of ``candidates`` (kid, public key) whose signature on
    ``note`` holds, else None: to say which revoked key signed a refused note."""
    for kid, public_raw in candidates:
        try:
            verify_note(note, [public_raw])
        except BadCheckpoint:
            continue
        return kid
    return None


def parse_note(note: str) -> Checkpoint:
    """The checkpoint a note carries, unverified: use :func:`verify_note` to trust it."""
    lines = note.rpartition("\n\n")[0].split("\n")
    if len(lines) < 3 or not lines[0] or not _SIZE.fullmatch(lines[1]):
        raise BadCheckpoint("not a checkpoint: expected origin, size and root lines, a blank "
                            "line and signature lines")
    try:
        root = base64.b64decode(lines[2], validate=True)
    except binascii.Error:
        root = b""
    if len(root) != 32:
        raise BadCheckpoint("the checkpoint's root is not a base64 SHA-256 hash")
    return Checkpoint(lines[0], int(lines[1]), root, note)


def verify_note(note: str, public_keys: list[bytes]) -> Checkpoint:
    """The checkpoint, if one of ``public_keys`` signed it under its own origin."""
    checkpoint = parse_note(note)
    try:
        open_note(note, checkpoint.origin, public_keys)
    except BadCheckpoint:
        raise BadCheckpoint(f"no valid signature by a ledger key on the checkpoint of size "
                            f"{checkpoint.size}") from None
    return checkpoint


def verifier_key_of(db: sqlite_utils.Database, size: int) -> str | None:
    """The verifier key (name+hash+key) of the key that signed the checkpoint of
    ``size``, for tools such as Go's sumdb/note."""
    row = db.execute("SELECT c.note, k.public_key FROM ledger_checkpoints c JOIN keys k "
                     "ON k.kid = c.kid WHERE c.size = ?", [size]).fetchone()
    if row is None:
        return None
    public_raw = base64.urlsafe_b64decode(row[1] + "==")
    return verifier_key(parse_note(row[0]).origin, public_raw)


def latest(db: sqlite_utils.Database) -> Checkpoint | None:
    row = db.execute("SELECT note FROM ledger_checkpoints ORDER BY size DESC LIMIT 1").fetchone()
    return parse_note(row[0]) if row else None


@dataclass(frozen=True)
class LedgerStatus:
    """How far the signed checkpoints cover the log, for the operator's page."""

    size: int                  # leaves appended
    signed: int                # leaves the newest signed checkpoint covers
    signed_at: str | None      # when it was signed

    @property
    def unsigned(self) -> int:
        return self.size - self.signed


def status(db: sqlite_utils.Database) -> LedgerStatus:
    row = db.execute("SELECT size, at FROM ledger_checkpoints ORDER BY size DESC "
                     "LIMIT 1").fetchone()
    return LedgerStatus(log.tree_size(db), row[0] if row else 0, row[1] if row else None)


def at_size(db: sqlite_utils.Database, size: int) -> Checkpoint | None:
    row = db.execute("SELECT note FROM ledger_checkpoints WHERE size = ?", [size]).fetchone()
    return parse_note(row[0]) if row else None


def seconds_until_due(db: sqlite_utils.Database,
                      min_interval: float = MIN_INTERVAL_SECONDS) -> float:
    last = db.execute("SELECT max(at) FROM ledger_checkpoints").fetchone()[0]
    if last is None:
        return 0.0
    age = (datetime.now(timezone.utc) - datetime.fromisoformat(last)).total_seconds()
    return max(0.0, min(min_interval, min_interval - age))


def issue_if_due(db: sqlite_utils.Database, signer: NoteSigner, origin: str, *,
                 min_interval: float = MIN_INTERVAL_SECONDS) -> Checkpoint | None:
    """Sign a checkpoint of the log as it stands, if it grew since the last one and
    that one is at least ``min_interval`` seconds old."""
    size = log.tree_size(db)
    last = db.execute("SELECT size, at FROM ledger_checkpoints ORDER BY size DESC "
                      "LIMIT 1").fetchone()
    if size == 0 or (last and last[0] >= size):
        return None
    if last and (datetime.now(timezone.utc) - datetime.fromisoformat(last[1])
                 ).total_seconds() < min_interval:
        return None
    root = log.root_at(db, size)
    note = sign_note(origin, size, root, signer)
    db.execute("INSERT OR IGNORE INTO ledger_checkpoints (size, root, kid, note, at) "
               "VALUES (?, ?, ?, ?, ?)", [size, root, signer.kid, note, utc_now()])
    return Checkpoint(origin, size, root, note)


def after_writes(db: sqlite_utils.Database, signer: NoteSigner | None, origin: str, *,
                 wait: bool = False) -> None:
    """What a request or command that appended leaves does as it ends (``signer``:
    the ledger key, None while there is none). A command (``wait``) waits out the
    rest of the second rather than leave its writes to the next request; a
    request never waits."""
    if not log.grew():
        return
    if signer is not None:
        if wait:
            time.sleep(seconds_until_due(db))
        issue_if_due(db, signer, origin)
        newest = latest(db)
        if newest is None or newest.size < log.tree_size(db):
            return  # within a second of the last one: the next request signs it
    log.settled()
