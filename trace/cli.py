"""The command line: ``python -m trace COMMAND`` (a Flask ``FlaskGroup``).

Errors print ``Error: ...`` and exit 1; usage errors exit 2::

    python -m trace init-db
    python -m trace batch issue --gtin 09521234000013 --lot ZJ-2611-A --count 500
    python -m trace verify 'http://127.0.0.1:5000/01/...' --json
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import sqlite3
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup

from . import catalog, create_app, demo, issuing, keys
from .cli_labels import codes_qr, labels_group
from .db import open_db, schema_version
from .errors import KeyProblem, TraceError
from .verification import verify_url


class TraceGroup(FlaskGroup):
    """Turns domain errors into ``Error: ...`` instead of a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except TraceError as error:
            raise click.ClickException(error.message) from None
        except sqlite3.Error as error:
            raise click.ClickException(f"database error: {error}") from None
        except BrokenPipeError:  # output piped into `head` and the like: stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except OSError as error:
            where = f": {error.filename}" if error.filename else ""
            raise click.ClickException(f"{error.strerror or error}{where}") from None


cli = TraceGroup(create_app=create_app, add_version_option=False, help="""\
Trace: signed one-item-one-code (一物一码) traceability.

\b
Example:
  python -m trace init-db && python -m trace keys new
  python -m trace seed-demo
  python -m trace run --port 5000
""")


def _db():
    return open_db(current_app.config["DATABASE"])


def _keys_args():
    return current_app.config["KEYS_DIR"], current_app.config["KEY_PASSPHRASE"]


def _echo_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@cli.command("init-db")
def init_db():
    """Create or migrate the database (idempotent).

    \b
    Example:
      TRACE_DATABASE=/tmp/t.db python -m trace init-db
    """
    db = _db()
    click.echo(f"Database ready: {current_app.config['DATABASE']} "
               f"(schema version {schema_version(db)})")


@cli.group("keys")
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
              help="Do nothing if an active key of this role is already usable.")
def keys_new(role: str, if_missing: bool):
    """Create an Ed25519 key (private half in the keys folder, mode 0600).

    \b
    Example:
      python -m trace keys new
      python -m trace keys new --role agency:zjqi
    """
    db = _db()
    keys_dir, passphrase = _keys_args()
    if if_missing:
        try:
            signer = keys.load_signer(db, keys_dir, passphrase, role=role)
        except KeyProblem:
            pass
        else:
            click.echo(f"Key {signer.kid} ({role}) already active; nothing to do.")
            return
    if not passphrase:
        click.echo("Warning: TRACE_KEY_PASSPHRASE is not set; the private key is stored "
                   "unencrypted (file mode 0600). Set it in production.", err=True)
    record = keys.create_key(db, keys_dir, role=role, passphrase=passphrase)
    click.echo(f"Created key {record.kid} ({record.role}) in {keys_dir}")


@keys_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the key set as JSON.")
def keys_list(as_json: bool):
    """List keys with role and status.

    \b
    Example:
      python -m trace keys list
    """
    records = keys.list_keys(_db())
    if as_json:
        _echo_json([r.to_json() for r in records])
        return
    if not records:
        click.echo("No keys yet: python -m trace keys new")
    for r in records:
        extra = f" revoked_at={r.revoked_at}" if r.revoked_at else ""
        click.echo(f"{r.kid}  {r.role:<14} {r.status:<8} created {r.created_at}{extra}")


@keys_group.command("retire")
@click.argument("kid")
def keys_retire(kid: str):
    """Stop signing with KID; what it signed keeps verifying.

    \b
    Example:
      python -m trace keys retire 7K3Q9XAB
    """
    record = keys.retire_key(_db(), kid)
    click.echo(f"Key {record.kid} retired at {record.retired_at}")


@keys_group.command("revoke")
@click.argument("kid")
@click.option("--at", "at", help="When the key stopped being trustworthy (ISO 8601 "
              "with time zone); default now.")
def keys_revoke(kid: str, at: str | None):
    """Revoke KID (a leak): only codes recorded as issued before --at stay valid.

    \b
    Example:
      python -m trace keys revoke 7K3Q9XAB --at 2026-11-26T08:00:00+08:00
    """
    record = keys.revoke_key(_db(), kid, at)
    click.echo(f"Key {record.kid} revoked from {record.revoked_at}")


@cli.group("supplier")
def supplier_group():
    """Suppliers (供货商).

    \b
    Example:
      python -m trace supplier add --name 诸暨市某珍珠有限公司 --credit-code 91330681MA2D7XKQ0T
    """


@supplier_group.command("add")
@click.option("--name", required=True, help="Registered company name.")
@click.option("--credit-code", required=True, help="统一社会信用代码 (18 characters).")
def supplier_add(name: str, credit_code: str):
    """Register a supplier; the 统一社会信用代码 check character is verified.

    \b
    Example:
      python -m trace supplier add --name 诸暨市某珍珠有限公司 --credit-code 91330681MA2D7XKQ0T
    """
    supplier = catalog.add_supplier(_db(), name, credit_code)
    click.echo(f"Supplier {supplier.id}: {supplier.name} ({supplier.credit_code})")


@cli.group("product")
def product_group():
    """Products, identified by GTIN-14.

    \b
    Example:
      python -m trace product add --supplier 1 --gtin 09521234000013 --name 淡水珍珠项链
    """


