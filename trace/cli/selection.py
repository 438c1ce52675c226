"""``select``: the 选品 check of a sample and the room's recorded decisions;
``live``: the on-camera page of a batch the room selected.

    python -m trace select check --room 1 --url "$URL" --json
    python -m trace select record --room 1 --url "$URL" --decision 不选用 --note 联苯菊酯超标
"""

from __future__ import annotations

import os

import click
from flask import current_app
from flask.cli import AppGroup

from .. import rooms
from ..streamers import ledger, live, selection
from .common import database, echo_json


@click.group(cls=AppGroup, name="select")
def select_group():
    """选品: check a sample's code for a livestream room, and record the decision.

    \b
    Example:
      python -m trace select check --room 1 --url "$URL"
    """


def _check(url: str) -> selection.SampleCheck:
    config = current_app.config
    return selection.check_sample(database(), url, config["BASE_URL"],
                                  valid_days=config["REPORT_VALID_DAYS"])


@select_group.command("check")
@click.option("--room", required=True, help="The room's id (rooms list).")
@click.option("--url", required=True, help="The sample's code URL (or its typed 追溯码).")
@click.option("--json", "as_json", is_flag=True,
              help='Print {"ok": bool, "checks": [{"name", "ok", "detail"}]}.')
def select_check(room: str, url: str, as_json: bool):
    """Check a sample: genuine code, batch not recalled, a current signed report within
    its validity window, every tested item passing, supplier approved, its after-sales
    record. Exit 0 only when every check passes.

    \b
    Example:
      python -m trace select check --room 1 --url "$URL" --json
    """
    rooms.find_room(database(), room)
    result = _check(url)
    if as_json:
        echo_json(result.to_json())
    else:
        for check in result.checks:
            click.echo(f"{'✓' if check.ok else '✗'} {ledger.CHECK_NAMES[check.name]}："
                       f"{check.detail}")
        click.echo("All checks pass." if result.ok else "Some checks fail.")
        if result.verdict == "invalid" and _elsewhere(url):
            click.echo(f"Note: this command reads codes of {current_app.config['BASE_URL']}/ "
                       "(TRACE_BASE_URL); set it as the server that printed the code has it.")
    if not result.ok:
        raise SystemExit(1)


def _elsewhere(url: str) -> bool:
    """An address of another site than TRACE_BASE_URL's: on the command line most
    often a shell without the server's TRACE_BASE_URL, rarely a look-alike site."""
    base = current_app.config["BASE_URL"]
    return url.strip().startswith(("http://", "https://")) and not url.strip().startswith(base)


@select_group.command("record")
@click.option("--room", required=True, help="The room's id (rooms list).")
@click.option("--url", required=True, help="The sample's code URL (or its typed 追溯码).")
@click.option("--decision", required=True, type=click.Choice(list(selection.DECISIONS)))
@click.option("--note", help="What the room saw or decided, for the 台账.")
@click.option("--override-reason", help="Needed to 选用 a sample that fails a check.")
@click.option("--by", default=lambda: f"cli:{os.environ.get('USER', 'streamer')}",
              show_default="cli:$USER", help="Who decided, for the record.")
def select_record(room: str, url: str, decision: str, note: str | None,
                  override_reason: str | None, by: str):
    """Record the room's decision on a sample, with the checklist as it stands now.

    \b
    Example:
      python -m trace select record --room 1 --url "$URL" --decision 选用 --note 样品完好
    """
    found = rooms.find_room(database(), room)
    result = _check(url)
    record_id = selection.record_selection(database(), found, result, decision, actor=by,
                                           note=note, override_reason=override_reason)
    overridden = decision == "选用" and not result.ok
    click.echo(f"Selection record {record_id}: {decision} for {found.name}"
               + (" (failed checks overridden; the reason is in the ledger)" if overridden else ""))


@select_group.command("export")
@click.option("--room", required=True, help="The room's id (rooms list).")
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="FILE.csv (for Excel, Chinese headings) or FILE.pdf (printable).")
@click.option("--from", "start", help="First day, YYYY-MM-DD (Beijing time).")
@click.option("--to", "end", help="Last day, YYYY-MM-DD (Beijing time).")
def select_export(room: str, out: str, start: str | None, end: str | None):
    """Export the room's 选品审核台账: every selection record in the period.

    \b
    Example:
      python -m trace select export --room 1 --out 台账.pdf --from 2026-11-01 --to 2026-11-30
    """
    found = rooms.find_room(database(), room)
    rows = ledger.ledger_rows(database(), found, start, end)
    suffix = out.rsplit(".", 1)[-1].lower() if "." in out else ""
    if suffix == "csv":
        with open(out, "w", encoding="utf-8", newline="") as handle:
            handle.write(ledger.ledger_csv(rows))
    elif suffix == "pdf":
        with open(out, "wb") as handle:
            handle.write(ledger.ledger_pdf(found, rows, start, end))
    else:
        raise click.BadParameter("must end in .csv or .pdf", param_hint="--out")
    click.echo(f"Wrote {len(rows)} selection record(s) of {found.name} to {out}")


@click.group(cls=AppGroup, name="live")
def live_group():
    """The on-camera page of a batch a room selected: show it live, or load it in OBS.

    \b
    Example:
      python -m trace live open --room 1 --gtin 09521234000013 --lot ZJ-2611-A
    """


@live_group.command("open")
@click.option("--room", required=True, help="The room's id (rooms list).")
@click.option("--gtin", required=True, help="The product's GTIN.")
@click.option("--lot", required=True, help="The batch's lot number.")
@click.option("--by", default=lambda: f"cli:{os.environ.get('USER', 'streamer')}",
              show_default="cli:$USER", help="Who opened it, for the record.")
def live_open(room: str, gtin: str, lot: str, by: str):
    """Open (or find again) the room's on-camera page for a batch it selected (选用);
    print its address last, and the overlay's for OBS before it.

    \b
    Example:
      python -m trace live open --room 1 --gtin 09521234000013 --lot ZJ-2611-A
    """
    found = rooms.find_room(database(), room)
    page = live.open_live(database(), found, gtin, lot, actor=by)
    url = f"{current_app.config['BASE_URL']}/live/{page.id}"
    click.echo(f"On-camera page of {found.name} for lot {lot}; as an OBS overlay: "
               f"{url}?overlay=1")
    click.echo(url)


COMMANDS = [select_group, live_group]
