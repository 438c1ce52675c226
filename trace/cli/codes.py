"""``codes export`` and ``verify``: the codes of a batch, and what one scan says.

    python -m trace codes export --gtin 09521234000013 --lot ZJ-2611-A --out codes.csv
    python -m trace verify "$URL" --json
"""

from __future__ import annotations

import contextlib
import csv
import sys

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from .. import issuing
from ..scans import ScanPolicy
from ..verification import verify_text
from .common import database, echo_json
from .labels import codes_qr


@click.group(cls=AppGroup, name="codes")
def codes_group():
    """Item codes: export.

    \b
    Example:
      python -m trace codes export --gtin 09521234000013 --lot ZJ-2611-A --out codes.csv
    """


@codes_group.command("export")
@click.option("--gtin", required=True)
@click.option("--lot", required=True)
@click.option("--out", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="CSV file to write ('-' for standard output).")
def codes_export(gtin: str, lot: str, out: str):
    """Export every code of a batch as CSV (seq, gtin, lot, serial, kid, status, issued_at,
    url, pin); pin is empty for items issued without one.

    \b
    Example:
      python -m trace codes export --gtin 09521234000013 --lot ZJ-2611-A --out codes.csv
    """
    rows = issuing.export_rows(database(), gtin, lot, current_app.config["BASE_URL"],
                               current_app.config["HASH_SECRET"])
    handle_cm = contextlib.nullcontext(sys.stdout) if out == "-" else \
        open(out, "w", encoding="utf-8", newline="")
    with handle_cm as handle:
        writer = csv.DictWriter(handle, fieldnames=issuing.EXPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        count = 0
        for row in rows:
            writer.writerow(row)
            count += 1
    if out != "-":
        click.echo(f"Wrote {count} codes to {out}")


@click.command("verify")
@with_appcontext
@click.argument("url")
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as one JSON object.")
@click.pass_context
def verify(ctx: click.Context, url: str, as_json: bool):
    """Verify a scanned code URL, or a 追溯码 typed from a label (not counted as a scan).
    Exit 0 only for a genuine code.

    \b
    Example:
      python -m trace verify 'http://127.0.0.1:5000/01/09521234000013/10/ZJ-2611-A/21/...'
      python -m trace verify "$URL" --json
      python -m trace verify RZJ4-WDFF-XA07
    """
    policy = ScanPolicy.from_config(current_app.config)
    verdict = verify_text(database(), url, current_app.config["BASE_URL"], policy=policy)
    if as_json:
        echo_json(verdict.to_json())
    else:
        click.echo(f"{verdict.verdict}: {verdict.reason}\n  {verdict.reason_en}")
        scans = verdict.scans
        for label, value in (("reason", verdict.status_reason), ("finding", verdict.detail_en),
                             ("product", verdict.product and verdict.product.name),
                             ("supplier", verdict.supplier and verdict.supplier.name),
                             ("gtin", verdict.gtin), ("lot", verdict.lot),
                             ("serial", verdict.serial),
                             ("scans", scans and f"{scans.count} look-up(s) from "
                                                 f"{scans.networks} network(s), "
                                                 f"{scans.devices} browser(s)"),
                             ("claimed", scans and scans.claimed_at)):
            if value:
                click.echo(f"  {label + ':':<10}{value}")
    ctx.exit(0 if verdict.is_genuine else 1)


codes_group.add_command(codes_qr)


COMMANDS = [codes_group, verify]
