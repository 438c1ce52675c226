"""The public ledger pages: checkpoints to keep, consistency proofs, and the proof
page and bundle linked from the item and batch pages."""

from __future__ import annotations

import re

import base64

import pytest

from trace import catalog, keys, ledger, recalls
from trace.codes import parse_code
from trace.transparency import bundle, checkpoints, log

from conftest import BASE_URL, GTIN, LOT


@pytest.fixture
def keyed(app, db, issued_urls):
    keys.create_key(db, app.config["KEYS_DIR"], role="ledger")
    return issued_urls


def test_the_checkpoint_is_served_as_text_and_kept_by_size(client, db, keyed):
    latest = client.get("/ledger/checkpoint")
    assert latest.status_code == 200 and latest.mimetype == "text/plain"
    note = latest.get_data(as_text=True)
    size = log.tree_size(db)
    assert note.startswith(f"trace.example.cn/ledger\n{size}\n")
    ledger_key = next(k for k in keys.trust_list(db)["keys"] if k["role"] == "ledger")
    public = base64.urlsafe_b64decode(ledger_key["x"] + "==")
    assert checkpoints.verify_note(note, [public]).root == log.root_at(db, size)
    kept = client.get(f"/ledger/checkpoint/{size}")
    assert kept.get_data(as_text=True) == note and "immutable" in kept.headers["Cache-Control"]
    assert client.get("/ledger/checkpoint/99999").status_code == 404


def test_a_server_without_the_ledger_key_serves_the_last_checkpoint(
        app, client, db, issued_urls, tmp_path, caplog):
    """The ledger key is kept on another machine: this server answered
    /ledger/checkpoint with a key error and logged a traceback at every write."""
    elsewhere = tmp_path / "signing-machine"
    keys.create_key(db, elsewhere, role="ledger")
    signer = keys.cached_signer(db, elsewhere, None, "ledger")
    signed = checkpoints.issue_if_due(db, signer, "trace.example.cn/ledger").note
    recalls.recall_batch(db, GTIN, LOT, "抽检不合格", actor="qc")
    answer = client.get("/ledger/checkpoint")
    assert answer.status_code == 200 and answer.get_data(as_text=True) == signed
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


def test_a_consistency_proof_links_two_checkpoints(app, client, db, keyed):
    first = checkpoints.parse_note(client.get("/ledger/checkpoint").get_data(as_text=True))
    recalls.recall_batch(db, GTIN, LOT, "抽检不合格", actor="qc")
    signer = keys.cached_signer(db, app.config["KEYS_DIR"], None, "ledger")
    second = checkpoints.issue_if_due(db, signer, "trace.example.cn/ledger", min_interval=0)
    answer = client.get(f"/ledger/consistency?from={first.size}&to={second.size}").get_json()
    proof = [base64.b64decode(h) for h in answer["proof"]]
    assert ledger.verify_consistency(first.size, second.size, first.root, second.root, proof)


def test_an_auditor_reads_every_leaf_and_rebuilds_the_checkpoints_root(client, db, keyed,
                                                                       monkeypatch):
    from trace.web import ledger as ledger_pages
    monkeypatch.setattr(ledger_pages, "ENTRIES_AT_ONCE", 3)  # several pages, as at 256
    note = checkpoints.parse_note(client.get("/ledger/checkpoint").get_data(as_text=True))
    leaves, start = [], 0
    while start < note.size:
        page = client.get(f"/ledger/entries?start={start}&end={note.size - 1}").get_json()
        assert [e["index"] for e in page["entries"]] == list(range(start, start + len(
            page["entries"])))
        leaves += [base64.b64decode(entry["data"]) for entry in page["entries"]]
        start += len(page["entries"])
    assert len(leaves) == note.size > 3 and ledger.root(leaves) == note.root
    for bad in ("/ledger/entries?start=5&end=2", "/ledger/entries?start=x&end=2",
                "/ledger/checkpoint/abc", "/ledger/consistency?from=9&to=1"):
        response = client.get(bad)
        assert response.status_code in (400, 404) and response.get_json()["message_zh"], bad
        assert response.headers["Access-Control-Allow-Origin"] == "*", bad


@pytest.mark.parametrize("query", ["from=x&to=2", "from=5&to=2", "from=1&to=999999",
                                   "from=²&to=1", "from=1&to=①",
                                   "from=" + "9" * 30 + "&to=1", ""])
def test_a_bad_consistency_query_is_a_clear_400(client, keyed, query):
    response = client.get(f"/ledger/consistency?{query}", headers={"Accept": "application/json"})
    assert response.status_code == 400 and response.get_json()["message"]


