"""``supplier`` and ``product``: who makes what (batches are ``batches``).

    python -m trace supplier add --name 诸暨市山下湖明珠珍珠有限公司 --credit-code 91330681MA2D7XKQ0T
    python -m trace product add --supplier 1 --gtin 09521234000013 --name 淡水珍珠项链
"""

from __future__ import annotations

import os

import click
from flask.cli import AppGroup

from .. import catalog, corrections
from .common import database, echo_list


@click.group(cls=AppGroup, name="supplier")
def supplier_group():
    """Suppliers (供货商).

    \b
    Example:
      python -m trace supplier add --name 诸暨市某珍珠有限公司 --credit-code 91330681MA2D7XKQ0T
    """


def _contact_options(command):
    """--phone, --address and --contact, as on the web sign-up form."""
    command = click.option("--contact", "contact_name",
                           help="Whom the operator asks (not shown to buyers).")(command)
    command = click.option("--address", help="Address buyers see.")(command)
    return click.option("--phone", help="客服电话 buyers call about a recall or a failed "
                        "test, e.g. 0575-8712 3456.")(command)


@supplier_group.command("add")
@click.option("--name", required=True, help="Registered company name.")
@click.option("--credit-code", required=True, help="统一社会信用代码 (18 characters).")
@_contact_options
def supplier_add(name: str, credit_code: str, phone: str | None, address: str | None,
                 contact_name: str | None):
    """Register a supplier; the 统一社会信用代码 check character is verified.

    \b
    Example:
      python -m trace supplier add --name 诸暨市某珍珠有限公司 --credit-code 91330681MA2D7XKQ0T \\
        --phone "0575-8712 3456" --address 浙江省诸暨市山下湖镇 --contact 陈经理
    """
    supplier = catalog.add_supplier(database(), name, credit_code,
                                    contact=catalog.Contact.typed(phone, address, contact_name))
    click.echo(f"Supplier {supplier.id}: {supplier.name} ({supplier.credit_code})")
    if not supplier.phone:
        click.echo("Buyers see no phone number for it yet: add one with "
                   f"`python -m trace supplier contact {supplier.id} --phone ...`.")


@supplier_group.command("contact")
@click.argument("supplier_ref")
@_contact_options
def supplier_contact(supplier_ref: str, phone: str | None, address: str | None,
                     contact_name: str | None):
    """Set how buyers reach a supplier (by id or credit code); options left out keep
    their value.

    \b
    Example:
      python -m trace supplier contact 1 --phone 400-820-8820
    """
    db = database()
    supplier = catalog.find_supplier(db, supplier_ref)
    given = catalog.Contact.typed(phone, address, contact_name)
    supplier = catalog.set_contact(db, supplier, catalog.Contact(
        given.phone or supplier.phone, given.address or supplier.address,
        given.contact_name or supplier.contact_name),
        actor=f"cli:{os.environ.get('USER', 'operator')}")
    click.echo(f"Supplier {supplier.id}: {supplier.name}\n  phone: {supplier.phone or '—'}"
               f"\n  address: {supplier.address or '—'}\n  contact: {supplier.contact_name or '—'}")


@supplier_group.command("suspend")
@click.argument("supplier_ref")
@click.option("--reason", required=True, help="Why: its buyers, rooms and staff read it.")
@click.option("--reinstate", is_flag=True, help="Lift the suspension instead.")
def supplier_suspend(supplier_ref: str, reason: str, reinstate: bool):
    """Suspend an approved supplier (no new codes, labels, products or batches; its
    goods' pages warn buyers; rooms cannot select them), or --reinstate it.

    \b
    Example:
      python -m trace supplier suspend 1 --reason "营业执照已被吊销"
    """
    db = database()
    supplier = catalog.find_supplier(db, supplier_ref)
    act = catalog.reinstate_supplier if reinstate else catalog.suspend_supplier
    supplier = act(db, supplier.id, reason, actor="cli")
    click.echo(f"Supplier {supplier.id}: {supplier.name} "
               + ("reinstated" if reinstate else f"suspended ({supplier.suspended_reason})"))


@supplier_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def supplier_list(as_json: bool):
    """List the suppliers.

    \b
    Example:
      python -m trace supplier list --json
    """
    rows = catalog.list_suppliers(database())
    echo_list(rows, as_json, "No suppliers yet.",
              lambda row: f"{row['id']:>4}  {row['credit_code']}  {row['name']}"
              + (f"  {row['phone']}" if row["phone"] else "")
              + (f"  SUSPENDED: {row['suspended_reason']}" if row["suspended_at"] else ""))


@click.group(cls=AppGroup, name="product")
def product_group():
    """Products, identified by GTIN-14.

    \b
    Example:
      python -m trace product add --supplier 1 --gtin 09521234000013 --name 淡水珍珠项链
    """


