"""``ledger``: check the tamper-evident log, and prove what it holds about a batch::

    python -m trace ledger verify
    python -m trace ledger prove --gtin 09521234000013 --lot ZJ-2611-A --out proof.json
    python -m trace ledger check-proof proof.json --keys trace-keys.json   # no database
"""

from __future__ import annotations

import base64
import json

import click
from flask import current_app
from flask.cli import AppGroup

from .. import keys
from ..codes import normalise_typed_serial
from ..transparency import audit, bundle, checkpoints
from .common import database, echo_json, keys_args


@click.group(cls=AppGroup, name="ledger")
def ledger_group():
    """The tamper-evident ledger: every code, report, recall, void, claim, key event
    and selection, in an RFC 6962 Merkle log with signed checkpoints.

    \b
    Example:
      python -m trace ledger verify
    """


def _origin() -> str:
    return checkpoints.origin_for(current_app.config["OFFICIAL_DOMAIN"])


def _checkpoint_now(db) -> checkpoints.Checkpoint | None:
    """A checkpoint covering every leaf (signed now if the last one does not)."""
    keys_dir, passphrase = keys_args()
    signer = keys.cached_signer(db, keys_dir, passphrase, "ledger")
    if signer is None:
        active = keys.active_key(db, "ledger")
        raise click.ClickException(
            f"the ledger key {active.kid}'s private file is not in {keys_dir}: sign where "
            "it is, or check TRACE_KEYS_DIR" if active else
            "no ledger key to sign checkpoints: python -m trace keys new --role ledger")
    checkpoints.issue_if_due(db, signer, _origin(), min_interval=0)
    return checkpoints.latest(db)


@ledger_group.command("verify")
@click.option("--checkpoint", "kept_files", multiple=True, type=click.File("r"),
              help="A checkpoint you kept (ledger checkpoint > FILE); repeatable. Only these "
                   "catch a log rewritten together with its checkpoints.")
@click.option("--keys", "keyset_file", type=click.File("rb"),
              help="The key set you pinned, to check kept checkpoints against "
                   "(default: the ledger keys in the database).")
def ledger_verify(kept_files, keyset_file):
    """Re-derive the whole log from the event tables, check every checkpoint's
    signature and that each extends the one before, and the checkpoints you kept;
    exit 1 naming what is inconsistent.

    \b
    Example:
      python -m trace ledger verify --checkpoint checkpoint-2026-11-27.txt
    """
    db = database()
    # Without --keys, the key set this database publishes (revoked keys marked).
    keyset = _json(keyset_file, "key set") if keyset_file else keys.trust_list(db)
    kept = [_kept_checkpoint(handle.read(), bundle.ledger_public_keys(keyset), keyset)
            for handle in kept_files]
    result = audit.run(db, kept)  # one snapshot: the server may append meanwhile
    for problem in result.problems:
        click.echo(f"✗ {problem}")
    if result.problems:
        raise click.ClickException(
            f"the ledger is inconsistent ({len(result.problems)} problem(s))")
    click.echo(f"Ledger consistent: {result.size} leaves, re-derived from the event "
               f"tables; {result.checkpoints} checkpoint(s) verified"
               + (f"; the log extends the {len(kept)} checkpoint(s) you kept" if kept else ""))
    if not kept:
        click.echo("Note: only checkpoints kept outside this database catch a log rewritten "
                   "together with its checkpoints; pass them with --checkpoint.")


