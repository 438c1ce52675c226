"""How pages word what they show: the template filters and helpers that keep a
standard's number on one line, make a hotline tappable, say a lab's words in the
reader's language and break a two-part verdict between its parts."""

from __future__ import annotations

import re
from functools import lru_cache

from flask import Flask, g
from markupsafe import Markup, escape

from ..catalog import (CATEGORY_EXAMPLES, FOOD_WORDS, TEXTILE_WORDS, looks_like_food,
                       names_food, names_textile, printed_gtin, textile_safety_class)
from ..codes import group_serial
from ..inspections import glossary, store as inspection_store
from ..inspections.display import failed_findings
from ..phones import china_only, numbers_in, tel_href
from . import i18n


_NUMBER_HYPHEN = re.compile(r"(?<=[0-9A-Za-z])-(?=[0-9])")


_STANDARD_SPACE = re.compile(r"\b((?:GB|NY|SN|QB|FZ|GH|DB\d*)(?:/T)?)\s+(?=\d)")


def keep_codes(text: str | None) -> str:
    """Standard and lot numbers kept on one line ('GB/T 18781-2023', not 'GB/T
    18781-' and '2023'): their space and hyphens made non-breaking, for display."""
    if not text:
        return ""
    return _NUMBER_HYPHEN.sub("\u2011", _STANDARD_SPACE.sub("\\1\u00a0", text))


@lru_cache(maxsize=64)
def breaks_at_dots(text: str | None) -> Markup:
    """A domain that may wrap after its dots, not inside a label: '<wbr>' marks
    the places, and copying the domain copies no invisible character."""
    return Markup(".<wbr>").join(escape(part) for part in (text or "").split("."))


@lru_cache(maxsize=64)
def with_domain(sentence: str, domain: str) -> Markup:
    """An interface sentence naming the official domain, the domain able to wrap
    (every page's footer: made once per language and domain, not per page)."""
    return escape(sentence).format(domain=breaks_at_dots(domain))


# The words a lab prints, as an English reader gets them (one lookup, not a macro
# building its table on every call: a results table asks once per tested item).
LAB_WORDS = {"合格": "pass", "符合": "pass", "不合格": "fail", "不符合": "fail", "不判定": "none",
             "委托检验": "commissioned", "监督抽检": "supervision", "自检": "self",
             "神秘抽检": "mystery", "禁用": "banned", "不得检出": "not_allowed", "无": "nil"}
# A textile's grade as labs print it: 4 级, 3-4 级, ≥3 级, 4/3-4 级 (变色/沾色).
_GRADE = re.compile(r"([≥≤<>]?)\s*(\d[\d.\-–~～/]*)\s*级")


def lab_word(word: str) -> str:
    key = LAB_WORDS.get(word)
    return i18n.t(f"lab.word_{key}") if key and g.get("lang") == "en" else word


def lab_result(shown: str) -> str:
    """A result or limit as a page shows it (inspections.display) in the reader's
    language: the lab's figures as printed, its few words (未检出, 禁用, 无) and a
    grade's 级 in English for an English reader."""
    if g.get("lang") != "en":
        return shown
    if shown.startswith("未检出"):
        rest = shown[3:].replace("（", " (").replace("）", ")")
        return i18n.t("lab.word_not_detected") + rest
    if shown in LAB_WORDS:
        return lab_word(shown)
    grade = _GRADE.fullmatch(shown.strip())
    return f"{grade.group(1)} grade {grade.group(2)}".strip() if grade else shown


def grouped_serial(serial: str | None) -> str:
    return group_serial(serial) if serial else "—"


def fill(text: str, **values) -> Markup:
    """A translated sentence with its values put in, escaped unless they are markup
    already (a ``nowrap`` time). Plain str.format on escaped parts: Markup.format's
    escaping formatter cost a buyer's page more than the rest of its scan card."""
    return Markup(str(escape(text)).format(**{name: escape(value)
                                              for name, value in values.items()}))


_DATE_TIME = re.compile(r"(\d{4}-\d\d-\d\d) (\d\d:\d\d(?::\d\d)?)")


def nowrap(value) -> Markup:
    """Kept on one line: a time read 2026-11- and 26 12:39 on two at phone width. A
    date and time may break between the two (at 200 % text size the whole ran off
    the screen), never inside either."""
    both = _DATE_TIME.fullmatch(str(value))
    if both:
        return Markup('<span class="nowrap">{}</span> <span class="nowrap">{}</span>'
                      .format(*both.groups()))
    return Markup(f'<span class="nowrap">{escape(value)}</span>')


@lru_cache(maxsize=256)  # a few verdict names in two languages
def headline(text: str, lang: str) -> Markup | str:
    """A Chinese verdict of two parts (检测不合格 · 码是真的) breaks between its
    parts, the dot ending the first line: Chinese never starts a line with the
    间隔号 (a trial read 伪造码 / · 谨防假冒). English wraps as words do."""
    if lang == "en" or " · " not in text:
        return text
    first, rest = text.split(" · ", 1)
    return Markup(f'<span class="nowrap">{escape(first)} ·</span> '
                  f'<span class="nowrap">{escape(rest)}</span>')


def dial_12315(text: str) -> Markup:
    """Our own sentence with the complaints hotline in it made tappable."""
    return escape(text).replace("12315", Markup('<a href="tel:12315">12315</a>'))


def dial_numbers(text: str) -> Markup:
    """Someone's free text (a buyer's contact: a WeChat id, a mobile) with each
    telephone number in it tappable, the rest escaped as written."""
    linked, at = Markup(""), 0
    for written, href in numbers_in(text):
        start = text.index(written, at)
        linked += escape(text[at:start]) + Markup('<a href="{}" class="phone nowrap">{}</a>'
                                                  ).format(href, written)
        at = start + len(written)
    return linked + escape(text[at:])


# Where our advice says "report it below", in each language: a link to the help card.
REPORT_BELOW = ("在下方举报", "report it below")


def advice_links(text: str) -> Markup:
    """Our own advice with the hotline tappable and "report it below" a link to the
    report button, several screens down at 200% zoom."""
    linked = dial_12315(text)
    for words in REPORT_BELOW:
        linked = linked.replace(words, Markup(f'<a href="#help">{words}</a>'))
    return linked


def install(app: Flask) -> None:
    """These helpers as the app's templates call them."""
    filters = app.jinja_env.filters
    filters.update(keep_codes=keep_codes, printed_gtin=printed_gtin,
                   breaks_at_dots=breaks_at_dots, tel=tel_href, dial_12315=dial_12315,
                   dial_numbers=dial_numbers, advice_links=advice_links, lab_result=lab_result,
                   who=i18n.who_did, explained_test=glossary.explained, fill=fill,
                   headline=headline, english_test_name=glossary.english_name,
                   test_kind=glossary.kind_of)
    app.jinja_env.tests["china_only"] = china_only
    app.jinja_env.globals.update(with_domain=with_domain, looks_like_food=looks_like_food,
                                 names_food=names_food, food_words=FOOD_WORDS,
                                 names_textile=names_textile, textile_words=TEXTILE_WORDS,
                                 textile_safety_class=textile_safety_class,
                                 category_examples=CATEGORY_EXAMPLES,
                                 failed_findings=failed_findings)
    app.jinja_env.tests["nothing_but_withdrawals"] = inspection_store.nothing_but_withdrawals
