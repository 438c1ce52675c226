"""A supplier's photo of its product, shown beside the product's details so a buyer
can compare it with what is in their hand (as jewellery labs show the item on a
certificate). Each photo is kept as a large JPEG, named by its SHA-256, and a small
square one for a phone's page, the picture whole, the square's spare room in the
colour of the picture's own edge (a fixed size, so the page does not jump when it
arrives)::

    sha = store_photo(db, camera_bytes)     # then the product's ``photo`` field
    picture(db, sha, "thumb")               # JPEG bytes, or None
    forget_unused(db)                       # after a photo is replaced or taken off
"""

from __future__ import annotations

import hashlib

import sqlite_utils
from PIL import Image, ImageStat

from . import images
from .db import utc_now

LARGE_SIDE = 1600   # enough to see a clasp or a label's print
# Tapped open on mobile data: a busy photo made 740 KB at 1,600 px; the large one
# gives up quality, then size, until it is at most LARGE_MAX_BYTES.
LARGE_MAX_BYTES = 300_000
LARGE_STEPS = ((1600, 82), (1600, 70), (1280, 70), (1024, 70), (800, 70))
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
    large = _within(image, LARGE_STEPS, LARGE_MAX_BYTES)
    sha256 = hashlib.sha256(large).hexdigest()
    db.execute("INSERT OR IGNORE INTO product_photos (sha256, large, thumb, created_at) "
               "VALUES (?, ?, ?, ?)", [sha256, large, _square(image), utc_now()])
    return sha256


def _square(image: Image.Image) -> bytes:
    small = images.flattened(image, largest_side=THUMB_SIDE)
    square = Image.new("RGB", (THUMB_SIDE, THUMB_SIDE), _edge_colour(small))
    square.paste(small, ((THUMB_SIDE - small.width) // 2, (THUMB_SIDE - small.height) // 2))
    return _within(square, [(THUMB_SIDE, quality) for quality in THUMB_QUALITIES],
                   THUMB_MAX_BYTES)


def _edge_colour(image: Image.Image) -> tuple[int, ...]:
    """The mean colour of the two edges the square's spare room meets (top and
    bottom of a landscape picture, sides of a portrait one): a dark photo on white
    bands read as a picture in a box."""
    width, height = image.size
    if width >= height:
        edges = [image.crop((0, 0, width, 2)), image.crop((0, height - 2, width, height))]
    else:
        edges = [image.crop((0, 0, 2, height)), image.crop((width - 2, 0, width, height))]
    means = [ImageStat.Stat(edge.convert("RGB")).mean for edge in edges]
    return tuple(round(sum(channel) / len(means)) for channel in zip(*means))


def _within(image: Image.Image, steps, most: int) -> bytes:
    """The first JPEG along ``steps`` (side, quality) of at most ``most`` bytes, or
    the last step's."""
    for side, quality in steps:
        written = images.jpeg(image, largest_side=side, quality=quality)
        if len(written) <= most:
            break
    return written


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
