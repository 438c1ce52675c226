"""Pictures decoded within limits, turned upright, written again without metadata."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from trace import images
from trace.errors import InvalidInput

from test_reports import jpeg_with_gps, png_with_text


def test_a_phone_photo_is_turned_upright_and_scaled():
    image, kind = images.upright(jpeg_with_gps(), largest_side=32)
    assert kind == "JPEG" and image.size == (24, 32)  # rotated by its EXIF, then scaled


def test_a_small_jpeg_flattens_transparency_onto_white_and_keeps_no_text():
    image, kind = images.upright(png_with_text(), largest_side=100)
    data = images.jpeg(image, largest_side=10, quality=80)
    small = Image.open(io.BytesIO(data))
    assert (kind, small.format, small.mode, small.size) == ("PNG", "JPEG", "RGB", (10, 5))
    red, green, blue = small.getpixel((5, 2))
    assert blue > 200 and red > 100 and green > 100  # half-transparent blue on white
    assert b"home address" not in data


@pytest.mark.parametrize("data", [b"", b"%PDF-1.4 not a picture", b"GIF89a" + bytes(64)])
def test_anything_but_a_jpeg_or_png_is_refused_in_plain_words(data):
    with pytest.raises(InvalidInput) as refused:
        images.upright(data, largest_side=100)
    assert "JPG 或 PNG" in refused.value.message_zh