@ledger_group.command("prove")
@click.option("--gtin", required=True)
@click.option("--lot", required=True)
@click.option("--serial", help="One item of the batch (its 追溯码).")
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="Where to write the proof bundle (JSON).")
def ledger_prove(gtin: str, lot: str, serial: str | None, out: str):
    """Write the proof bundle of a batch (or one item): its leaves, their inclusion
    proofs and the signed checkpoint they are proved against.

    \b
    Example:
      python -m trace ledger prove --gtin 09521234000013 --lot ZJ-2611-A --out proof.json
    """
    from .. import catalog
    db = database()
    batch = catalog.get_batch(db, gtin, catalog.normalise_lot(lot))
    _checkpoint_now(db)
    made = bundle.build_bundle(db, batch.gtin, batch.lot,
                               normalise_typed_serial(serial) if serial else None)
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(made, handle, ensure_ascii=False, indent=2)
    click.echo(f"Wrote {len(made['leaves'])} leaves with their proofs"
               + (" and the item's place in its top-up" if serial else "") + f" to {out}")


@ledger_group.command("check-proof")
@click.argument("bundle_file", type=click.File("rb"))
@click.option("--keys", "keyset_file", required=True, type=click.File("rb"),
              help="The key set (/.well-known/trace-keys.json) holding the ledger key.")
def ledger_check_proof(bundle_file, keyset_file):
    """Check a proof bundle with no database: the checkpoint's signature by a ledger
    key of the key set, and every leaf's (and the item's) inclusion proof.

    \b
    Example:
      curl -o keys.json https://trace.example.cn/.well-known/trace-keys.json
      python -m trace ledger check-proof proof.json --keys keys.json
    """
    made, keyset = _json(bundle_file, "proof bundle"), _json(keyset_file, "key set")
    problems = bundle.check_bundle(made, keyset)
    for problem in problems:
        click.echo(f"✗ {problem}")
    if problems:
        raise click.ClickException(f"the proof does not hold ({len(problems)} problem(s))")
    click.echo(f"Proof holds: {len(made['leaves'])} leaves in the checkpoint of size "
               f"{checkpoints.parse_note(made['checkpoint']).size}, signed by a ledger key"
               + (", and the item among its top-up's codes" if "item" in made else ""))


def _kept_checkpoint(note, public_keys: list[bytes], keyset: dict):
    """A checkpoint you kept, checked against your pinned keys. One signed by a key
    revoked since is still taken, with a warning: compared with the log it can only
    find more, never hide anything, but it counts only if you saved it before."""
    text = note.decode("utf-8", "replace") if isinstance(note, bytes) else note
    try:
        return checkpoints.verify_note(text, public_keys)
    except checkpoints.BadCheckpoint:
        revoked = bundle.revoked_signer(text, keyset)
        if revoked is None:
            raise
    checkpoint = checkpoints.parse_note(text)
    click.echo(f"Warning: the checkpoint of size {checkpoint.size} you kept is signed by "
               f"ledger key {revoked[0]}, revoked at {revoked[1]}: it counts only if you "
               "saved it before then.", err=True)
    return checkpoint


def _json(handle, what: str) -> dict:
    try:
        data = json.loads(handle.read())
    except (ValueError, UnicodeDecodeError):
        raise click.ClickException(f"{handle.name} is not a JSON {what}") from None
    if not isinstance(data, dict):
        raise click.ClickException(f"{handle.name} is not a JSON {what}")
    return data


@ledger_group.command("checkpoint")
@click.option("--size", type=int, help="An earlier checkpoint (default: the latest).")
@click.option("--json", "as_json", is_flag=True, help="Size and root as JSON.")
def ledger_checkpoint(size: int | None, as_json: bool):
    """Print a signed checkpoint (a C2SP signed note) to keep and compare.

    \b
    Example:
      python -m trace ledger checkpoint > checkpoint-$(date +%F).txt
    """
    db = database()
    found = checkpoints.at_size(db, size) if size is not None else _checkpoint_now(db)
    if found is None:
        raise click.ClickException(f"no checkpoint of size {size}" if size is not None
                                   else "the ledger is empty")
    if as_json:
        echo_json({"origin": found.origin, "size": found.size, "root": found.root.hex(),
                   "root_base64": base64.b64encode(found.root).decode(),
                   "verifier_key": checkpoints.verifier_key_of(db, found.size)})
    else:
        click.echo(found.note, nl=False)


COMMANDS = [ledger_group]
