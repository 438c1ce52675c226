"""Recalls, un-recalls and voids: on page, JSON and CLI at the next request; never deleted."""

from __future__ import annotations

import json
import sqlite3

import pytest

from trace import catalog, recalls
from trace.codes import parse_link
from trace.errors import Conflict, Forbidden, InvalidInput, NotFound

from conftest import BASE_URL, CREDIT_CODE, GTIN, LOT

JSON = {"Accept": "application/json"}


def path_of(url: str) -> str:
    return url[len(BASE_URL):]


def seen_everywhere(client, run_cli, url: str) -> tuple[str, str, str, str]:
    """(page verdict, JSON verdict, CLI verdict, batch page HTML) right now."""
    html = client.get(path_of(url)).get_data(as_text=True)
    page = html.split('data-verdict="')[1].split('"')[0]
    data = client.get(path_of(url), headers=JSON).get_json()
    cli = json.loads(run_cli("verify", url, "--json").output)
    batch_html = client.get(f"/01/{GTIN}/10/{LOT}").get_data(as_text=True)
    return page, data["verdict"], cli["verdict"], batch_html


def test_recall_and_unrecall_reach_page_json_and_cli_at_once(client, run_cli, db, issued_urls):
    result = run_cli("batch", "recall", "--gtin", GTIN, "--lot", LOT, "--reason",
                     "抽检重金属超标", "--by", "质检员张三")
    assert result.exit_code == 0 and "recalled: 抽检重金属超标" in result.output
    page, data, cli, batch_html = seen_everywhere(client, run_cli, issued_urls[0])
    assert (page, data, cli) == ("recalled", "recalled", "recalled")
    assert 'data-verdict="recalled"' in batch_html and "抽检重金属超标" in batch_html
    assert "已召回 · 请勿使用" in batch_html  # the same banner as an item's page
    json_batch = client.get(f"/01/{GTIN}/10/{LOT}", headers=JSON).get_json()
    assert json_batch["batch"]["status"] == "recalled"
    assert json_batch["events"][0]["reason"] == "抽检重金属超标"

    assert run_cli("batch", "unrecall", "--gtin", GTIN, "--lot", LOT, "--reason",
                   "复检合格").exit_code == 0
    page, data, cli, batch_html = seen_everywhere(client, run_cli, issued_urls[0])
    assert (page, data, cli) == ("genuine", "genuine", "genuine")
    assert "撤销召回" in batch_html and "批次召回" in batch_html  # both stay on record
    rows = db.execute("SELECT action, reason, actor FROM status_events ORDER BY id").fetchall()
    assert rows[0] == ("recall", "抽检重金属超标", "质检员张三")
    assert rows[1][:2] == ("unrecall", "复检合格") and rows[1][2].startswith("cli:")


def test_void_reaches_page_json_and_cli_and_stays_void(client, run_cli, db, issued_urls):
    result = run_cli("item", "void", issued_urls[1], "--reason", "标签损坏，已重印")
    assert result.exit_code == 0, result.output
    page, data, cli, _ = seen_everywhere(client, run_cli, issued_urls[1])
    assert (page, data, cli) == ("void", "void", "void")
    html = client.get(path_of(issued_urls[1])).get_data(as_text=True)
    assert "标签损坏，已重印" in html and "追溯码作废" in html
    # A buyer holding it: what the product cards below still describe, and what to do.
    assert "只供核对" in html and "找卖家或直播间退货退款" in html
    assert html.index("只供核对") < html.index("商品信息")
    assert seen_everywhere(client, run_cli, issued_urls[0])[:3] == ("genuine",) * 3
    again = run_cli("item", "recall", issued_urls[1], "--reason", "x")
    assert again.exit_code == 1 and "void already" in again.output


def test_item_recall(client, run_cli, issued_urls):
    assert run_cli("item", "recall", issued_urls[2], "--reason", "包装破损").exit_code == 0
    page, data, cli, batch_html = seen_everywhere(client, run_cli, issued_urls[2])
    assert (page, data, cli) == ("recalled", "recalled", "recalled")
    assert "单品召回" not in batch_html  # one item's recall is not the batch's
    # ... but the batch page says some of its items are, and to scan one's own.
    assert "单件召回</dt><dd><strong class=\"bad\">1 件</strong>" in batch_html
    assert "本批次有 1 件商品被单独召回" in batch_html.split('id="batch"')[0]  # in the header
    assert client.get(f"/01/{GTIN}/10/{LOT}", headers=JSON).get_json()["items_recalled"] == 1