def test_the_item_page_links_to_a_proof_page_that_checks(client, db, keyed):
    item = parse_code(keyed[0], BASE_URL)
    page = client.get(keyed[0][len(BASE_URL):]).get_data(as_text=True)
    link = f"/ledger/proof?gtin={GTIN}&amp;lot={LOT}&amp;serial={item.serial}"
    assert link in page and "查看防篡改记录" in page
    proof = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert 'data-proof="ok"' in proof and "以下记录未被改动" in proof and "不在账本里" in proof
    assert "您手中这件商品的真伪，看扫码后的验证结果" in proof and "verdict-genuine" not in proof
    assert "批次登记" in proof and "发放追溯码" in proof and "本次发放 5 个追溯码" in proof
    assert "与这件商品有关的记录" in proof
    # A buyer's way on is back; the .json for auditors' tools sits under 技术详情.
    assert proof.index("下载证明文件") > proof.index('<details class="card tech">')
    assert "是第 4 条记录发放的 5 个码中的第 1 个" in proof and "账本第 3 条" in proof
    first_leaf = log.leaf(db, 2)
    proof_hashes = log.inclusion_proof(db, 2, checkpoints.latest(db).size)
    assert f"leaf {first_leaf['hash'].hex()}" in proof and proof_hashes[0].hex() in proof
    made = client.get(link.replace("&amp;", "&").replace("/proof?", "/proof.json?"))
    assert made.headers["Content-Disposition"].startswith("attachment")
    assert bundle.check_bundle(made.get_json(), keys.trust_list(db)) == []
    # Opened from the item's page, it leads back there (a trial was sent to the batch),
    # signature and all; another site's page, or none, is never offered.
    came = client.get(link.replace("&amp;", "&"), headers={"Referer": keyed[0]}).get_data(
        as_text=True)
    back = re.search(r'<a class="button" href="([^"]+)">返回这件商品的页面', came).group(1)
    assert back.replace("&amp;", "&") == keyed[0][len(BASE_URL):]
    for referer in ("https://evil.example" + keyed[0][len(BASE_URL):], ""):
        elsewhere = client.get(link.replace("&amp;", "&"), headers={"Referer": referer})
        assert "返回这件商品的页面" not in elsewhere.get_data(as_text=True)


def test_the_batch_page_links_to_its_proof_in_english_too(client, db, keyed):
    db.execute("UPDATE products SET name_en = 'Zhuji pearl necklace'")
    page = client.get(f"/01/{GTIN}/10/{LOT}?lang=en").get_data(as_text=True)
    assert f"/ledger/proof?gtin={GTIN}&amp;lot={LOT}&amp;lang=en" in page
    proof = client.get(f"/ledger/proof?gtin={GTIN}&lot={LOT}&lang=en").get_data(as_text=True)
    assert "The records below are unchanged" in proof and "Codes issued" in proof
    assert "Records about this batch" in proof  # a batch's page, not one item's
    assert "<title>" in proof and "诸暨" not in proof.split("<title>")[1].split("</title>")[0]


def test_the_batch_record_lists_a_voided_run_once_and_opens_its_first_code(
        client, db, keyed):
    batch = catalog.get_batch(db, GTIN, LOT)
    assert recalls.void_range(db, batch, 2, 4, "重复发放", actor="qc@x") == 3
    recalls.void_item(db, parse_code(keyed[4], BASE_URL), "标签损坏", actor="qc@x")
    runs = bundle.item_status_runs(db, GTIN, LOT)
    serials = [parse_code(url, BASE_URL).serial for url in keyed]
    assert [(r.kind, r.reason, r.first_serial, r.count) for r in runs] == [
        ("void", "重复发放", serials[1], 3), ("void", "标签损坏", serials[4], 1)]
    page = client.get(f"/ledger/proof?gtin={GTIN}&lot={LOT}").get_data(as_text=True)
    listed = page.split('id="item-runs"')[1].split("</ul>")[0]
    assert listed.count("<li>") == 2 and "3 个码：重复发放" in listed and "1 个码：标签损坏" in listed
    assert f"serial={serials[1]}" in listed and "查看第一个码" in listed
    item = client.get(f"/ledger/proof?gtin={GTIN}&lot={LOT}&serial={serials[1]}")
    assert 'id="item-runs"' not in item.get_data(as_text=True)  # its own void is listed above
    assert "重复发放" in item.get_data(as_text=True)


def test_a_bad_gtin_is_named_as_the_gtin(client, keyed):
    html = client.get("/ledger/proof?gtin=abc").get_data(as_text=True)
    assert "商品条码应为 8、12、13 或 14 位数字" in html and "批次号须为" not in html


def test_a_tampered_leaf_shows_on_the_proof_page(client, db, keyed):
    client.get("/ledger/checkpoint")
    db.execute("DROP TRIGGER ledger_leaves_no_update")
    db.execute("UPDATE ledger_leaves SET data = CAST(replace(CAST(data AS TEXT), '\"5\"', '\"6\"')"
               " AS BLOB) WHERE kind = 'codes_issued'")
    proof = client.get(f"/ledger/proof?gtin={GTIN}&lot={LOT}").get_data(as_text=True)
    assert 'data-proof="bad"' in proof and "记录对不上" in proof and "not in the tree" in proof


