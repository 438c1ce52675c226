"""``backup`` and ``restore``: online backups of the database, and putting one back
after checking it::

    python -m trace backup /backups/trace-$(date +%F).db      # while the server runs
    python -m trace restore /backups/trace-2026-11-27.db --yes
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import backups
from .common import keys_args


def _summary(info: backups.BackupInfo) -> str:
    return (f"{info.bytes / 1e6:.1f} MB, schema {info.schema}, {info.items:,} codes, "
            f"{info.leaves:,} ledger leaves")


@click.command("backup")
@with_appcontext
@click.argument("target", type=click.Path(dir_okay=False))
def backup_command(target: str):
    """Copy the database to TARGET (a new file) while the server keeps serving:
    SQLite's backup API, a consistent moment of the database.

    \b
    Example:
      python -m trace backup /backups/trace-$(date +%F).db
    """
    info = backups.backup(current_app.config["DATABASE"], target)
    click.echo(f"Backed up to {info.path}: {_summary(info)}")
    for line in _also_back_up(current_app.config, Path(current_app.instance_path)):
        click.echo(line)


def _also_back_up(config, instance: Path) -> list[str]:
    """What the backup lacks: the database names its keys but holds none (a restore
    without them signs nothing), and secrets kept in instance files (without
    hash_secret, PINs and scan counts no longer match what was stored)."""
    keys_dir = Path(config["KEYS_DIR"])
    lines = [f"The signing keys are not in it: back up {keys_dir} too, kept apart from the "
             "database (docs/deploy.md, step 6)." if keys_dir.is_dir() else
             f"Warning: the keys folder {keys_dir} does not exist: check TRACE_KEYS_DIR, and "
             "back up the folder that holds the signing keys, kept apart from the database."]
    from_files = [name for setting, name in (("SECRET_KEY", "secret_key"),
                                             ("HASH_SECRET", "hash_secret"))
                  if (instance / name).is_file()
                  and (instance / name).read_text().strip() == config.get(setting)]
    if from_files:
        lines.append("Its secrets are not in it either: back up "
                     + " and ".join(str(instance / name) for name in from_files) + ".")
    return lines


@click.command("restore")
@with_appcontext
@click.argument("source", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
@click.option("--rewind-ledger", is_flag=True,
              help="Restore even though this server published ledger checkpoints past the "
                   "backup (auditors holding them will see the log rewritten).")
def restore_command(source: str, yes: bool, rewind_ledger: bool):
    """Put the backup SOURCE back as the database, after checking it (whole, a Trace
    schema this version knows, its signing keys in the keys folder, its ledger
    verifying). The database it replaces is kept beside it.

    \b
    Example:
      python -m trace restore /backups/trace-2026-11-27.db --yes
    """
    keys_dir, passphrase = keys_args()
    checked = backups.check_backup(source, keys_dir, passphrase)
    database = current_app.config["DATABASE"]
    rewound = backups.check_rewind(source, database, rewind_ledger)
    click.echo(f"Backup {source} checks out: {_summary(checked)}")  # every check passed
    if rewound:
        change = (f"contradicts signed checkpoint {rewound.signed}" if rewound.forked else
                  f"goes back from signed checkpoint {rewound.signed} to {rewound.leaves} "
                  "entries")
        click.echo(f"Warning: the ledger {change}; tell the auditors (docs/ledger.md, "
                   "'After a restore').", err=True)
    if not yes:
        _ask(f"Replace {database} with it?" if Path(database).exists() else
             f"Restore it as {database} (there is no database there yet)?")
    info, kept = backups.restore(source, database, keys_dir, passphrase,
                                 rewind_ledger=rewind_ledger)
    click.echo(f"Restored {database}: {_summary(info)}"
               + (f"; the database it replaced is kept as {kept}" if kept else ""))


def _ask(question: str) -> None:
    """Go on only on a yes; a no, or no answer at all (a script, no terminal), says
    that nothing changed and how a script says yes."""
    try:
        if click.confirm(question):
            return
    except click.Abort:  # the input ended
        click.echo()
    raise click.ClickException("nothing restored: answer y to restore, or add --yes in a "
                               "script")


COMMANDS = [backup_command, restore_command]
