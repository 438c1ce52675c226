"""What every command needs: the database, the key folder, JSON output, warnings.

Commands run inside the app context FlaskGroup gives them::

    db = database()                      # refuses a missing TRACE_DATABASE
    keys_dir, passphrase = keys_args()
"""

from __future__ import annotations

import json
import logging
from typing import Any, Callable

import click
import sqlite_utils
from flask import current_app

from ..db import open_db


def database() -> sqlite_utils.Database:
    """The configured database; a missing one is an error naming the path."""
    return open_db(current_app.config["DATABASE"])


def keys_args() -> tuple[str, str | None]:
    return current_app.config["KEYS_DIR"], current_app.config["KEY_PASSPHRASE"]


def echo_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def echo_list(items: list, as_json: bool, empty: str, line: Callable[[Any], str],
              to_json: Callable[[Any], Any] = lambda item: item) -> None:
    """What every ``list`` command prints: a JSON list, or a line per item (or
    ``empty`` when there is none)."""
    if as_json:
        echo_json([to_json(item) for item in items])
        return
    if not items:
        click.echo(empty)
    for item in items:
        click.echo(line(item))


class WarningEcho(logging.Handler):
    """Shows the domain's warnings (``log.warning``) as ``Warning: ...`` on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        label = "Error" if record.levelno >= logging.ERROR else "Warning"
        click.echo(f"{label}: {record.getMessage()}", err=True)
        if record.exc_info:  # an unexpected error under `run`: the operator needs where
            click.echo(logging.Formatter().formatException(record.exc_info), err=True)


def show_warnings() -> None:
    logger = logging.getLogger("trace")
    if not any(isinstance(h, WarningEcho) for h in logger.handlers):
        logger.addHandler(WarningEcho(logging.WARNING))