@pytest.mark.parametrize("query", [f"gtin={GTIN}&lot=NOPE", "gtin=123&lot=x", "",
                                   f"gtin={GTIN}&lot={LOT}&serial=ZZZZZZZZZZZZ",
                                   f"gtin={GTIN}&lot={LOT}&serial=%00%ff"])
def test_an_unknown_batch_or_item_is_a_clear_error(client, keyed, query):
    for path in ("/ledger/proof", "/ledger/proof.json"):
        response = client.get(f"{path}?{query}")
        assert response.status_code in (400, 404), (path, query, response.status_code)


def test_an_unapproved_suppliers_batch_has_no_proof_page(client, db, keyed):
    other = catalog.add_supplier(db, "别家", "91330100MA27Y5XX20", approved=False)
    catalog.add_product(db, other, "09521234000051", "别家的茶")
    catalog.new_batch(db, "09521234000051", "B-1")
    assert client.get("/ledger/proof?gtin=09521234000051&lot=B-1").status_code == 404
    assert client.get(f"/ledger/proof?gtin={GTIN}&lot={LOT}").status_code == 200


def test_without_a_ledger_key_the_checkpoint_says_so(client, issued_urls):
    response = client.get("/ledger/checkpoint")
    assert response.status_code == 404 and "no checkpoint yet" in response.get_data(as_text=True)


def test_a_row_changed_behind_the_ledger_turns_the_proof_page_red(client, db, keyed):
    recalls.recall_batch(db, GTIN, LOT, "部分果品运输途中受冻", actor="qc")
    proof = client.get(f"/ledger/proof?gtin={GTIN}&lot={LOT}").get_data(as_text=True)
    assert 'data-proof="ok"' in proof
    assert "账本记录：本批次已召回。原因：</strong>部分果品运输途中受冻" in proof
    db.execute("DROP TRIGGER status_events_no_update")
    db.execute("UPDATE status_events SET reason = '供货商例行复检（非质量问题）'")
    db.execute("UPDATE batches SET status_reason = '供货商例行复检（非质量问题）'")
    proof = client.get(f"/ledger/proof?gtin={GTIN}&lot={LOT}").get_data(as_text=True)
    assert 'data-proof="bad"' in proof and "记录对不上" in proof
    assert "status_events:1 has changed since it was logged" in proof


def test_machine_addresses_answer_json_and_allow_any_origin(client, keyed):
    bad = client.get("/ledger/consistency?from=x&to=1")
    assert bad.status_code == 400 and bad.is_json
    assert client.get("/ledger/proof.json?gtin=1&lot=x").is_json
    client.get("/ledger/checkpoint")
    sizes = client.get("/ledger/checkpoints")
    assert sizes.headers["Access-Control-Allow-Origin"] == "*" and sizes.get_json()[0]["size"] > 0
    good = client.get(f"/ledger/consistency?from=1&to={sizes.get_json()[0]['size']}")
    assert good.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("size", ["9223372036854775808", "9" * 40, "9223372036854775807"])
def test_a_huge_checkpoint_size_is_not_found(client, keyed, size):
    assert client.get(f"/ledger/checkpoint/{size}").status_code == 404


def test_the_proof_page_fits_a_phone_with_its_details_open(browser, live_server, keyed, db):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                  is_mobile=True, device_scale_factor=2)
    try:
        page = context.new_page()
        serial = parse_code(keyed[0], BASE_URL).serial
        response = page.goto(f"{live_server}/ledger/proof?gtin={GTIN}&lot={LOT}&serial={serial}")
        assert response.status == 200
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true })")
        assert page.locator(".proofs dd").first.is_visible()
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways: {width} px"
    finally:
        context.close()


def test_one_network_may_ask_for_a_limited_number_of_proofs(client, keyed):
    """A proof rebuilds its top-up's tree: a third of a second for 100,000 codes."""
    item = parse_code(keyed[0], BASE_URL)
    page = f"/ledger/proof?gtin={GTIN}&lot={LOT}&serial={item.serial}"
    allowed = bundle.PROOFS_PER_NETWORK.attempts
    for number in range(allowed):
        path = page if number % 2 else page.replace("/proof?", "/proof.json?")
        assert client.get(path).status_code == 200, number
    refused = client.get(page)
    assert refused.status_code == 429 and "请一分钟后再试" in refused.get_data(as_text=True)
    assert client.get(page.replace("/proof?", "/proof.json?")).status_code == 429
    # Another network still gets its proofs, and buyers' verify pages are not counted.
    elsewhere = client.get(page, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert elsewhere.status_code == 200 and 'data-proof="ok"' in elsewhere.get_data(as_text=True)
    assert client.get(keyed[0][len(BASE_URL):]).status_code == 200