def _product_details(command):
    """The options describing a product, for add and edit."""
    for option in reversed((
            click.option("--name-en", help="Product name in English."),
            click.option("--spec", "specification", help="Specification, e.g. '珠径 8–9 mm'."),
            click.option("--category", help="Category, e.g. 珍珠饰品, 茶叶, 鲜果, 家纺."),
            click.option("--origin", help="Place of origin (产地)."),
            click.option("--standard", help="Executed standard, e.g. 'GB/T 18781-2023'."),
            click.option("--shelf-life-days", type=int, help="Shelf life (保质期) in days; a "
                         "batch's expiry date is its production date plus this."),
            click.option("--shelf-life-months", type=int, help="Shelf life in months, as "
                         "labels print 保质期18个月: expiry is that many calendar months on."),
            click.option("--storage", help="Storage conditions (贮存条件), e.g. '密封、避光、冷藏'."),
            click.option("--licence", "licence_no",
                         help="Production licence number, e.g. an SC number."),
            click.option("--fibre", "fibre_content",
                         help="A textile's fibre content (纤维含量), e.g. '面料 100%棉'."),
            click.option("--care", help="How to wash and keep a textile (洗涤和保养), e.g. "
                         "'30℃以下机洗，不可漂白，低温熨烫'."),
            click.option("--spec-en", "specification_en", help="Specification in English."),
            click.option("--category-en", "category_en", help="Category in English."),
            click.option("--origin-en", "origin_en", help="Place of origin in English."),
            click.option("--storage-en", "storage_en", help="Storage conditions in English."),
            click.option("--care-en", "care_en", help="Care instructions in English."),
            click.option("--fibre-en", "fibre_content_en", help="Fibre content in English."))):
        command = option(command)
    return command


@product_group.command("add")
@click.option("--supplier", required=True, help="Supplier id or 统一社会信用代码.")
@click.option("--gtin", required=True, help="14 digits with a valid check digit.")
@click.option("--name", required=True, help="Product name in Chinese.")
@_product_details
def product_add(supplier: str, gtin: str, name: str, **details):
    """Register a product of a supplier.

    \b
    Example:
      python -m trace product add --supplier 1 --gtin 09521234000013 \\
          --name 淡水珍珠项链 --spec '珠径 8–9 mm' --standard 'GB/T 18781-2023'
    """
    db = database()
    product = catalog.add_product(db, catalog.find_supplier(db, supplier), gtin, name,
                                  **details)
    click.echo(f"Product {product.gtin}: {product.name}")


@product_group.command("edit")
@click.option("--gtin", required=True, help="The product's GTIN (it cannot change).")
@click.option("--name", help="Product name in Chinese.")
@_product_details
@click.option("--reason", help="Why, shown to buyers: needed once the product has a batch.")
@click.option("--by", default=lambda: f"cli:{os.environ.get('USER', 'supplier')}",
              show_default="cli:$USER", help="Who corrected it, for the record.")
def product_edit(gtin: str, reason: str | None, by: str, **given):
    """Correct a product's details; only the options given change ('' clears one).
    Once the product has a batch, each change is kept with its reason, logged in
    the ledger and shown to buyers beside the product.

    \b
    Example:
      python -m trace product edit --gtin 09521234000013 --spec '珠径 7–8 mm' \\
          --reason 规格录入错误
    """
    db = database()
    owner = catalog.supplier_of(db, catalog.get_product(db, gtin))
    product, changed = corrections.edit_product(
        db, owner, gtin, actor=by, reason=reason,
        **{name: value for name, value in given.items() if value is not None})
    click.echo(f"Product {product.gtin}: {changed} field(s) changed" if changed else
               f"Product {product.gtin}: nothing changed")


@product_group.command("delete")
@click.option("--gtin", required=True, help="The product's GTIN.")
def product_delete(gtin: str):
    """Delete a product registered by mistake: only one with no batch.

    \b
    Example:
      python -m trace product delete --gtin 09521234000020
    """
    db = database()
    product = catalog.get_product(db, gtin)
    corrections.delete_product(db, catalog.supplier_of(db, product), product.gtin)
    click.echo(f"Deleted product {product.gtin}: {product.name}")


@product_group.command("list")
@click.option("--supplier", help="Only this supplier's (id or 统一社会信用代码).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def product_list(supplier: str | None, as_json: bool):
    """List the products.

    \b
    Example:
      python -m trace product list --supplier 91330681MA2D7XKQ0T
    """
    db = database()
    rows = catalog.list_products(db, catalog.find_supplier(db, supplier) if supplier else None)
    echo_list(rows, as_json, "No products yet.",
              lambda row: f"{row['gtin']}  {row['name']}  ({row['supplier']})")


COMMANDS = [supplier_group, product_group]
