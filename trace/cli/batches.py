"""``batch``: a product's lots, issuing their codes, and which labs may test them.

    python -m trace batch new --gtin 09521234000013 --lot ZJ-2611-A --produced 2026-11-10
    python -m trace batch issue --gtin 09521234000013 --lot ZJ-2611-A --count 500
    python -m trace batch commission --gtin 09521234000013 --lot ZJ-2611-A --agency 1
"""

from __future__ import annotations

import contextlib
import os
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from .. import catalog, corrections, issuing, keys
from ..inspections import commissions
from .common import database, echo_list, keys_args


@click.group(cls=AppGroup, name="batch")
def batch_group():
    """Batches (lots) of a product, and issuing their item codes.

    \b
    Example:
      python -m trace batch new --gtin 09521234000013 --lot ZJ-2611-A
    """


@batch_group.command("new")
@click.option("--gtin", required=True)
@click.option("--lot", required=True, help="1-20 characters of 0-9, A-Z and '-'.")
@click.option("--produced", help="Production date, YYYY-MM-DD.")
@click.option("--quantity", type=click.IntRange(1), help="Planned number of items.")
@click.option("--notes", help="Free text for the supplier's records.")
@click.option("--expires", help="Expiry date, YYYY-MM-DD (default: production date plus "
              "the product's shelf life).")
def batch_new(gtin: str, lot: str, produced: str | None, quantity: int | None,
              notes: str | None, expires: str | None):
    """Open a batch for a product.

    \b
    Example:
      python -m trace batch new --gtin 09521234000013 --lot ZJ-2611-A \\
          --produced 2026-11-10 --quantity 500
    """
    batch = catalog.new_batch(database(), gtin, lot, produced_on=produced, quantity=quantity,
                              notes=notes, expires_on=expires)
    expiry = f", expires {batch.expires_on}" if batch.expires_on else ""
    click.echo(f"Batch {batch.lot} of {batch.gtin} opened (id {batch.id}{expiry})")


@batch_group.command("edit")
@click.option("--gtin", required=True)
@click.option("--lot", required=True, help="The batch's lot (it cannot change).")
@click.option("--produced", help="Corrected production date, YYYY-MM-DD.")
@click.option("--expires", help="Corrected expiry date, YYYY-MM-DD ('' for the shelf life's).")
@click.option("--quantity", type=click.IntRange(1), help="Corrected planned number of items.")
@click.option("--notes", help="The supplier's notes ('' clears them).")
@click.option("--reason", required=True, help="Why; kept, logged, and shown to buyers when a "
              "date changes.")
@click.option("--by", default=lambda: f"cli:{os.environ.get('USER', 'supplier')}",
              show_default="cli:$USER", help="Who corrected it, for the record.")
def batch_edit(gtin: str, lot: str, produced: str | None, expires: str | None,
               quantity: int | None, notes: str | None, reason: str, by: str):
    """Correct a batch's dates, planned quantity or notes; only the options given
    change. Each correction is kept with its reason and logged in the ledger.

    \b
    Example:
      python -m trace batch edit --gtin 09521234000013 --lot ZJ-2611-A \\
          --produced 2026-11-09 --reason 生产日期录错
    """
    db = database()
    batch = catalog.get_batch(db, gtin, catalog.normalise_lot(lot))
    given = {field: value for field, value in (
        ("produced_on", produced), ("expires_on", expires), ("quantity_planned", quantity),
        ("notes", notes)) if value is not None}
    fixed, changed = corrections.edit_batch(
        db, catalog.supplier_of(db, catalog.get_product(db, batch.gtin)), batch, actor=by,
        reason=reason, **given)
    click.echo(f"Batch {fixed.lot} of {fixed.gtin}: {changed} field(s) changed" if changed
               else f"Batch {fixed.lot} of {fixed.gtin}: nothing changed")


@batch_group.command("cancel")
@click.option("--gtin", required=True)
@click.option("--lot", required=True, help="The lot opened by mistake.")
@click.option("--reason", required=True, help="Why, e.g. 批次号录错; kept and logged.")
@click.option("--by", default=lambda: f"cli:{os.environ.get('USER', 'supplier')}",
              show_default="cli:$USER", help="Who cancelled it, for the record.")
def batch_cancel(gtin: str, lot: str, reason: str, by: str):
    """Cancel a batch opened by mistake, before any code is issued or lab asked; its
    lot stays taken (its creation is logged), and the cancellation is logged too.

    \b
    Example:
      python -m trace batch cancel --gtin 09521234000013 --lot ZJ-2611-AA --reason 批次号录错
    """
    db = database()
    batch = catalog.get_batch(db, gtin, catalog.normalise_lot(lot))
    corrections.cancel_batch(db, catalog.supplier_of(db, catalog.get_product(db, batch.gtin)),
                             batch, reason=reason, actor=by)
    click.echo(f"Batch {batch.lot} of {batch.gtin} cancelled: {reason}")


@batch_group.command("issue")
@click.option("--gtin", required=True)
@click.option("--lot", required=True)
@click.option("--count", required=True, type=click.IntRange(1, issuing.MAX_PER_TOPUP),
              help="How many new codes to issue now.")