def test_items_taken_back_count_each_item_once_as_it_now_stands(db, issued_urls):
    first, second, third = (parse_link(url, BASE_URL) for url in issued_urls[:3])
    assert recalls.items_taken_back(db, 1) == {}
    recalls.recall_item(db, first, "包装破损", actor="qc")
    recalls.recall_item(db, second, "包装破损", actor="qc")
    recalls.void_item(db, second, "召回后销毁", actor="qc")  # recalled, then voided
    recalls.void_item(db, third, "标签印错", actor="qc")
    assert recalls.items_taken_back(db, 1) == {"recalled": 1, "void": 2}


def test_a_run_of_codes_is_voided_all_at_once_and_logged_each(db, issued_urls, client):
    """A trial office issued its 300 twice; voiding 300 codes one by one was its only way
    back, and buyers read 已发码数量 600."""
    from trace.transparency import audit
    batch = catalog.get_batch(db, GTIN, LOT)
    recalls.void_item(db, parse_link(issued_urls[3], BASE_URL), "标签印错", actor="qc")
    assert recalls.void_range(db, batch, 3, 5, "重复发码，未打印", actor="qc") == 2
    statuses = [row[0] for row in db.execute(
        "SELECT status FROM items WHERE batch_id = ? ORDER BY id", [batch.id])]
    assert statuses == ["active", "active", "void", "void", "void"]
    assert db.execute("SELECT status_reason FROM items ORDER BY id").fetchall()[2] == (
        "重复发码，未打印",)
    assert audit.batch_problems(db, GTIN, LOT) == []  # each void is in the ledger
    with pytest.raises(Conflict, match="void already"):
        recalls.void_range(db, batch, 4, 5, "再来一次", actor="qc")
    with pytest.raises(InvalidInput):
        recalls.void_range(db, batch, 1, 2, "", actor="qc")  # a reason, always
    assert statuses == [row[0] for row in db.execute(
        "SELECT status FROM items WHERE batch_id = ? ORDER BY id", [batch.id])]
    page = client.get(f"/01/{GTIN}/10/{LOT}").get_data(as_text=True)
    assert "其中已作废" in page and "3 个（扫到会显示“已作废”，不代表任何商品）" in page
    answer = client.get(f"/01/{GTIN}/10/{LOT}", headers={"Accept": "application/json"})
    assert answer.get_json()["items_void"] == 3


def test_the_supplier_batch_page_counts_items_taken_back(
        client, db, issued_urls, make_account, sign_in):
    recalls.recall_item(db, parse_link(issued_urls[0], BASE_URL), "包装破损", actor="qc")
    sign_in(client, make_account("supplier", "qc@pearl.example.cn", org=CREDIT_CODE))
    page = client.get(f"/supplier/batches/{GTIN}/{LOT}").get_data(as_text=True)
    home = client.get("/supplier/").get_data(as_text=True)
    assert "正常 · 单件召回 1 件" in home  # the batch list said only 正常
    assert "单件召回 1 件" in page and 'href="#status"' in page and "作废" not in \
        page[page.index("单件召回 1 件"):page.index("查看记录")]


