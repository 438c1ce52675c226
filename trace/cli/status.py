"""Recalls, voids, the reports queue and scan retention: what happens after issuing.

    python -m trace batch recall --gtin 09521234000013 --lot ZJ-2611-A --reason 抽检不合格
    python -m trace item void "$URL" --reason 标签损坏，已重印
    python -m trace reports list --gtin 09521234000013 --json
    python -m trace scans prune
"""

from __future__ import annotations

import getpass
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from .. import recalls, reports, scans
from ..clock import beijing_time
from ..codes import BatchRef, ItemCode, parse_link
from ..errors import InvalidCode, NotFound
from .batches import batch_group
from .common import database, echo_list


def _by_option(command):
    return click.option("--by", "actor", default=lambda: f"cli:{getpass.getuser()}",
                        show_default="cli:$USER", help="Who is doing this (kept on record).")(
        command)


def _reason_option(command):
    return click.option("--reason", required=True,
                        help="Why, in words a buyer understands (shown on the page).")(command)


@batch_group.command("recall")
@click.option("--gtin", required=True)
@click.option("--lot", required=True)
@_reason_option
@_by_option
def batch_recall(gtin: str, lot: str, reason: str, actor: str):
    """Recall a whole batch: every item's page says so from the next request on.

    \b
    Example:
      python -m trace batch recall --gtin 09521234000013 --lot ZJ-2611-A --reason 抽检不合格
    """
    batch = recalls.recall_batch(database(), gtin, lot, reason, actor)
    click.echo(f"Batch {batch.lot} of {batch.gtin} recalled: {batch.status_reason}")


@batch_group.command("unrecall")
@click.option("--gtin", required=True)
@click.option("--lot", required=True)
@_reason_option
@_by_option
def batch_unrecall(gtin: str, lot: str, reason: str, actor: str):
    """Withdraw a batch recall (the recall stays on record, with this reason).

    \b
    Example:
      python -m trace batch unrecall --gtin 09521234000013 --lot ZJ-2611-A --reason 复检合格
    """
    batch = recalls.unrecall_batch(database(), gtin, lot, reason, actor, by_platform=True)
    click.echo(f"Batch {batch.lot} of {batch.gtin} is no longer recalled")


@click.group(cls=AppGroup, name="item")
def item_group():
    """One item's code: void or recall it.

    \b
    Example:
      python -m trace item void "$URL" --reason 标签损坏，已重印
    """


def _item_code(url: str) -> ItemCode:
    parsed = parse_link(url, current_app.config["BASE_URL"])
    if isinstance(parsed, BatchRef):
        raise InvalidCode("that is a batch URL; give the URL of one item's code")
    return parsed


@item_group.command("void")
@click.argument("url")
@_reason_option
@_by_option
def item_void(url: str, reason: str, actor: str):
    """Void one item's code (damaged or reprinted label); it never verifies again.

    \b
    Example:
      python -m trace item void 'http://127.0.0.1:5000/01/.../21/...?k=..&s=..' \\
          --reason 标签损坏，已重印
    """
    item = recalls.void_item(database(), _item_code(url), reason, actor)
    click.echo(f"Item {item['serial']} voided: {reason}")


@item_group.command("recall")
@click.argument("url")
@_reason_option
@_by_option
def item_recall(url: str, reason: str, actor: str):
    """Recall one item.

    \b
    Example:
      python -m trace item recall "$URL" --reason 包装破损
    """
    item = recalls.recall_item(database(), _item_code(url), reason, actor)
    click.echo(f"Item {item['serial']} recalled: {reason}")


@click.group(cls=AppGroup, name="reports")
def reports_group():
    """Reports of suspected fakes sent by buyers from the scan page.

    \b
    Example:
      python -m trace reports list --gtin 09521234000013
    """


