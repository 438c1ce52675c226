"""``keys``: create, list, retire and revoke signing keys.

    python -m trace keys new --if-missing
    python -m trace keys revoke 7K3Q9XAB --at 2026-11-26T08:00:00+08:00
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from .. import keys
from ..errors import KeyProblem
from ..transparency import checkpoints
from .common import database, echo_list, keys_args


@click.group(cls=AppGroup, name="keys")
def keys_group():
    """Signing keys: create, list, retire, revoke.

    \b
    Example:
      python -m trace keys new --role issuer
    """


@keys_group.command("new")
@click.option("--role", default="issuer", show_default=True,
              help="issuer, ledger or agency:<id>")
@click.option("--if-missing", is_flag=True,
              help="Do nothing if the database has an active key of this role (and "
                   "stop with an error if that key cannot be opened).")
def keys_new(role: str, if_missing: bool):
    """Create an Ed25519 key (private half in the keys folder, mode 0600).

    \b
    Example:
      python -m trace keys new
      python -m trace keys new --role agency:zjqi
    """
    keys.check_role(role)  # before any warning about the passphrase
    db = database()
    keys_dir, passphrase = keys_args()
    existing = keys.active_key(db, role) if if_missing else None
    if existing:
        try:
            keys.load_signer(db, keys_dir, passphrase, role=role)
        except KeyProblem as problem:
            # A second active key would hide the first: say what is wrong instead.
            raise KeyProblem(f"the active {role} key {existing.kid} cannot be opened: "
                             f"{problem.message.rstrip('.')}. Nothing was created.") from None
        click.echo(f"Key {existing.kid} ({role}) already active; nothing to do.")
        return
    _refuse_beside_a_missing_file(db, role, keys_dir)
    _warn_if_bare(passphrase)
    record = keys.create_key(db, keys_dir, role=role, passphrase=passphrase)
    click.echo(f"Created key {record.kid} ({record.role}) in {keys_dir}")


def _refuse_beside_a_missing_file(db, role: str, keys_dir: str) -> None:
    """An active key whose file is not here is most often a mistyped TRACE_KEYS_DIR:
    a second key made in the wrong folder would sign there and leave the right one
    unable to (the server's start-up warning led an operator to do just that)."""
    missing = [record.kid for record in keys.lost_keys(db, keys_dir) if record.role == role]
    if missing:
        raise KeyProblem(f"the active {role} key {', '.join(missing)} has no private file in "
                         f"{keys_dir}: check TRACE_KEYS_DIR, or put the file back from the key "
                         f"backup. If it is lost for good, 'keys rotate --role {role}' replaces "
                         "it. Nothing was created.")


@keys_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the key set as JSON.")
def keys_list(as_json: bool):
    """List keys with role and status.

    \b
    Example:
      python -m trace keys list
    """
    def line(r) -> str:
        extra = f" revoked_at={r.revoked_at}" if r.revoked_at else ""
        extra += " (private key kept by its owner)" if r.held_by == "owner" else ""
        extra += " PRIVATE KEY MISSING HERE" if r.status == "active" and \
            keys.lost_here(keys_args()[0], r) else ""
        return f"{r.kid}  {r.role:<14} {r.status:<8} created {r.created_at}{extra}"
    echo_list(keys.list_keys(database()), as_json, "No keys yet: python -m trace keys new",
              line, lambda record: record.to_json())


@keys_group.command("retire")
@click.argument("kid")
def keys_retire(kid: str):
    """Stop signing with KID; what it signed keeps verifying.

    \b
    Example:
      python -m trace keys retire 7K3Q9XAB
    """
    record = keys.retire_key(database(), kid)
    click.echo(f"Key {record.kid} retired at {record.retired_at}")


@keys_group.command("rotate")
@click.option("--role", default="issuer", show_default=True,
              help="issuer, ledger, or agency:<id> (a lab's key the platform holds).")
def keys_rotate(role: str):
    """Make a new key of ROLE and retire the active one(s); what they signed keeps
    verifying. For a lab whose platform-held key file was lost and cannot be
    restored from the key backup, --role agency:<id> gives it a new one.

    \b
    Example:
      python -m trace keys rotate
      python -m trace keys rotate --role agency:1
    """
    keys_dir, passphrase = keys_args()
    db = database()
    _warn_if_bare(passphrase)
    outgoing = _ledger_signers(db, keys_dir, passphrase) if role == "ledger" else []
    new, retired = keys.rotate_key(db, keys_dir, role, passphrase)
    gone = ", ".join(record.kid for record in retired) or "none"
    click.echo(f"New {role} key {new.kid}; retired: {gone}")
    click.echo(f"Back up the keys folder now: the new private key is {keys_dir}/{new.kid}.pem, "
               "and a lost one cannot be made again.")
    if role == "ledger" and retired:
        _hand_over(db, keys.load_signer_by_kid(db, keys_dir, new.kid, passphrase), outgoing)


def _warn_if_bare(passphrase: str | None) -> None:
    """Before a new private key is written: say so when it will not be encrypted."""
    if not passphrase:
        click.echo("Warning: TRACE_KEY_PASSPHRASE is not set; the private key is stored "
                   "unencrypted (file mode 0600). Set it in production.", err=True)


def _ledger_signers(db, keys_dir, passphrase) -> list:
    """The active ledger keys' signers, opened while they may still sign."""
    opened = []
    for record in keys.list_keys(db):
        if record.role == "ledger" and record.status == "active":
            try:
                opened.append(keys.load_signer_by_kid(db, keys_dir, record.kid, passphrase))
            except KeyProblem:
                pass  # its private half is gone: it cannot vouch for the new key
    return opened


def _hand_over(db, new, outgoing: list) -> None:
    """A checkpoint signed by the old ledger keys and the new one, so auditors who
    pinned an old key can move to the new one on evidence, not on our word."""
    origin = checkpoints.origin_for(current_app.config["OFFICIAL_DOMAIN"])
    handover = checkpoints.issue_handover(db, new, outgoing, origin)
    if handover is None:
        return
    old = ", ".join(signer.kid for signer in outgoing)
    click.echo(f"Checkpoint {handover.size} is signed by the new key {new.kid}"
               + (f" and the retired {old}" if old else "") + ". Tell the auditors: with the "
               "key they pinned they verify this checkpoint, then pin the new key (docs/"
               "ledger.md, 'When the ledger key changes').")


@keys_group.command("encrypt")
def keys_encrypt():
    """Encrypt with TRACE_KEY_PASSPHRASE every private key of the keys folder stored
    without one (each file is replaced whole). Restart the server afterwards.

    \b
    Example:
      TRACE_KEY_PASSPHRASE=... python -m trace keys encrypt
    """
    keys_dir, passphrase = keys_args()
    if not passphrase:
        raise click.ClickException("set TRACE_KEY_PASSPHRASE to the passphrase to encrypt with")
    done = keys.encrypt_keys(keys_dir, passphrase)
    click.echo(f"Encrypted {', '.join(done)} in {keys_dir}" if done else
               f"Every private key in {keys_dir} is encrypted already")


@keys_group.command("revoke")
@click.argument("kid")
@click.option("--at", "at", help="When the key stopped being trustworthy (ISO 8601 "
              "with time zone); default now.")
def keys_revoke(kid: str, at: str | None):
    """Revoke KID (a leak): only what it signed that is on record from before --at
    stays valid: codes issued, for an issuer key; reports stored, for a lab's key.
    Anything of it recorded from then on verifies as forged.

    \b
    Example:
      python -m trace keys revoke 7K3Q9XAB --at 2026-11-26T08:00:00+08:00
    """
    db = database()
    record = keys.revoke_key(db, kid, at)
    click.echo(f"Key {record.kid} revoked from {record.revoked_at}")
    lost = keys.codes_signed_since(db, kid, record.revoked_at or "")
    if lost:
        click.echo(f"{lost:,} code(s) it signed from then on now verify as forged.", err=True)
    elif record.role == "issuer":  # said either way: the operator is waiting to hear it
        click.echo("No code it signed was issued from then on: every code it signed before "
                   "still verifies here.", err=True)
    reports = keys.reports_stored_since(db, kid, record.revoked_at or "")
    if reports:
        click.echo(f"{reports:,} lab report(s) stored from then on now fail their signature "
                   "check.", err=True)
    if record.role == "ledger" and keys.active_key(db, "ledger") is None:
        click.echo("No ledger key is active now: no checkpoint is signed until you create "
                   "one (python -m trace keys new --role ledger). Tell the auditors, who "
                   "pinned the old key, the new key's id.", err=True)


COMMANDS = [keys_group]