def test_nothing_about_them_can_be_changed_or_deleted(db, issued_urls):
    recalls.recall_batch(db, GTIN, LOT, "抽检不合格", actor="t")
    recalls.unrecall_batch(db, GTIN, LOT, "复检合格", actor="t")
    recalls.void_item(db, parse_link(issued_urls[0], BASE_URL), "重印", actor="t")
    for statement in ("UPDATE status_events SET reason = 'x'", "DELETE FROM status_events"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute(statement)
    assert db.execute("SELECT count(*) FROM status_events").fetchone()[0] == 3


def test_a_recall_the_platform_made_is_lifted_by_the_platform_only(
        db, issued_urls, make_account):
    ops = make_account("admin", "ops@trace.example.cn")
    recalls.recall_batch(db, GTIN, LOT, "假冒属实", actor=ops)
    assert recalls.recalled_by_platform(db, catalog.get_batch(db, GTIN, LOT).id) == ops
    with pytest.raises(Forbidden, match="only the platform can lift"):
        recalls.unrecall_batch(db, GTIN, LOT, "自称复检合格", actor="qc@pearl.example.cn")
    assert catalog.get_batch(db, GTIN, LOT).status == "recalled"
    recalls.unrecall_batch(db, GTIN, LOT, "复检合格", actor=ops, by_platform=True)
    recalls.recall_batch(db, GTIN, LOT, "抽检不合格", actor="cli:alice")  # a server command
    assert recalls.recalled_by_platform(db, catalog.get_batch(db, GTIN, LOT).id) == "cli:alice"
    recalls.unrecall_batch(db, GTIN, LOT, "复检合格", actor="cli:alice", by_platform=True)
    recalls.recall_batch(db, GTIN, LOT, "主动召回", actor="qc@pearl.example.cn")  # its own
    assert recalls.recalled_by_platform(db, catalog.get_batch(db, GTIN, LOT).id) is None
    assert recalls.unrecall_batch(db, GTIN, LOT, "复检合格", actor="qc@pearl.example.cn"
                                  ).status == "open"


@pytest.mark.parametrize("call, error, message", [
    (lambda db, url: recalls.recall_batch(db, GTIN, LOT, "  ", "t"), InvalidInput,
     "give a reason"),
    (lambda db, url: recalls.recall_batch(db, GTIN, "NOPE", "r", "t"), NotFound, "no batch"),
    (lambda db, url: recalls.unrecall_batch(db, GTIN, LOT, "r", "t"), Conflict,
     "not recalled"),
    (lambda db, url: recalls.void_item(db, parse_link(url.replace("/10/" + LOT, "/10/X"),
                                                      BASE_URL), "r", "t"), NotFound, "no item"),
])
def test_bad_requests_change_nothing(db, issued_urls, call, error, message):
    with pytest.raises(error, match=message):
        call(db, issued_urls[0])
    assert db.execute("SELECT count(*) FROM status_events").fetchone()[0] == 0
    assert db.execute("SELECT status FROM batches").fetchone()[0] == "open"


def test_recalling_twice_is_refused(db, issued_urls):
    recalls.recall_batch(db, GTIN, LOT, "r", "t")
    with pytest.raises(Conflict, match="already recalled"):
        recalls.recall_batch(db, GTIN, LOT, "r2", "t")


def test_a_forged_url_of_a_real_serial_voids_nothing(run_cli, db, issued_urls):
    url = issued_urls[0]
    sig_at = url.index("&s=") + 3 + 40
    forged = url[:sig_at] + ("A" if url[sig_at] != "A" else "B") + url[sig_at + 1:]
    for command in ("void", "recall"):
        result = run_cli("item", command, forged, "--reason", "x")
        assert result.exit_code == 1 and "forged or altered" in result.output
    assert db.execute("SELECT count(*) FROM items WHERE status != 'active'").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM status_events").fetchone()[0] == 0


def test_cli_refuses_a_batch_url_for_an_item(run_cli, issued_urls):
    result = run_cli("item", "void", f"{BASE_URL}/01/{GTIN}/10/{LOT}", "--reason", "r")
    assert result.exit_code == 1 and "batch URL" in result.output


def test_a_recall_after_rows_were_deleted_around_the_ledger_is_refused_in_words(
        db, issued_urls):
    """SQLite gives a deleted last row's id to the next row: its leaf's source was
    taken, and the operator's recall (the audit's advice) ended in a 500."""
    from test_audit import tamper
    recalls.recall_batch(db, GTIN, LOT, "部分果品运输途中受冻", actor="qc")
    tamper(db, "status_events", "DELETE FROM status_events")
    db.execute("UPDATE batches SET status = 'open', status_reason = NULL")
    with pytest.raises(Conflict, match="rows were deleted from the database"):
        recalls.recall_batch(db, GTIN, LOT, "部分果品运输途中受冻", actor="ops")
    assert catalog.get_batch(db, GTIN, LOT).status == "open"  # nothing half-written
    assert db.execute("SELECT count(*) FROM status_events").fetchone()[0] == 0


def test_a_run_of_item_events_is_told_once_in_the_history():
    from trace.recalls import EventRun, StatusEvent, folded
    batch = StatusEvent("recall", "抽检不合格", "qc", "t0")
    void = [StatusEvent("void", "重复发码", "qc", f"t{n}", f"S{n}") for n in range(1, 5)]
    other = StatusEvent("void", "标签损坏", "qc", "t9", "S9")
    shown = folded([batch, *void, other, *void[:2]])
    assert shown[0] == batch and shown[2] == other and shown[3:] == void[:2]  # two stay two
    assert shown[1] == EventRun("void", "重复发码", "qc", "t1", ("S1", "S2", "S3", "S4"))