@product_group.command("add")
@click.option("--supplier", required=True, help="Supplier id or 统一社会信用代码.")
@click.option("--gtin", required=True, help="14 digits with a valid check digit.")
@click.option("--name", required=True, help="Product name in Chinese.")
@click.option("--name-en", help="Product name in English.")
@click.option("--spec", "specification", help="Specification, e.g. '珠径 8–9 mm'.")
@click.option("--category", help="Category, e.g. 珍珠饰品, 茶叶, 鲜果, 家纺.")
@click.option("--origin", help="Place of origin (产地).")
@click.option("--standard", help="Executed standard, e.g. 'GB/T 18781-2023'.")
def product_add(supplier: str, gtin: str, name: str, **details):
    """Register a product of a supplier.

    \b
    Example:
      python -m trace product add --supplier 1 --gtin 09521234000013 \\
          --name 淡水珍珠项链 --spec '珠径 8–9 mm' --standard 'GB/T 18781-2023'
    """
    db = _db()
    product = catalog.add_product(db, catalog.find_supplier(db, supplier), gtin, name,
                                  **details)
    click.echo(f"Product {product.gtin}: {product.name}")


@cli.group("batch")
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
def batch_new(gtin: str, lot: str, produced: str | None, quantity: int | None,
              notes: str | None):
    """Open a batch for a product.

    \b
    Example:
      python -m trace batch new --gtin 09521234000013 --lot ZJ-2611-A \\
          --produced 2026-11-10 --quantity 500
    """
    batch = catalog.new_batch(_db(), gtin, lot, produced_on=produced, quantity=quantity,
                              notes=notes)
    click.echo(f"Batch {batch.lot} of {batch.gtin} opened (id {batch.id})")


@batch_group.command("issue")
@click.option("--gtin", required=True)
@click.option("--lot", required=True)
@click.option("--count", required=True, type=click.IntRange(1, issuing.MAX_PER_TOPUP),
              help="How many new codes to issue now.")
@click.option("--workers", type=click.IntRange(1, 64), help="Signing processes "
              "(default: one per core).")
def batch_issue(gtin: str, lot: str, count: int, workers: int | None):
    """Issue COUNT new signed item codes for a batch, all or nothing.

    \b
    Example:
      python -m trace batch issue --gtin 09521234000013 --lot ZJ-2611-A --count 500
    """
    db = _db()
    signer = keys.load_signer(db, *_keys_args())
    # A bar only where it helps: large top-ups take seconds.
    bar = click.progressbar(length=count, label="Signing", file=sys.stderr) \
        if count >= 5_000 else contextlib.nullcontext()
    with bar as shown:
        issuance = issuing.issue_codes(db, signer, gtin, lot, count, workers=workers,
                                       progress=shown.update if shown else None)
    batch = catalog.get_batch(db, issuance.gtin, issuance.lot)
    total = catalog.issued_count(db, batch.id)
    click.echo(f"Issued {issuance.count} codes for batch {issuance.lot} with key "
               f"{issuance.kid}; the batch now has {total}.")
    if batch.quantity_planned and total > batch.quantity_planned:
        click.echo(f"Note: that is more than the {batch.quantity_planned} planned.", err=True)


@cli.group("codes")
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
    """Export every code of a batch as CSV (seq, gtin, lot, serial, kid, status, issued_at, url).

    \b
    Example:
      python -m trace codes export --gtin 09521234000013 --lot ZJ-2611-A --out codes.csv
    """
    rows = issuing.export_rows(_db(), gtin, lot, current_app.config["BASE_URL"])
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


@cli.command("verify")
@click.argument("url")
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as one JSON object.")
@click.pass_context
def verify(ctx: click.Context, url: str, as_json: bool):
    """Verify a scanned code URL. Exit 0 only for a genuine code, 1 otherwise.

    \b
    Example:
      python -m trace verify 'http://127.0.0.1:5000/01/09521234000013/10/ZJ-2611-A/21/...'
      python -m trace verify "$URL" --json
    """
    verdict = verify_url(_db(), url, current_app.config["BASE_URL"])
    if as_json:
        _echo_json(verdict.to_json())
    else:
        click.echo(f"{verdict.verdict}: {verdict.reason}\n  {verdict.reason_en}")
        for label, value in (("product", verdict.product and verdict.product.name),
                             ("supplier", verdict.supplier and verdict.supplier.name),
                             ("gtin", verdict.gtin), ("lot", verdict.lot),
                             ("serial", verdict.serial)):
            if value:
                click.echo(f"  {label + ':':<10}{value}")
    ctx.exit(0 if verdict.is_genuine else 1)


@cli.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only seed a database with no products.")
def seed_demo(if_empty: bool):
    """Add demo suppliers, products, batches and 20 codes each; print URLs to try.

    \b
    Example:
      python -m trace keys new --if-missing && python -m trace seed-demo
    """
    db = _db()
    has_products = db.execute("SELECT count(*) FROM products").fetchone()[0] > 0
    if not (if_empty and has_products):
        added = demo.seed_demo(db, keys.load_signer(db, *_keys_args()))
        click.echo(f"Demo data: {added} batch(es) added." if added
                   else "Demo data already present.")
    urls = demo.try_urls(db, current_app.config["BASE_URL"])
    labels = ["genuine", "genuine", "forged"]
    if urls:
        click.echo("Try these:")
    for label, url in zip(labels, urls):
        click.echo(f"  {label:<8} {url}")


codes_group.add_command(codes_qr)
cli.add_command(labels_group)


def main() -> None:
    cli.main(prog_name="python -m trace")
