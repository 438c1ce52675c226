"""Suppliers, products, batches and items: who made what, in which lot.

Every function validates what it is given and raises ``InvalidInput``,
``NotFound`` or ``Conflict`` with a message a supplier can act on::

    supplier = add_supplier(db, "诸暨市山下湖珍珠有限公司", "91330681MA2D7XKQ0T")
    add_product(db, supplier, "09521234000013", "淡水珍珠项链")
    batch = new_batch(db, "09521234000013", "ZJ2405", produced_on="2026-05-01")

One module a part (``text``, ``records``, ``suppliers``, ``products``,
``batches``), each importing only those before it; the package is read as one
(``catalog.get_batch``), so callers need not know which part holds what.
"""

from .batches import (EARLIEST_PRODUCTION, LOT_RE, MAX_BATCH_QUANTITY, approved_batches,
                      cancellation, described_batch, find_item, find_items_by_serial, find_lot,
                      get_batch, get_batch_by_id, issued_count, list_batches, new_batch,
                      normalise_lot, owned_batch, require_not_cancelled, unregistered_batch)
from .products import (CATEGORY_EXAMPLES, FOOD_WORDS, MAX_SHELF_LIFE_DAYS,
                       MAX_SHELF_LIFE_MONTHS, add_product, described_product, find_products,
                       get_product, list_products, looks_like_food, names_food,
                       names_textile, normalise_gtin, owned_product, printed_gtin,
                       TEXTILE_WORDS, textile_safety_class)
from .records import Batch, Product, Supplier
from .suppliers import (LOOK_ALIKE, Contact, add_supplier, approve_supplier, find_supplier,
                        list_suppliers, look_alikes, reinstate_supplier, reject_supplier,
                        rejection_reason, require_approved, require_not_suspended, set_contact,
                        sign_up_problems, standing_history, supplier_of, suppliers_named,
                        suspend_supplier)
from .text import clean_text, required_text

__all__ = [
    "EARLIEST_PRODUCTION", "LOT_RE", "MAX_BATCH_QUANTITY", "approved_batches", "cancellation",
    "described_batch", "find_item", "find_items_by_serial", "find_lot", "get_batch",
    "get_batch_by_id",
    "issued_count", "list_batches", "new_batch", "normalise_lot", "owned_batch",
    "require_not_cancelled", "unregistered_batch",
    "CATEGORY_EXAMPLES", "FOOD_WORDS", "MAX_SHELF_LIFE_DAYS", "MAX_SHELF_LIFE_MONTHS",
    "add_product",
    "described_product", "find_products", "get_product", "list_products", "looks_like_food",
    "names_food", "names_textile", "TEXTILE_WORDS",
    "textile_safety_class", "normalise_gtin", "owned_product", "printed_gtin",
    "Batch", "Product", "Supplier",
    "LOOK_ALIKE", "Contact", "add_supplier", "approve_supplier", "find_supplier",
    "list_suppliers", "look_alikes", "reinstate_supplier", "reject_supplier",
    "rejection_reason", "require_approved", "require_not_suspended", "set_contact",
    "sign_up_problems", "standing_history", "supplier_of", "suppliers_named",
    "suspend_supplier",
    "clean_text", "required_text",
]