@reports_group.command("list")
@click.option("--gtin", help="Only reports about this product.")
@click.option("--open", "still_open", is_flag=True,
              help="Only reports not yet marked handled.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def reports_list(gtin: str | None, still_open: bool, as_json: bool):
    """The reports queue, newest first.

    \b
    Example:
      python -m trace reports list --open
      python -m trace reports list --gtin 09521234000013 --json
    """
    def lines(report: reports.Report) -> str:
        about = " ".join(filter(None, [report.gtin, report.lot, report.serial])) or "(no code)"
        photo = f"  photo {report.photo_sha256[:12]}" if report.photo_sha256 else ""
        when = beijing_time(report.created_at)  # as the buyer's page showed the time
        handled = (f"\n    handled {beijing_time(report.handled_at)} by {report.handled_by} "
                   f"({report.handled_outcome}): {report.handled_note}"
                   if report.handled_at else "\n    open")
        return (f"#{report.id}  {when} Beijing  {about}  [{report.verdict or '-'}]"
                f"{photo}\n    saw: {report.what_seen}\n    bought at: {report.where_bought}"
                + (f"\n    contact: {report.contact}" if report.contact else "") + handled)
    echo_list(reports.list_reports(database(), gtin, still_open=still_open or None), as_json,
              "No open reports." if still_open else "No reports.", lines,
              reports.Report.to_json)


@reports_group.command("handle")
@click.argument("report_id", type=int)
@click.option("--note", required=True,
              help="What was done: whom you called, what you found, where it went.")
@click.option("--outcome", required=True, type=click.Choice(reports.OUTCOMES),
              help="What it found: confirmed (a fake or a defect), unfounded (no fake: "
                   "it no longer counts against the supplier in 选品 checks), or handled "
                   "(not settled).")
@click.option("--to-supplier", "to_supplier",
              help="What the supplier the report names is asked to do; it reads this in its "
                   "workspace (the note stays the platform's).")
@_by_option
def reports_handle(report_id: int, note: str, outcome: str, to_supplier: str | None,
                   actor: str):
    """Mark a report handled, with what was done and found; it leaves the open queue.

    \b
    Example:
      python -m trace reports handle 3 --outcome confirmed \\
          --note "已联系买家，确认仿冒，转交供货商和市场监管" \\
          --to-supplier "请作废追溯码 1BJW-0YD4-GTYE，并核查这批货的流向"
    """
    reports.mark_handled(database(), report_id, actor=actor, note=note, outcome=outcome,
                         to_supplier=to_supplier)
    click.echo(f"Report {report_id} marked handled ({outcome})")


@reports_group.command("correct")
@click.argument("report_id", type=int)
@click.option("--outcome", required=True, type=click.Choice(reports.OUTCOMES),
              help="The finding as it should have been recorded.")
@click.option("--reason", required=True, help="Why the finding is corrected.")
@_by_option
def reports_correct(report_id: int, outcome: str, reason: str, actor: str):
    """Correct what a handled report's follow-up found; the first finding stays on
    record beside the correction.

    \b
    Example:
      python -m trace reports correct 3 --outcome unfounded \\
          --reason "误选为属实：复核后确认买家收到的是正品"
    """
    reports.correct_outcome(database(), report_id, outcome=outcome, reason=reason,
                            actor=actor)
    click.echo(f"Report {report_id}: the finding is now {outcome}")


@reports_group.command("photo")
@click.argument("report_id", type=int)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def reports_photo(report_id: int, out: Path):
    """Save the photo attached to a report.

    \b
    Example:
      python -m trace reports photo 3 --out report-3.jpg
    """
    db = database()
    row = db.execute("SELECT photo_sha256 FROM reports WHERE id = ?", [report_id]).fetchone()
    found = reports.photo(db, row[0]) if row and row[0] else None
    if found is None:
        raise NotFound(f"report {report_id} has no photo" if row else
                       f"no report {report_id}")
    out.write_bytes(found[0])
    click.echo(f"Wrote {found[1]} photo of report {report_id} to {out}")


@click.group(cls=AppGroup, name="scans")
def scans_group():
    """Scan history retention.

    \b
    Example:
      python -m trace scans prune
    """


@scans_group.command("prune")
@click.option("--older-than", "days", type=click.IntRange(1, scans.MAX_RETENTION_DAYS),
              help="Days of detail to keep "
              "(default: TRACE_SCAN_RETENTION_DAYS, 400).")
def scans_prune(days: int | None):
    """Reduce scan details older than the retention period to per-item counts.

    The counts pages show never go down.

    \b
    Example:
      python -m trace scans prune --older-than 400
    """
    days = days or current_app.config["SCAN_RETENTION_DAYS"]
    window = scans.ScanPolicy.from_config(current_app.config).window_days
    items, removed = scans.prune(database(), days, window_days=window)
    click.echo(f"Reduced {removed} scan(s) older than {days} days on {items} item(s) "
               "to counts.")


COMMANDS = [item_group, reports_group, scans_group]
