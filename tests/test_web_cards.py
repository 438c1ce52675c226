"""The verify page's batch cards, rendered once per batch version and language."""

import re

from trace import recalls

from conftest import BASE_URL, GTIN, LOT


def _cards(html: str) -> str:
    """The page from the first batch-level card to the lab card's end."""
    main = html.split("<main>")[1]
    return main[main.index("<h2>商品信息") if "商品信息" in main else main.index("<h2>Product"):
                main.index("</section>", main.index('id="lab"'))]


def test_a_cached_page_shows_what_a_fresh_render_shows(app, client, issued_urls):
    paths = [url[len(BASE_URL):] for url in issued_urls]
    first = client.get(paths[0]).get_data(as_text=True)
    assert app.extensions["trace.cards"]  # the cards were kept
    again = client.get(paths[1]).get_data(as_text=True)
    app.extensions["trace.cards"].clear()
    fresh = client.get(paths[1]).get_data(as_text=True)
    assert _cards(again) == _cards(fresh)

    def without_serial(html: str) -> str:
        serial = re.search(r'nowrap">(\w{4}-\w{4}-\w{4})</dd>', html).group(1)
        return _cards(html).replace(serial, "")
    assert without_serial(first) == without_serial(fresh)
    assert "诸暨淡水珍珠项链" in _cards(again) and LOT in _cards(again)


def test_each_language_gets_its_own_cards(client, issued_urls):
    path = issued_urls[0][len(BASE_URL):]
    chinese = client.get(path).get_data(as_text=True)
    english = client.get(path + "&lang=en").get_data(as_text=True)
    assert "商品信息" in _cards(chinese) and "Product" in _cards(english)
    assert "商品信息" not in _cards(english) and "检测报告" not in _cards(english)
    again = client.get(path + "&lang=zh").get_data(as_text=True)  # English remembered till then
    assert again.count("商品信息") == chinese.count("商品信息")


def test_a_product_renamed_shows_on_the_next_scan(client, db, issued_urls):
    path = issued_urls[0][len(BASE_URL):]
    assert "诸暨淡水珍珠项链" in client.get(path).get_data(as_text=True)
    db.execute("UPDATE products SET name = '诸暨淡水珍珠手链' WHERE gtin = ?", [GTIN])
    html = client.get(issued_urls[1][len(BASE_URL):]).get_data(as_text=True)
    assert "诸暨淡水珍珠手链" in html and "诸暨淡水珍珠项链" not in html


def test_a_recall_and_a_failed_report_show_on_the_next_scan(app, client, db, issued_urls):
    from test_web_public import _stored_report
    path = issued_urls[0][len(BASE_URL):]
    assert 'data-verdict="genuine"' in client.get(path).get_data(as_text=True)
    _stored_report(app, db, items=[{"name": "联苯菊酯", "result": "5.8", "verdict": "不合格"}])
    html = client.get(path).get_data(as_text=True)
    assert "本批次检测有不合格项目：联苯菊酯" in html
    recalls.recall_batch(db, GTIN, LOT, "联苯菊酯超标", actor="qc")
    html = client.get(path).get_data(as_text=True)
    assert 'data-verdict="recalled"' in html and "联苯菊酯超标" in html


def test_the_item_parts_stay_the_items_own(client, issued_urls):
    """The serial, the claim form and the ledger link are never taken from the cache."""
    for url in issued_urls[:3]:
        html = client.get(url[len(BASE_URL):]).get_data(as_text=True)
        serial = re.search(r"/21/([^?]+)", url).group(1)
        assert f"serial={serial}" in html and html.count(serial) >= 3


def test_a_restore_while_serving_shows_the_restored_batch(app, client, db, issued_urls,
                                                          tmp_path):
    """The restored database may reach the very version the replaced one had, with
    other contents: its new epoch keeps the replaced one's cards from showing."""
    from trace.backups import backup, restore
    path = issued_urls[0][len(BASE_URL):]
    backup(app.config["DATABASE"], tmp_path / "before-recall.db")
    recalls.recall_batch(db, GTIN, LOT, "联苯菊酯超标", actor="qc")
    assert "联苯菊酯超标" in client.get(path).get_data(as_text=True)
    restore(tmp_path / "before-recall.db", app.config["DATABASE"], app.config["KEYS_DIR"])
    assert 'data-verdict="genuine"' in client.get(path).get_data(as_text=True)
    recalls.recall_batch(db, GTIN, LOT, "珠层厚度不达标", actor="qc")  # the same writes
    html = client.get(path).get_data(as_text=True)
    assert "珠层厚度不达标" in html and "联苯菊酯超标" not in html
