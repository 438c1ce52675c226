"""A supplier's photo of its product, shown beside the product's details so a buyer
can compare it with what is in their hand (as jewellery labs show the item on a
certificate). Each photo is kept as a large JPEG, named by its SHA-256, and a small
square one for a phone's page, the picture whole on white (a fixed size, so the
page does not jump when it arrives)::

    sha = store_photo(db, camera_bytes)     # then the product's ``photo`` field
    picture(db, sha, "thumb")               # JPEG bytes, or None
    forget_unused(db)                       # after a photo is replaced or taken off
"""

from __future__ import annotations

import hashlib
import io

import sqlite_utils
from PIL import Image

from . import images
from .db import utc_now

LARGE_SIDE, LARGE_QUALITY = 1600, 82   # enough to see a clasp or a label's print
THUMB_SIDE = 360
# The verify page is 12 KB and its budget 40 KB: a busy photo (pearls on woven
# cloth) made a 35 KB square at one fixed quality, so the quality gives way.
THUMB_MAX_BYTES = 20_000
THUMB_QUALITIES = (75, 65, 55, 45, 35, 25)
SIZES = ("large", "thumb")


def store_photo(db: sqlite_utils.Database, data: bytes) -> str:
    """Keep the picture in ``data`` (a JPEG or PNG as phones send them); its name.
    ``InvalidInput`` for anything else, as ``images.upright`` says."""
    image, _kind = images.upright(data, largest_side=LARGE_SIDE)
    large = images.jpeg(image, largest_side=LARGE_SIDE, quality=LARGE_QUALITY)
    sha256 = hashlib.sha256(large).hexdigest()
    db.execute("INSERT OR IGNORE INTO product_photos (sha256, large, thumb, created_at) "
               "VALUES (?, ?, ?, ?)", [sha256, large, _square(image), utc_now()])
    return sha256


def _square(image: Image.Image) -> bytes:
    small = Image.open(io.BytesIO(images.jpeg(image, largest_side=THUMB_SIDE, quality=95)))
    square = Image.new("RGB", (THUMB_SIDE, THUMB_SIDE), "white")
    square.paste(small, ((THUMB_SIDE - small.width) // 2, (THUMB_SIDE - small.height) // 2))
    for quality in THUMB_QUALITIES:
        thumb = images.jpeg(square, largest_side=THUMB_SIDE, quality=quality)
        if len(thumb) <= THUMB_MAX_BYTES:
            break
    return thumb


def forget_unused(db: sqlite_utils.Database) -> int:
    """Delete the photos no product shows any more (replaced, taken off, or of a
    deleted product): a supplier who takes a photo down takes it offline. A
    correction's ledger leaf keeps the hash, not the picture."""
    return db.execute("DELETE FROM product_photos WHERE sha256 NOT IN "
                      "(SELECT photo FROM products WHERE photo IS NOT NULL)").rowcount


def picture(db: sqlite_utils.Database, sha256: str, size: str) -> bytes | None:
    """A stored photo's JPEG, ``large`` or ``thumb``."""
    if size not in SIZES:
        raise ValueError(f"size is one of {SIZES}")
    row = db.execute(f"SELECT {size} FROM product_photos WHERE sha256 = ?",
                     [sha256]).fetchone()
    return row[0] if row else None
