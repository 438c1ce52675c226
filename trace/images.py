"""Pictures people send: a buyer's photo of a suspected fake, a supplier's photo of
its product. Phones send 3-8 MB, up to 50 megapixels, with the camera's EXIF (GPS
position, phone model): every picture is decoded within limits, turned upright, and
written again from its pixels alone, so nothing but the picture is kept::

    image, kind = upright(data, largest_side=2560)     # PIL image, "JPEG" or "PNG"
    stripped(image, kind)                              # bytes, no metadata
    jpeg(image, largest_side=480, quality=72)          # a small JPEG for a page
    flattened(image, largest_side=480)                 # the same picture, to draw on
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import InvalidInput

MAX_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 64_000_000          # a small file may still decode to gigabytes
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}


def upright(data: bytes, *, largest_side: int) -> tuple[Image.Image, str]:
    """The picture in ``data`` turned upright and no larger than ``largest_side`` a
    side, with its format; ``InvalidInput`` for anything but a JPEG or PNG within
    the limits."""
    if len(data) > MAX_BYTES:
        raise InvalidInput("the photo is larger than 15 MB", message_zh="照片不能超过 15 MB")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data))
            kind = opened.format
            if kind not in FORMATS:
                raise UnidentifiedImageError(kind)
            if opened.width * opened.height > MAX_PIXELS:
                raise Image.DecompressionBombError("too many pixels")
            opened.draft("RGB", (largest_side, largest_side))  # JPEG: decode scaled down
            image = ImageOps.exif_transpose(opened)  # keep it upright without its EXIF
            image.load()
            image.thumbnail((largest_side, largest_side))
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise InvalidInput("the photo has more than 64 megapixels; send a smaller one",
                           message_zh="照片像素过多（超过 6400 万像素），请换一张小一些的") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise InvalidInput("the photo must be a JPEG or PNG picture (a phone camera's photo "
                           "from the album)",
                           message_zh="请选一张手机相册里的普通照片（JPG 或 PNG 格式）") from None
    return image, str(kind)


def stripped(image: Image.Image, kind: str) -> bytes:
    """``image`` written again in its own format from its pixels alone."""
    mode = "RGB" if kind == "JPEG" or image.mode not in ("RGB", "RGBA", "L", "LA") else image.mode
    if image.mode == "P" and "transparency" in image.info:
        mode = "RGBA"
    pixels = image.convert(mode)
    bare = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())  # no info, no EXIF
    out = io.BytesIO()
    bare.save(out, kind, **({"quality": 85} if kind == "JPEG" else {"optimize": True}))
    return out.getvalue()


def flattened(image: Image.Image, *, largest_side: int) -> Image.Image:
    """``image`` no larger than ``largest_side``, in RGB, transparency on white."""
    smaller = image.copy()
    smaller.thumbnail((largest_side, largest_side))
    if smaller.mode in ("RGBA", "LA", "P"):
        rgba = smaller.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        smaller = flat
    return smaller.convert("RGB")


def jpeg(image: Image.Image, *, largest_side: int, quality: int) -> bytes:
    """A JPEG of ``image`` as :func:`flattened` gives it: what a page shows, small
    enough for a phone on a slow network."""
    out = io.BytesIO()
    flattened(image, largest_side=largest_side).save(out, "JPEG", quality=quality,
                                                     optimize=True, progressive=True)
    return out.getvalue()
