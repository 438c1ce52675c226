"""Fitting label text into a box: wrapping, shrinking, shortening, in an embedded font.

The label font is a TrueType CJK font that reportlab embeds as a subset in every
PDF: by default ``labels/fonts/wqy-microhei-cjk.ttf`` (WenQuanYi Micro Hei,
Apache-2.0, cut to its CJK ideographs, GBK's 20,902 among them), or any
``.ttf``/``.ttc`` named by ``use_font`` (``TRACE_LABEL_FONT``). There is no
fallback to a font that is not embedded.

Lines break at spaces and between CJK characters first, inside a word only when
it is wider than the line; opening brackets never end a line and closing
punctuation never starts one; a label's lines are as even as they go (a name on
two lines does not leave a word's last character alone)::

    size, lines = fit_text("狮峰龙井茶（特级）", box)   # (6.5, ('狮峰龙井茶', '（特级）'))
"""

from __future__ import annotations

import re
import struct
import unicodedata
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from .errors import InvalidInput, LabelFontProblem
from .stocks import PT_PER_MM, TextBox

FONT = "TraceLabel"
SHIPPED_FONT = Path(__file__).resolve().parent.parent / "labels" / "fonts" / \
    "wqy-microhei-cjk.ttf"
INSTALL_HINT = ("restore labels/fonts/ from git, or set TRACE_LABEL_FONT to a TrueType CJK "
                "font, e.g. /usr/share/fonts/truetype/wqy/wqy-microhei.ttc "
                "(apt-get install fonts-wqy-microhei)")
ELLIPSIS = "…"
_CJK = "\u2e80-\u9fff\uff00-\uffef"
# Opening brackets never end a line and closing punctuation never starts one (禁则).
_OPEN = re.escape("（《“‘【「〔［([")
_CLOSE = re.escape("）》”’】」〕］，。、：；！？)]")
_TOKENS = re.compile(rf"[{_OPEN}]*[^\s{_CJK}{_OPEN}{_CLOSE}]+[{_CLOSE}]*"  # words
                     rf"|[{_OPEN}]*[{_CJK}][{_CLOSE}]*|\s+")              # CJK, spaces
_WORD_PARTS = re.compile(r"[^\-.:/]*[\-.:/]?")


_font_file: Path | None = None
_FONT_CACHES: list = []  # caches elsewhere that depend on the font (printers' bitmaps)


def use_font(path: str | Path | None = None) -> Path:
    """Register the label font from ``path`` (default: the shipped one); refuse a
    missing or unusable file with what to install or set."""
    global _font_file
    path = Path(path) if path else SHIPPED_FONT
    if _font_file == path:
        return path
    if path.is_dir():
        raise LabelFontProblem(f"label font {path} is a folder, not a font file; {INSTALL_HINT}")
    if not path.is_file():
        raise LabelFontProblem(f"label font {path} not found; {INSTALL_HINT}")
    try:
        font = TTFont(FONT, str(path), subfontIndex=0)
        if not _embedding_allowed(path):
            raise LabelFontProblem(f"label font {path} does not allow embedding (its licence "
                                   f"flags forbid it); {INSTALL_HINT}")
    except (TTFError, OSError, ValueError, struct.error) as error:
        raise LabelFontProblem(
            f"label font {path} cannot be used ({error}); it must be TrueType "
            f"(.ttf/.ttc; OpenType-CFF fonts such as Noto Sans CJK .otf cannot be); "
            f"{INSTALL_HINT}") from None
    pdfmetrics.registerFont(font)
    _font_file = path
    for cached in (text_width, fit_text, _serial_layout, *_FONT_CACHES):
        cached.cache_clear()
    return path


def font_file() -> Path:
    """The file of the label font in use (for renderers other than reportlab)."""
    register_font()
    assert _font_file is not None
    return _font_file


def register_font() -> None:
    if _font_file is None:
        use_font()


# Symbols written as labels may print them in letters every font has: WenQuanYi maps
# ℃ to a glyph with no outline, and a tag read "30  以下机洗".
_LABEL_FORMS = str.maketrans({"℃": "°C", "℉": "°F", "∼": "~", "Ⅴ": "V", "Ⅹ": "X"})


def label_form(text: str) -> str:
    """``text`` as labels print it (30℃ as 30°C)."""
    return text.translate(_LABEL_FORMS)