@click.option("--workers", type=click.IntRange(1, 64), help="Signing processes "
              "(default: one per core).")
@click.option("--with-pin", is_flag=True, help="Give each item a 6-digit scratch-off PIN "
              "that a buyer needs to claim it (codes export prints it in the pin column).")
@click.option("--over-plan", is_flag=True, help="Issue even though the batch would then "
              "have more codes than its planned quantity.")
def batch_issue(gtin: str, lot: str, count: int, workers: int | None, with_pin: bool,
                over_plan: bool):
    """Issue COUNT new signed item codes for a batch, all or nothing. Codes can
    be voided but never taken back, so a top-up past the batch's planned
    quantity (a typo in COUNT, say) is refused without --over-plan.

    \b
    Example:
      python -m trace batch issue --gtin 09521234000013 --lot ZJ-2611-A --count 500
    """
    db = database()
    signer = keys.load_signer(db, *keys_args())
    batch = catalog.get_batch(db, gtin, catalog.normalise_lot(lot))
    issuing.check_plan(db, batch, count, over_plan=over_plan)
    # A bar only where it helps: large top-ups take seconds.
    bar = click.progressbar(length=count, label="Signing", file=sys.stderr) \
        if count >= 5_000 else contextlib.nullcontext()
    with bar as shown:
        issuance = issuing.issue_codes(
            db, signer, gtin, lot, count, workers=workers,
            progress=shown.update if shown else None,
            pin_secret=current_app.config["HASH_SECRET"] if with_pin else None)
    total = catalog.issued_count(db, batch.id)
    codes = "code" if issuance.count == 1 else "codes"
    click.echo(f"Issued {issuance.count} {codes} for batch {issuance.lot} with key "
               f"{issuance.kid}; the batch now has {total}.")
    if batch.quantity_planned and total > batch.quantity_planned:
        click.echo(f"Note: that is more than the {batch.quantity_planned} planned.", err=True)


@batch_group.command("list")
@click.option("--gtin", help="Only this product's batches.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def batch_list(gtin: str | None, as_json: bool):
    """List batches, newest first, with their status and codes issued.

    \b
    Example:
      python -m trace batch list --gtin 09521234000013
    """
    rows = catalog.list_batches(database(), gtin)
    echo_list(rows, as_json, "No batches yet.",
              lambda row: f"{row['gtin']}  {row['lot']:<20}  {row['status']:<8}  "
                          f"{row['issued']:>8} codes  produced {row['produced_on'] or '-'}")


def _let_agency_sign(kind: str, gtin: str, lot: str, agency: str, by: str) -> None:
    commissions.commission(database(), gtin, lot, agency, actor=by, kind=kind)
    what = "commissioned (委托)" if kind == "commission" else "assigned (监督抽检, 神秘抽检)"
    click.echo(f"Agency {agency} {what} for batch {catalog.normalise_lot(lot)} of {gtin}")


def _agency_for_batch(command):
    """The options of commission and assign: which batch, which agency, and who."""
    for option in reversed((
            click.option("--gtin", required=True), click.option("--lot", required=True),
            click.option("--agency", required=True, help="Agency id or CMA number."),
            click.option("--by", default=lambda: f"cli:{os.environ.get('USER', 'operator')}",
                         show_default="cli:$USER", help="Who decided it, for the record."))):
        command = option(command)
    return command


@batch_group.command("commission")
@_agency_for_batch
def batch_commission(gtin: str, lot: str, agency: str, by: str):
    """Record that the batch's supplier commissioned an agency (委托): it may then sign
    委托检验 and 自检 reports for the batch.

    \b
    Example:
      python -m trace batch commission --gtin 09521234000013 --lot ZJ-2611-A --agency 1
    """
    _let_agency_sign("commission", gtin, lot, agency, by)


@batch_group.command("assign")
@_agency_for_batch
def batch_assign(gtin: str, lot: str, agency: str, by: str):
    """Assign an agency to test the batch for the operator (监督抽检, 神秘抽检).

    \b
    Example:
      python -m trace batch assign --gtin 09521234000013 --lot ZJ-2611-A --agency 2
    """
    _let_agency_sign("assignment", gtin, lot, agency, by)


@batch_group.command("withdraw")
@click.option("--gtin", required=True)
@click.option("--lot", required=True)
@click.option("--agency", required=True, help="Agency id or CMA number.")
@click.option("--assignment", is_flag=True, help="The operator's assignment, not the "
              "supplier's commission.")
def batch_withdraw(gtin: str, lot: str, agency: str, assignment: bool):
    """Take back a commission (or --assignment) made by mistake, before the agency has
    stored a report under it.

    \b
    Example:
      python -m trace batch withdraw --gtin 09521234000013 --lot ZJ-2611-A --agency 2
    """
    kind = "assignment" if assignment else "commission"
    db = database()
    name, found_lot = commissions.withdraw(db, commissions.find(db, gtin, lot, agency,
                                                                kind=kind), kind=kind)
    click.echo(f"{name} may no longer sign for batch {found_lot} ({kind} withdrawn)")


COMMANDS = [batch_group]
