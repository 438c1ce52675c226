"""The command line: ``python -m trace COMMAND`` (a Flask ``FlaskGroup``).

Errors print ``Error: ...`` and exit 1; usage errors exit 2::

    python -m trace init-db
    python -m trace batch issue --gtin 09521234000013 --lot ZJ-2611-A --count 500
    python -m trace verify 'http://127.0.0.1:5000/01/...' --json
"""

from __future__ import annotations

import os
import sqlite3
import sys

import click
from flask.cli import FlaskGroup, routes_command, shell_command

from .. import create_app
from ..db import storage_failure
from ..errors import TraceError
from . import accounts as accounts_cli
from . import batches as batches_cli
from . import catalog as catalog_cli
from . import codes as codes_cli
from . import inspections as inspections_cli
from . import keys as keys_cli
from . import labels as labels_cli
from . import ledger as ledger_cli
from . import ops as ops_cli
from . import orgs as orgs_cli
from . import selection as selection_cli
from . import server as server_cli
from . import status as status_cli
from .common import show_warnings


STORAGE_REMEDIES = {  # what to do about each of db.storage_failure's answers
    "the disk is full": "Free some space on the disk being written",
    "the database is read-only": "Make the database and its folder writable",
    "the database stayed locked by another writer": "Wait for the other writer to finish",
}


class TraceGroup(FlaskGroup):
    """Turns domain errors into ``Error: ...`` instead of a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except TraceError as error:
            hint = f"\n  {error.hint}" if error.hint else ""
            raise click.ClickException(error.message + hint) from None
        except sqlite3.Error as error:
            problem = storage_failure(error)
            if problem:  # nothing was written: the transaction rolled back
                remedy = STORAGE_REMEDIES.get(problem, "check the disk")
                raise click.ClickException(f"{problem}; nothing was saved. {remedy}, then run "
                                           "the command again") from None
            raise click.ClickException(f"database error: {error}") from None
        except BrokenPipeError:  # output piped into `head` and the like: stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except OSError as error:
            where = f": {error.filename}" if error.filename else ""
            raise click.ClickException(f"{error.strerror or error}{where}") from None


def _cli_app():
    # init-db is how a database comes to exist; each command opens it itself.
    return create_app(require_database=False)


cli = TraceGroup(create_app=_cli_app, add_version_option=False, add_default_commands=False,
                 help="""\
Trace: signed one-item-one-code (一物一码) traceability.

\b
Example:
  python -m trace init-db && python -m trace keys new
  python -m trace seed-demo
  python -m trace run --port 5000
""")


for _module in (accounts_cli, batches_cli, catalog_cli, codes_cli, inspections_cli, keys_cli,
                labels_cli, ledger_cli, ops_cli, orgs_cli, selection_cli, server_cli, status_cli):
    for _command in _module.COMMANDS:
        cli.add_command(_command)
# Flask's own commands and options stay usable for developers, but the help shows
# the product's commands only.
for _command in (shell_command, routes_command):
    cli.add_command(click.Command(_command.name, params=_command.params,
                                  callback=_command.callback, help=_command.help,
                                  hidden=True))
for _param in cli.params:
    if isinstance(_param, click.Option):
        _param.hidden = True


def main() -> None:
    show_warnings()
    cli.main(prog_name="python -m trace")