def missing_glyphs(text: str) -> str:
    """The characters of ``label_form(text)`` the label font cannot print: no glyph
    (printed as a box) or a glyph with no outline (printed blank), in order."""
    register_font()
    face = pdfmetrics.getFont(FONT).face  # type: ignore[attr-defined]
    return "".join(dict.fromkeys(
        ch for ch in label_form(text) if not ch.isspace() and unicodedata.category(ch) != "Cf"
        and (ord(ch) not in face.charToGlyph or _blank(face, face.charToGlyph[ord(ch)]))))


def _blank(face, glyph: int) -> bool:
    """The glyph has no outline (its 'glyf' entry is empty)."""
    return face.glyphPos[glyph + 1] == face.glyphPos[glyph]


def check_printable(texts: list[str], what: str) -> None:
    """Refuse, before any output, text the font would print as empty boxes."""
    missing = missing_glyphs("".join(texts))
    if not missing:
        return
    advice = ("set TRACE_LABEL_FONT to a font that has them") if _font_file == SHIPPED_FONT \
        else f"the font in TRACE_LABEL_FONT ({_font_file}) lacks them too: choose another"
    raise InvalidInput(f"the label font has no glyph for {missing!r} in the {what}; {advice}",
                       message_zh=f"标签字体里没有“{missing}”这些字符，印在标签上会是空框；"
                                  "请换用常用字（表情符号不能印），或请平台管理员换用字库更全的字体")


def _embedding_allowed(path: Path) -> bool:
    """The font's OS/2 fsType permits embedding a subset (not restricted-licence,
    bitmap-only or no-subsetting). TrueType collections: the first face."""
    data = path.read_bytes()
    start = struct.unpack(">I", data[12:16])[0] if data[:4] == b"ttcf" else 0
    tables = struct.unpack(">H", data[start + 4:start + 6])[0]
    for entry in range(tables):
        record = start + 12 + 16 * entry
        if data[record:record + 4] == b"OS/2":
            offset = struct.unpack(">I", data[record + 8:record + 12])[0]
            fs_type = struct.unpack(">H", data[offset + 8:offset + 10])[0]
            return fs_type & 0x000F != 0x0002 and not fs_type & 0x0300
    return True


@lru_cache(maxsize=65536)
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
    """Lines broken only between phrases (at spaces, after ，；、。：) when that takes
    no more lines than breaking anywhere would ('西湖龙井' / '明前特级', not
    '西湖龙井 明' / '前特级'; '床单 245×250 cm，' / '枕套…', not '床' / '单');
    otherwise ``wrap_greedy``'s."""
    greedy = wrap_greedy(text, width_pt, size)
    phrased = _wrap_phrases(text, width_pt, size)
    return phrased if phrased and len(phrased) <= len(greedy) else greedy


# A phrase runs to a space or a Chinese pause, which ends it (a line may break after).
_PHRASES = re.compile(r"\S.*?(?:[，；、。：！？]|\s+|$)")


def phrases(text: str) -> list[str]:
    """``text`` in the pieces a line may break between, each with what ends it."""
    return _PHRASES.findall(text)


def _wrap_phrases(text: str, width_pt: float, size: float) -> list[str] | None:
    """Whole phrases on each line; None if a phrase alone is wider than a line."""
    lines: list[str] = []
    for phrase in phrases(text):
        if text_width(phrase.rstrip(), size) > width_pt:
            return None
        if lines and text_width(lines[-1] + phrase.rstrip(), size) <= width_pt:
            lines[-1] += phrase
        else:
            lines.append(phrase)
    return [line.rstrip() for line in lines]


def wrap_greedy(text: str, width_pt: float, size: float) -> list[str]:
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
        if text_width(token, size) > width_pt:  # too wide for any line: start it here
            pieces = _split_long(line + token, width_pt, size)
        else:
            if line.strip():
                lines.append(line.rstrip())
            pieces = [token]
        lines.extend(piece.rstrip() for piece in pieces[:-1])
        line = pieces[-1]
    if line.strip():
        lines.append(line.rstrip())
    return lines


def balanced(text: str, lines: list[str], width_pt: float, size: float) -> list[str]:
    """The same number of lines, as even as they go: the narrowest width that still
    takes no more lines. A name breaking into two leaves no word's last character
    alone ('海宁纯棉' / '四件套', not '海宁纯棉四' / '件套'). Never narrower than
    its widest word, which would then break inside, nor, when whole phrases fit on
    as many lines, than its widest phrase."""
    if len(lines) < 2:
        return lines
    words = [token for token in _TOKENS.findall(text) if not token.isspace()]
    low = max(text_width(word, size) for word in words)
    if low > width_pt:  # a word broken already: leave it as it is
        return lines
    by_phrase = _wrap_phrases(text, width_pt, size)
    wrapper = _wrap_phrases if by_phrase and len(by_phrase) <= len(lines) else wrap
    high = width_pt
    while high - low > 0.25:
        middle = (low + high) / 2
        found = wrapper(text, middle, size)
        if found is not None and len(found) <= len(lines):
            high = middle
        else:
            low = middle
    return wrapper(text, high, size) or lines


