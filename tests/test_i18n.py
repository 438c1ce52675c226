"""The translation catalogues: complete in both languages, compiled, and used by the pages."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

from trace.scans import ScanHistory
from trace.streamers import live
from trace.transparency import bundle
from trace.verification import VERDICTS
from trace.web import i18n

from conftest import BASE_URL

ROOT = Path(__file__).resolve().parent.parent
PREFIXES = ("site", "verdict", "advice", "section", "lab", "field", "shelf", "expired", "scans",
            "claim", "report", "help", "batch", "status", "event", "home", "error", "auth",
            "role", "ws", "admin", "signup", "tokens", "agency", "streamer", "live", "ledger")


def catalogue(locale: str) -> dict[str, str]:
    with (ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return {m.id: m.string for m in read_po(po) if m.id}


def used_keys() -> set[str]:
    """Every key the templates and views ask for: literal ones, and each value of the
    dynamic ones."""
    keys = set()
    sources = [*(ROOT / "templates").rglob("*.html"), *(ROOT / "trace" / "web").rglob("*.py")]
    for source in sources:
        keys |= set(re.findall(r'(?:\bt\(|\bT\[)"([a-z_]+\.[a-z_.]+)"[)\]]',
                               source.read_text()))
    keys |= {f"verdict.{v}" for v in (*VERDICTS, "retype")}
    keys |= {f"advice.{a}" for a in ("genuine", "suspicious", "registered", "retype", "rescan",
                                     "bad")}
    cases = {ScanHistory(1, None, 1, 1, claimed, mine, others, 1, 1).case
             for claimed, mine, others in (("t", True, 0), ("t", False, 0), (None, False, 0),
                                           (None, False, 1))}
    keys |= {f"scans.{case}" for case in cases | {"only_you"}}
    keys |= {f"event.{a}" for a in ("recall", "unrecall", "void", "recall_item")}
    keys |= {f"status.{s}" for s in ("open", "recalled")}
    keys |= {f"field.{f}" for f in ("specification", "category", "origin", "standard",
                                    "storage")}
    keys |= {"claim.done", "claim.failed"}
    keys |= {f"role.{role}" for role in ("admin", "supplier", "agency", "streamer")}
    keys |= {f"agency.kind_{kind}" for kind in ("commission", "assignment")}
    checks = ("code", "recall", "report", "results", "supplier", "after_sales")
    keys |= {f"streamer.check_{c}" for c in checks}
    words = ("pass", "fail", "none", "commissioned", "supervision", "self", "mystery")
    keys |= {f"lab.word_{w}" for w in words}
    keys |= {f"ws.batch_{s}" for s in ("open", "recalled")}
    keys |= {f"ws.item_{s}" for s in ("active", "void", "recalled")}
    keys |= {f"ws.done_{s}" for s in ("void", "recall", "recall_batch", "unrecall")}
    keys |= {f"admin.key_{s}" for s in ("active", "retired", "revoked")}
    keys |= {f"admin.key_role_{r}" for r in ("issuer", "agency", "ledger")}
    keys |= {f"signup.{w}_{kind}" for w in ("title", "lead") for kind in ("supplier", "agency")}
    keys |= {f"live.{part}.{state}" for part in ("state", "detail") for state in live.STATES}
    keys |= {f"ledger.kind.{kind}" for kind in (*bundle.BATCH_KINDS, "void", "recall_item",
                                                "claim")}
    keys |= {f"ledger.logged_{kind}" for kind in ("void", "recall_item")}
    keys |= {f"ledger.decision.{decision}" for decision in ("选用", "不选用", "待复检")}
    keys |= {f"scans.{note}{one}" for note in ("spread", "spread_networks") for one in ("", "_one")}
    return keys


def test_both_catalogues_have_every_key_and_no_empty_entry():
    chinese, english = catalogue("zh_CN"), catalogue("en")
    assert set(chinese) == set(english)
    assert not [key for key, text in {**chinese, **english}.items() if not text.strip()]
    missing = used_keys() - set(chinese)
    assert not missing, f"used by templates but in no catalogue: {sorted(missing)}"
    assert len(used_keys()) > 80


def test_a_message_of_several_lines_is_written_as_gettext_reads_it():
    """A message edited on its first line kept its old text below (msgstr "new", then
    "old"...): gettext joins them, and the English report page said its lead twice,
    the second glued on without a space."""
    for locale in ("zh_CN", "en"):
        lines = (ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po").read_text(
            encoding="utf-8").splitlines()
        glued = [number for number, (line, after) in enumerate(zip(lines, lines[1:]), 1)
                 if re.fullmatch(r'msgstr ".+"', line) and after.startswith('"')]
        assert not glued, (locale, glued)


def test_the_catalogues_compile(tmp_path):
    i18n.compile_catalogues(tmp_path)
    assert {p.parts[-3] for p in tmp_path.glob("*/LC_MESSAGES/messages.mo")} == {
        "zh_Hans_CN", "en"}


def visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_no_page_shows_a_raw_key(client, issued_urls):
    path = issued_urls[0][len(BASE_URL):]
    for url in (path, path + "&lang=en", "/", "/?lang=en", "/report", "/report?lang=en",
                f"{path.split('/21/')[0]}", "/verify?q=XXXX-XXXX-XXXX", "/nope", "/login",
                "/login?lang=en"):
        text = visible_text(client.get(url).get_data(as_text=True))
        raw = re.findall(rf"\b(?:{'|'.join(PREFIXES)})\.[a-z_]+\b", text)
        assert not raw, (url, raw)
    assert "正品" in client.get(path + "&lang=zh").get_data(as_text=True)  # English was chosen
    assert "Genuine" in client.get(path + "&lang=en").get_data(as_text=True)


def test_a_system_that_acted_is_named_in_words_not_as_stored(app):
    """The lab's list read '上传人 cli:demo'."""
    from trace.web.i18n import who_did
    with app.test_request_context("/"):
        assert who_did("cli:demo") == "服务器命令（demo）"
        assert who_did("api:lims@lab.example.cn") == "接口（lims@lab.example.cn）"
        assert who_did("qc@pearl.example.cn") == "qc@pearl.example.cn"  # an account: as it is
        assert who_did("cli:") == "cli:" and who_did(None) == ""
    with app.test_request_context("/?lang=en"):
        app.preprocess_request()  # as a request does: the reader's language
        assert who_did("cli:root") == "server command (root)"
