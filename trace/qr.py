"""QR symbols for our codes: the module matrix and its vector forms (PDF, SVG, PNG).

zxing-cpp makes the matrix (error correction M, minimal mixed-mode segments):
measured here at 0.8 ms a code against 13 ms for the ``qrcode`` package, which
spends most of its time choosing a mask. Dark modules become runs, so a label
draws ~750 row runs in one filled path instead of ~1,400 squares::

    symbol = make_symbol(url)          # symbol.size == 49 for a typical code (version 8)
    svg = to_svg(symbol)               # inline in a page
    ops = pdf_operators(symbol, x, y, module)   # canvas.addLiteral(ops)
    body = path_body(symbol)           # made in a worker, placed later with place()
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import zxingcpp

QUIET_ZONE = 4  # modules on every side (ISO/IEC 18004); zxing-cpp adds exactly this
_DARK_RUN = re.compile(rb"\x00+")
_SPAN = re.Match.span
# "x y w 1 re" for a run, keyed by (image width, span): the same few thousand runs
# recur across codes, and formatting them dominated the time per label.
_RUN_OPERATORS: dict[int, dict[tuple[int, int], str]] = {}


@dataclass(frozen=True)
class Symbol:
    """A QR symbol with its quiet zone: ``width`` x ``width`` modules, 0 = dark."""

    text: str
    width: int
    pixels: bytes

    @property
    def size(self) -> int:
        """Modules across the symbol itself, without the quiet zone."""
        return self.width - 2 * QUIET_ZONE

    @property
    def version(self) -> int:
        return (self.size - 17) // 4

    @property
    def runs(self) -> list[tuple[int, int]]:
        """Dark runs as (start, end) offsets into ``pixels``; the light quiet zone
        keeps every run inside one row."""
        return [m.span() for m in _DARK_RUN.finditer(self.pixels)]

    @property
    def rects(self) -> list[tuple[int, int, int, int]]:
        """Dark runs as (x, y, width, 1) in modules, quiet zone included."""
        w = self.width
        return [(start % w, start // w, end - start, 1) for start, end in self.runs]


def make_symbol(text: str) -> Symbol:
    """Encode ``text`` as a QR code at error correction level M."""
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image: Any = barcode.to_image(scale=1, add_quiet_zones=True)  # a buffer, untyped
    view = memoryview(image)
    pixels = bytes(view)
    width = view.shape[1] if view.shape else 0
    if pixels.index(0) != QUIET_ZONE * (width + 1):  # the finder pattern's corner
        raise RuntimeError("unexpected quiet zone from the QR encoder")
    return Symbol(text, width, pixels)


@dataclass(frozen=True)
class PathBody:
    """A symbol's dark runs as PDF path operators in module units, position-free:
    cheap to send between processes, placed on a page by :func:`place`."""

    width: int
    operators: str

    @property
    def version(self) -> int:
        return (self.width - 2 * QUIET_ZONE - 17) // 4


def path_body(symbol: Symbol) -> PathBody:
    table = _RUN_OPERATORS.setdefault(symbol.width, {})
    width = symbol.width

    def new(span: tuple[int, int]) -> str:
        start, end = span
        table[span] = operator = f"{start % width} {start // width} {end - start} 1 re"
        return operator

    get = table.get
    runs = [get(span) or new(span) for span in map(_SPAN, _DARK_RUN.finditer(symbol.pixels))]
    return PathBody(symbol.width, "\n".join(runs))


def place(body: PathBody, x: float, y_top: float, module: float) -> str:
    """Operators drawing ``body`` with its quiet zone's top-left corner at (x, y_top)
    points and ``module`` points a module, as one filled path."""
    return (f"q 0 g {module:.5f} 0 0 {-module:.5f} {x:.4f} {y_top:.4f} cm\n"
            f"{body.operators}\nf Q")


def pdf_operators(symbol: Symbol, x: float, y_top: float, module: float) -> str:
    return place(path_body(symbol), x, y_top, module)


def svg_for(text: str, module_px: int = 8) -> str:
    """The SVG of the QR code for ``text``, ready to inline in a page."""
    return to_svg(make_symbol(text), module_px, title=text)


def to_svg(symbol: Symbol, module_px: int = 8, *, title: str | None = None) -> str:
    """A standalone SVG (white background, quiet zone included), one path."""
    total = symbol.width
    path = "".join(f"M{x} {y}h{w}v{h}h-{w}z" for x, y, w, h in symbol.rects)
    label = f"<title>{_xml_escape(title)}</title>" if title else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {total} {total}" '
            f'width="{total * module_px}" height="{total * module_px}" '
            f'shape-rendering="crispEdges" role="img">{label}'
            f'<rect width="{total}" height="{total}" fill="#fff"/>'
            f'<path d="{path}" fill="#000"/></svg>')


def to_png(symbol: Symbol, module_px: int = 10) -> bytes:
    """PNG bytes, quiet zone included, ``module_px`` pixels a module."""
    import io

    from PIL import Image

    image = Image.frombytes("L", (symbol.width, symbol.width), symbol.pixels)
    framed = image.resize((symbol.width * module_px,) * 2, Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    framed.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _xml_escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))