def as_printed(text: str, lines: tuple[str, ...]) -> str:
    """What ``lines`` (``text`` fitted) print of it, on one line with its own spaces
    ('60%棉 40%…', not '60%棉40%…'), ending in '…' when cut short.

    >>> as_printed("面料 60%棉 40%聚酯纤维", ("面料 60%棉", "40%…"))
    '面料 60%棉 40%…'
    """
    end = 0
    for line in lines:
        content = line.removesuffix(ELLIPSIS)
        end = text.index(content, end) + len(content) if content else end
    return text[:end] + (ELLIPSIS if lines and lines[-1].endswith(ELLIPSIS) else "")


def _ellipsize(line: str, width_pt: float, size: float) -> str:
    while line and text_width(line + ELLIPSIS, size) > width_pt:
        line = line[:-1]
    return line + ELLIPSIS


SERIAL_FIELD = "{serial}"
WIDEST = "W"  # the widest letter of a serial's alphabet in the label font


def fit_box_text(text: str, box: TextBox) -> tuple[float, tuple[str, ...]]:
    """``text`` (the box's template filled in) fitted: a box ending in the serial
    lays it out as every serial of the stock is (``fit_serial``), other text as
    ``fit_text`` does."""
    before, field, after = box.template.partition(SERIAL_FIELD)
    if field and not after and "{" not in before and text.startswith(before):
        laid = fit_serial(before.strip(), text[len(before):], box)
        if laid is not None:
            return laid
    return fit_text(text, box)


def fit_serial(caption: str, serial: str, box: TextBox) -> tuple[float, tuple[str, ...]] | None:
    """The caption and a grouped serial ('追溯码', 'RZJ4-WDFF-XA07') in the one
    layout that fits the widest serial of its length: the same size and the same
    breaks, between groups of four, on every label, whatever its letters. None if
    no layout fits even the widest (``check_texts`` refuses such a stock)."""
    groups = serial.split("-")
    layout = _serial_layout(caption, tuple(len(group) for group in groups), box)
    if layout is None:
        return None
    size, caption_alone, per_line = layout
    lines, start = [], 0
    for count in per_line:
        lines.append("-".join(groups[start:start + count]) +
                     ("-" if start + count < len(groups) else ""))
        start += count
    if caption:
        lines = [caption, *lines] if caption_alone else [f"{caption} {lines[0]}", *lines[1:]]
    return size, tuple(lines)


@lru_cache(maxsize=256)
def _serial_layout(caption: str, lengths: tuple[int, ...],
                   box: TextBox) -> tuple[float, bool, tuple[int, ...]] | None:
    """(size, caption on its own line, groups a line) for the widest serial of these
    group lengths: the serial on the fewest lines (read whole, it is typed right),
    then the largest size, then the caption on a line of its own."""
    width = box.width_mm * PT_PER_MM
    widest = [WIDEST * length for length in lengths]
    fitting = []
    size = box.size_pt
    while size >= box.min_size_pt - 1e-9:
        for caption_alone in (True, False) if caption else (False,):
            per_line = _groups_per_line(widest, width, size,
                                        "" if caption_alone or not caption else caption + " ")
            if per_line and len(per_line) + (caption_alone and bool(caption)) <= box.max_lines:
                fitting.append((size, caption_alone, tuple(per_line)))
        size -= 0.5
    return min(fitting, key=lambda layout: (len(layout[2]), -layout[0], not layout[1]),
               default=None)


def _groups_per_line(groups: list[str], width: float, size: float, lead: str) -> list[int]:
    """Groups greedily on lines of ``width`` (the first after ``lead``), each line but
    the last ending in '-'; [] if a group alone does not fit."""
    counts: list[int] = []
    line, count = lead, 0
    for index, group in enumerate(groups):
        piece = group + ("-" if index < len(groups) - 1 else "")
        if text_width(line + piece, size) <= width:
            line, count = line + piece, count + 1
            continue
        if count == 0 or text_width(piece, size) > width:
            return []
        counts.append(count)
        line, count = piece, 1
    return counts + [count]


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
                return size, tuple(balanced(text, lines, width, size))
    size = sizes[-1]
    kept = wrap(text, width, size)[:box.max_lines]
    kept[-1] = _ellipsize(kept[-1], width, size)
    return size, tuple(kept)
