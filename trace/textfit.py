"""Fitting label text into a box: wrapping, shrinking, shortening, in STSong-Light.

Lines break at spaces and between CJK characters first, inside a word only when
it is wider than the line; opening brackets never end a line and closing
punctuation never starts one::

    size, lines = fit_text("狮峰龙井茶（特级）", box)   # (6.5, ('狮峰龙井茶', '（特级）'))
"""

from __future__ import annotations

import re
from functools import lru_cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

from .stocks import PT_PER_MM, TextBox

FONT = "STSong-Light"  # reportlab's built-in CID font: no font file to ship
ELLIPSIS = "…"
_CJK = "\u2e80-\u9fff\uff00-\uffef"
# Opening brackets never end a line and closing punctuation never starts one (禁则).
_OPEN = re.escape("（《“‘【「〔［([")
_CLOSE = re.escape("）》”’】」〕］，。、：；！？)]")
_TOKENS = re.compile(rf"[{_OPEN}]*[^\s{_CJK}{_OPEN}{_CLOSE}]+[{_CLOSE}]*"  # words
                     rf"|[{_OPEN}]*[{_CJK}][{_CLOSE}]*|\s+")              # CJK, spaces
_WORD_PARTS = re.compile(r"[^\-.:/]*[\-.:/]?")


_font_ready = False


def register_font() -> None:
    global _font_ready
    if not _font_ready:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _font_ready = True


def text_width(text: str, size: float) -> float:
    register_font()
    return pdfmetrics.stringWidth(text, FONT, size)


def _split_long(word: str, width_pt: float, size: float) -> list[str]:
    """A word wider than the line: break after '-', '.', ':' or '/', else anywhere."""
    pieces, line = [], ""
    for part in (p for p in _WORD_PARTS.findall(word) if p):
        if line and text_width(line + part, size) > width_pt:
            pieces.append(line)
            line = ""
        line += part
        while text_width(line, size) > width_pt and len(line) > 1:
            cut = max(i for i in range(1, len(line)) if text_width(line[:i], size) <= width_pt
                      or i == 1)
            pieces.append(line[:cut])
            line = line[cut:]
    return pieces + [line] if line else pieces


def wrap(text: str, width_pt: float, size: float) -> list[str]:
    """Greedy lines: break at spaces and between CJK characters first, inside a
    word (after '-', '.', ':', '/') only when the word alone is too wide."""
    lines: list[str] = []
    line = ""
    for token in _TOKENS.findall(text):
        if token.isspace():
            line = line + token if line else line
            continue
        if text_width(line + token, size) <= width_pt:
            line += token
            continue
        if line.strip():
            lines.append(line.rstrip())
        pieces = _split_long(token, width_pt, size)
        lines.extend(pieces[:-1])
        line = pieces[-1]
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _ellipsize(line: str, width_pt: float, size: float) -> str:
    while line and text_width(line + ELLIPSIS, size) > width_pt:
        line = line[:-1]
    return line + ELLIPSIS


@lru_cache(maxsize=4096)
def fit_text(text: str, box: TextBox) -> tuple[float, tuple[str, ...]]:
    """Fewest lines first, then the largest size (0.5 pt steps) that fits the box;
    failing that, the smallest size with the last line shortened by '…'."""
    width = box.width_mm * PT_PER_MM
    sizes = []
    size = box.size_pt
    while size >= box.min_size_pt - 1e-9:
        sizes.append(size)
        size -= 0.5
    for allowed in range(1, box.max_lines + 1):
        for size in sizes:
            lines = wrap(text, width, size)
            if len(lines) <= allowed:
                return size, tuple(lines)
    kept = lines[:box.max_lines]
    kept[-1] = _ellipsize(kept[-1], width, size)
    return size, tuple(kept)
