"""A product's photo: a large JPEG named by its hash, and a square one for the page."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image, ImageDraw

from trace import images, product_photos

from test_reports import jpeg_with_gps


def camera_photo(width: int = 4000, height: int = 3000) -> bytes:
    """A phone photo's size and some of its detail: a necklace on a cloth."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for n in range(24):
        x, y = width // 8 + n * width // 32, height // 3 + (n - 12) ** 2 * height // 400
        draw.ellipse((x, y, x + width // 40, y + width // 40), fill=(240, 236, 228))
    grain = Image.effect_noise((width // 4, height // 4), 12).convert("RGB").resize((width, height))
    out = io.BytesIO()
    Image.blend(image, grain, 0.15).save(out, "JPEG", quality=90)
    return out.getvalue()


def test_a_photo_is_kept_large_and_as_a_light_square_for_the_page(db):
    sha = product_photos.store_photo(db, camera_photo())
    large = product_photos.picture(db, sha, "large")
    thumb = product_photos.picture(db, sha, "thumb")
    assert sha == hashlib.sha256(large).hexdigest()
    assert Image.open(io.BytesIO(large)).size == (1600, 1200)
    square = Image.open(io.BytesIO(thumb))
    assert square.format == "JPEG" and square.size == (360, 360)
    assert len(thumb) < 25_000, len(thumb)  # the verify page's budget is 40 KB in all


def plain_photo(colour, size=(1200, 800)) -> bytes:
    out = io.BytesIO()
    picture = Image.new("RGB", size, colour)
    middle_x, middle_y = size[0] // 2, size[1] // 2  # a pearl in the middle
    ImageDraw.Draw(picture).ellipse((middle_x - 100, middle_y - 100, middle_x + 100,
                                     middle_y + 100), fill=(240, 236, 228))
    picture.save(out, "JPEG", quality=90)
    return out.getvalue()


@pytest.mark.parametrize("colour, size, band_at", [
    ((38, 40, 58), (1200, 800), (180, 5)),     # a dark cloth, landscape: above and below
    ((250, 250, 250), (1200, 800), (180, 5)),  # a white table
    ((38, 40, 58), (800, 1200), (5, 180)),     # portrait: beside it
])
def test_the_squares_spare_room_takes_the_pictures_edge_colour(db, colour, size, band_at):
    """A dark photo letterboxed in white read as a picture in a box."""
    sha = product_photos.store_photo(db, plain_photo(colour, size))
    square = Image.open(io.BytesIO(product_photos.picture(db, sha, "thumb")))
    assert square.getpixel(band_at) == pytest.approx(colour, abs=10)
    assert square.getpixel((180, 180)) == pytest.approx((240, 236, 228), abs=12)  # whole


def test_the_same_photo_twice_is_one_row_and_metadata_never_stays(db):
    first = product_photos.store_photo(db, jpeg_with_gps())
    assert product_photos.store_photo(db, jpeg_with_gps()) == first
    assert db.execute("SELECT count(*) FROM product_photos").fetchone()[0] == 1
    assert b"SecretPhone" not in product_photos.picture(db, first, "large")


def test_an_unknown_photo_or_size_is_nothing(db):
    assert product_photos.picture(db, "0" * 64, "thumb") is None
    with pytest.raises(ValueError):
        product_photos.picture(db, "0" * 64, "thumb; DROP TABLE products")


def busy_photo() -> bytes:
    """Loose pearls on woven cloth, as far as detail goes: coloured texture that
    survives the shrinking (its square is 45 KB at the first quality tried)."""
    weave = Image.merge("RGB", [Image.effect_noise((300, 225), 100).resize(
        (4000, 3000), Image.NEAREST) for _ in range(3)])
    out = io.BytesIO()
    weave.save(out, "JPEG", quality=92)
    return out.getvalue()


def test_a_busy_photos_square_still_fits_the_pages_budget(db):
    image, _ = images.upright(busy_photo(), largest_side=product_photos.THUMB_SIDE)
    first_try = images.jpeg(image, largest_side=product_photos.THUMB_SIDE,
                            quality=product_photos.THUMB_QUALITIES[0])
    assert len(first_try) > 2 * product_photos.THUMB_MAX_BYTES  # the case the loop is for
    sha = product_photos.store_photo(db, busy_photo())
    thumb, large = (product_photos.picture(db, sha, size) for size in ("thumb", "large"))
    assert len(thumb) <= product_photos.THUMB_MAX_BYTES
    assert len(large) <= product_photos.LARGE_MAX_BYTES  # 740 KB at the first step
    assert Image.open(io.BytesIO(large)).width < product_photos.LARGE_SIDE
    assert Image.open(io.BytesIO(thumb)).size == (360, 360)


def test_a_photo_no_product_shows_is_forgotten(db, make_batch):
    from trace import catalog
    make_batch()
    shown = product_photos.store_photo(db, camera_photo(800, 600))
    db.execute("UPDATE products SET photo = ?", [shown])
    dropped = product_photos.store_photo(db, jpeg_with_gps())
    assert product_photos.forget_unused(db) == 1
    assert product_photos.picture(db, dropped, "large") is None
    assert product_photos.picture(db, shown, "large") and catalog.get_product(
        db, "09521234000013").photo == shown
