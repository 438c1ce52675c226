"""Label stocks: page, grid, label, QR box and text boxes, as TOML files in labels/.

A supplier adds a stock by dropping ``labels/NAME.toml`` beside the shipped ones;
a broken file is refused with an error naming the file and the field::

    stock = load_stock("a4-3x8", "labels/")
    stock.labels_per_page      # 24
    list_stocks("labels/")     # ['a4-3x8', 'a4-4x10', ...]
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InvalidInput, NotFound

PT_PER_MM = 72 / 25.4
LINE_HEIGHT = 1.2  # line pitch as a multiple of the font size
EDGE_MM = 1.0      # text keeps this far from every label edge (cutting tolerance)
MIN_CJK_PT = 5.0   # default legibility floors; a stock may only raise them
MIN_LATIN_PT = 4.5
_CJK = re.compile("[\u2e80-\u9fff\uff00-\uffef]")
FIELDS = ("product", "lot", "serial", "gtin", "domain", "pin", "spec", "standard", "fibre",
          "care", "maker", "produced")
# What a product may lack (a box of only these, empty, is not printed): a textile's
# hang tag gives its 规格, 执行标准, 纤维含量, care and maker (GB/T 5296.4), a tea
# sticker has no room for them; a carton's label gives the batch's 生产日期.
OPTIONAL_FIELDS = ("spec", "standard", "fibre", "care", "maker", "produced")
_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")


@dataclass(frozen=True)
class TextBox:
    """One block of text: a template such as ``批次号 {lot}``, fitted into a box."""

    template: str
    x_mm: float
    y_mm: float          # top of the box, from the label's top edge
    width_mm: float
    size_pt: float
    min_size_pt: float
    max_lines: int = 1
    align: str = "left"
    scratch_off: bool = False   # framed: where the scratch-off sticker goes (the PIN)

    @property
    def height_mm(self) -> float:
        return self.max_lines * self.size_pt * LINE_HEIGHT / PT_PER_MM

    @functools.cached_property
    def optional(self) -> tuple[str, ...]:
        """The optional fields the box prints (found once: a box fills every label)."""
        return tuple(name for name in OPTIONAL_FIELDS if f"{{{name}}}" in self.template)

    def filled(self, values: dict[str, str]) -> str | None:
        """The box's text for one label, or None for a box of optional fields all
        empty (``执行标准 {standard}`` for a product with none)."""
        if self.optional and not any(values.get(name) for name in self.optional):
            return None
        return self.template.format(**values)


@dataclass(frozen=True)
class Stock:
    name: str
    description: str
    page_w_mm: float
    page_h_mm: float
    columns: int
    rows: int
    margin_left_mm: float
    margin_top_mm: float
    gap_x_mm: float
    gap_y_mm: float
    label_w_mm: float
    label_h_mm: float
    qr_x_mm: float
    qr_y_mm: float
    qr_size_mm: float
    min_module_mm: float
    dpi: int | None
    texts: tuple[TextBox, ...]
    min_cjk_pt: float = MIN_CJK_PT
    min_latin_pt: float = MIN_LATIN_PT
    gap_mm: float | None = None     # [printer] gap between labels on a roll (TSPL/ZPL)
    description_zh: str = ""        # what a supplier reads in the workspace
    goods: tuple[str, ...] = ()     # words of the goods it is made for; () for any

    @property
    def prints_pin(self) -> bool:
        return any("{pin}" in box.template for box in self.texts)

    def suits(self, *names: str | None) -> bool:
        """Whether the stock is for goods named so (a product's name, its category):
        a pearl hang tag was offered for boxes of huyou."""
        folded = [unicodedata.normalize("NFKC", name).upper() for name in names if name]
        return not self.goods or any(word in name for word in self.goods for name in folded)

    @property
    def labels_per_page(self) -> int:
        return self.columns * self.rows

    def label_origin_mm(self, position: int) -> tuple[float, float]:
        """Top-left corner of label ``position`` (0-based, row by row) on its page."""
        row, column = divmod(position, self.columns)
        return (self.margin_left_mm + column * (self.label_w_mm + self.gap_x_mm),
                self.margin_top_mm + row * (self.label_h_mm + self.gap_y_mm))


class _Reader:
    """Typed access to a parsed TOML table that names the field in every error."""

    def __init__(self, source: str, data: dict):
        self.source, self.data = source, data

    def fail(self, field: str, problem: str) -> InvalidInput:
        return InvalidInput(f"{self.source}: {field} {problem}")

    def get(self, field: str, kind: type, default: Any = ..., *, minimum: float | None = 0,
            table: dict | None = None) -> Any:
        data = self.data if table is None else table
        key = field.rsplit(".", 1)[-1]
        if key not in data:
            if default is ...:
                raise self.fail(field, "is missing")
            return default
        value: Any = data[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            raise self.fail(field, f"must be a {kind.__name__}, got {value!r}")
        number: Any = value
        if minimum is not None and kind in (int, float) and number < minimum:
            raise self.fail(field, f"must be at least {minimum}, got {value}")
        return value

    def table(self, field: str) -> dict:
        value = self.data.get(field, {})
        if not isinstance(value, dict):
            raise self.fail(f"[{field}]", "must be a table")
        return value


def _read_text(reader: _Reader, index: int, table: Any) -> TextBox:
    where = f"text[{index}]"
    if not isinstance(table, dict):
        raise reader.fail(where, "must be a table ([[text]])")
    get = lambda name, kind, default=..., **kw: reader.get(  # noqa: E731
        f"{where}.{name}", kind, default, table=table, **kw)
    template = get("template", str)
    try:
        template.format(**{name: "" for name in FIELDS})
    except (KeyError, IndexError, ValueError) as error:
        raise reader.fail(f"{where}.template", f"uses an unknown field {error}; "
                          f"known: {', '.join(FIELDS)}") from None
    size = get("size_pt", float, minimum=3)
    box = TextBox(template=template, x_mm=get("x_mm", float), y_mm=get("y_mm", float),
                  width_mm=get("width_mm", float, minimum=1), size_pt=size,
                  min_size_pt=get("min_size_pt", float, size, minimum=3),
                  max_lines=get("max_lines", int, 1, minimum=1),
                  align=get("align", str, "left"),
                  scratch_off=get("scratch_off", bool, False, minimum=None))
    if box.align not in ("left", "center"):
        raise reader.fail(f"{where}.align", "must be 'left' or 'center'")
    if box.min_size_pt > box.size_pt:
        raise reader.fail(f"{where}.min_size_pt", "must not exceed size_pt")
    return box


def parse_stock(name: str, data: dict, source: str) -> Stock:
    reader = _Reader(source, data)
    tables = ("page", "grid", "label", "qr", "printer")
    page, grid, label, qr, printer = (reader.table(t) for t in tables)
    get = reader.get
    texts = data.get("text", [])
    if not isinstance(texts, list):
        raise reader.fail("[[text]]", "must be an array of tables")
    stock = Stock(
        name=name, description=get("description", str, ""),
        description_zh=get("description_zh", str, "") or get("description", str, ""),
        page_w_mm=get("page.width_mm", float, table=page, minimum=5),
        page_h_mm=get("page.height_mm", float, table=page, minimum=5),
        columns=get("grid.columns", int, 1, table=grid, minimum=1),
        rows=get("grid.rows", int, 1, table=grid, minimum=1),
        margin_left_mm=get("grid.margin_left_mm", float, 0.0, table=grid),
        margin_top_mm=get("grid.margin_top_mm", float, 0.0, table=grid),
        gap_x_mm=get("grid.gap_x_mm", float, 0.0, table=grid),
        gap_y_mm=get("grid.gap_y_mm", float, 0.0, table=grid),
        label_w_mm=get("label.width_mm", float, table=label, minimum=5),
        label_h_mm=get("label.height_mm", float, table=label, minimum=5),
        qr_x_mm=get("qr.x_mm", float, table=qr), qr_y_mm=get("qr.y_mm", float, table=qr),
        qr_size_mm=get("qr.size_mm", float, table=qr, minimum=5),
        min_module_mm=get("min_module_mm", float, 0.33, minimum=0.1),
        dpi=get("dpi", int, None, minimum=72),
        texts=tuple(_read_text(reader, i, t) for i, t in enumerate(texts)),
        min_cjk_pt=get("min_cjk_pt", float, MIN_CJK_PT, minimum=MIN_CJK_PT),
        min_latin_pt=get("min_latin_pt", float, MIN_LATIN_PT, minimum=MIN_LATIN_PT),
        gap_mm=get("printer.gap_mm", float, None, table=printer),
        goods=_goods(reader))
    check_geometry(stock, reader)
    check_legibility(stock, reader)
    return stock


def _goods(reader: _Reader) -> tuple[str, ...]:
    words = reader.get("goods", list, [])
    if not all(isinstance(word, str) and word.strip() for word in words):
        raise reader.fail("goods", f"must be a list of words, got {words!r}")
    return tuple(word.strip() for word in words)


def is_chinese(box: TextBox) -> bool:
    """The box prints Chinese: its own words, or the product name."""
    return bool(_CJK.search(box.template)) or "{product}" in box.template


def check_legibility(stock: Stock, reader: _Reader) -> None:
    """No text box may shrink below the stock's floor for its script."""
    for index, box in enumerate(stock.texts):
        floor = stock.min_cjk_pt if is_chinese(box) else stock.min_latin_pt
        script = "Chinese" if is_chinese(box) else "Latin and digits"
        if box.min_size_pt + 1e-9 < floor:
            raise reader.fail(f"text[{index}].min_size_pt",
                              f"is {box.min_size_pt:g} pt, below the {floor:g} pt minimum for "
                              f"{script} (min_cjk_pt / min_latin_pt)")


def _inside(x: float, y: float, w: float, h: float, width: float, height: float) -> bool:
    return x >= 0 and y >= 0 and x + w <= width + 1e-6 and y + h <= height + 1e-6


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def check_geometry(stock: Stock, reader: _Reader) -> None:
    """Labels on the page, QR and text in the label, text clear of the QR's quiet zone."""
    grid_w = stock.margin_left_mm + stock.columns * stock.label_w_mm + \
        (stock.columns - 1) * stock.gap_x_mm
    grid_h = stock.margin_top_mm + stock.rows * stock.label_h_mm + (stock.rows - 1) * stock.gap_y_mm
    if grid_w > stock.page_w_mm + 1e-6 or grid_h > stock.page_h_mm + 1e-6:
        raise reader.fail("[grid]", f"needs {grid_w:.1f} x {grid_h:.1f} mm, more than the page")
    qr_box = (stock.qr_x_mm, stock.qr_y_mm, stock.qr_size_mm, stock.qr_size_mm)
    if not _inside(*qr_box, stock.label_w_mm, stock.label_h_mm):
        raise reader.fail("[qr]", "does not fit inside the label")
    boxes: list[tuple[float, ...]] = []
    for index, text in enumerate(stock.texts):
        box = (text.x_mm, text.y_mm, text.width_mm, text.height_mm)
        inner = (box[0] - EDGE_MM, box[1] - EDGE_MM, box[2], box[3])
        if not _inside(*inner, stock.label_w_mm - 2 * EDGE_MM, stock.label_h_mm - 2 * EDGE_MM):
            raise reader.fail(f"text[{index}]", f"box comes within {EDGE_MM:g} mm of the label "
                              f"edge (x {text.x_mm:g}-{text.x_mm + text.width_mm:g} mm, y "
                              f"{text.y_mm:g}-{text.y_mm + text.height_mm:.2f} mm on a "
                              f"{stock.label_w_mm:g} x {stock.label_h_mm:g} mm label)")
        if _overlap(box, qr_box):
            raise reader.fail(f"text[{index}]", "box overlaps the QR code or its quiet zone")
        if any(_overlap(box, other) for other in boxes):
            raise reader.fail(f"text[{index}]", "box overlaps another text box")
        boxes.append(box)


def stock_path(name: str, folder: str | Path) -> Path:
    if not _NAME.fullmatch(name or ""):
        raise InvalidInput(f"stock name {name!r} must be lowercase letters, digits and '-'")
    return Path(folder) / f"{name}.toml"


def load_stock(name: str, folder: str | Path) -> Stock:
    path = stock_path(name, folder)
    if not path.is_file():
        known = ", ".join(list_stocks(folder)) or "none"
        raise NotFound(f"no label stock {name!r} in {folder} (available: {known})",
                       message_zh=f"没有名为 {name} 的标签纸规格")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InvalidInput(f"{path.name}: not valid TOML: {error}") from None
    return parse_stock(name, data, path.name)


def list_stocks(folder: str | Path) -> list[str]:
    return sorted(p.stem for p in Path(folder).glob("*.toml") if _NAME.fullmatch(p.stem))
