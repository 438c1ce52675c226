"""The agency's workspace: only commissioned batches, reports signed by the platform
with the agency's key, corrections, and refusals that store nothing."""

from __future__ import annotations

import io
import re

import pytest

from trace import agencies, catalog
from trace.inspections import lists, store
from trace.inspections import commissions, drafts, signing

from conftest import CREDIT_CODE, GTIN, LOT, post_form
from test_inspections_store import PDF

ITEMS = "珠层厚度 | 0.42 | mm | ≥0.3 | 合格 | GB/T 18781\n光泽 | 强 B | | | —"


@pytest.fixture
def lab(app, client, db, make_batch, make_account, sign_in):
    make_batch()
    agency, _ = agencies.add_agency(db, "浙江省珍珠检测中心", "231012341234", "L1234",
                                    keys_dir=app.config["KEYS_DIR"])
    sign_in(client, make_account("agency", "lab@lab.example.cn", org=str(agency.id)))
    return agency


def report_form(**changes) -> dict:
    """The form as signed from its check page (test_a_report_is_checked_as_buyers_see_it
    goes through that page)."""
    form = {"batch": "1", "report_no": "ZJPQ-2026-0901", "type": "委托检验",
            "issued_on": "2026-11-20", "conclusion": "所检项目符合要求", "items": ITEMS,
            "pdf": (io.BytesIO(PDF), "report.pdf"), "confirmed": "1"}
    form.update(changes)
    return form


def test_an_uncommissioned_batch_is_not_offered_and_cannot_be_signed(client, db, lab):
    assert "还没有供货商委托" in client.get("/agency/").get_data(as_text=True)
    refused = post_form(client, "/agency/reports/new", report_form(), page="/agency/")
    assert refused.status_code == 400
    assert db.execute("SELECT count(*) FROM inspection_reports").fetchone()[0] == 0


def test_sign_a_report_with_its_pdf_then_correct_it(client, db, lab):
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")
    made = post_form(client, "/agency/reports/new",
                     report_form(pdf=(io.BytesIO(PDF), "report.pdf")), page="/agency/",
                     content_type="multipart/form-data")
    assert made.status_code == 303
    home = client.get("/agency/").get_data(as_text=True)
    assert "已签发报告 ZJPQ-2026-0901（第 1 版）" in home and "签发更正版" in home
    assert "报告有不合格项目" not in home  # all passed: nothing more to say
    [shown] = store.served_reports(db, 1)
    assert shown["signature_ok"] and shown["report"]["items"][1] == {
        "name": "光泽", "result": "强 B", "verdict": "—", "qualifier": "grade", "value": "强 B"}
    assert shown["report"]["items"][0]["qualifier"] == "=" and \
        shown["report"]["items"][0]["value"] == "0.42"  # read from the printed result
    assert store.load_pdf(db, shown["report"]["pdf_sha256"]) == PDF
    unexplained = post_form(client, "/agency/reports/new", report_form(
        supersedes="1", conclusion="所检项目符合要求（更正）"), page="/agency/")
    assert unexplained.status_code == 400 and "请写明更正原因" in unexplained.get_data(as_text=True)
    assert len(store.served_reports(db, 1)) == 1
    post_form(client, "/agency/reports/new", report_form(
        supersedes="1", conclusion="所检项目符合要求（更正）", reason="光泽等级录入有误",
        items=ITEMS.replace("强 B", "强 A")), page="/agency/")
    served = store.served_reports(db, 1)
    assert [(s["report"]["version"], s["current"]) for s in served] == [("2", True), ("1", False)]
    assert served[0]["report"]["pdf_sha256"] == served[1]["report"]["pdf_sha256"]  # kept
    assert served[0]["report"]["reason"] == "光泽等级录入有误"
    page = client.get(f"/01/{GTIN}/10/{LOT}").get_data(as_text=True)
    assert "更正原因" in page and "光泽等级录入有误" in page
    assert "下一版改为：<span>光泽</span> <span>强 B —</span> → <span>强 A —</span>" in page
    assert "这份原件是第 1 版时上传的：本版更正的是录入到网页上的内容" in page  # PDF kept
    # The lab's own list: which version corrected the first, and why.
    home = client.get("/agency/").get_data(as_text=True)
    assert '<span class="version-state old">已被更正（更正版是第 2 版）</span>' in home
    assert '<span class="version-state now">现行版本（更正了第 1 版）</span>' in home
    assert "本版更正第 1 版的原因：光泽等级录入有误" in home  # not read as why it was replaced
    assert "签发 2026-11-20 · 上传 " in home  # the report's own date, and when it came
    assert home.count("，上传人 lab@lab.example.cn") == 2  # each version, by whom


def test_an_old_correction_link_opens_the_current_version_and_says_so(client, db, lab):
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")
    post_form(client, "/agency/reports/new", report_form(), page="/agency/",
              content_type="multipart/form-data")
    post_form(client, "/agency/reports/new", report_form(
        supersedes="1", conclusion="所检项目符合要求（更正）", reason="结论措辞"), page="/agency/",
        content_type="multipart/form-data")
    old = client.get("/agency/reports/new?report_no=ｚｊｐｑ－２０２６－０９０１&supersedes=1")
    html = old.get_data(as_text=True)
    assert old.status_code == 200 and "第 1 版已经被更正过；下面是现行的第 2 版" in html
    assert 'name="supersedes" value="2"' in html and "所检项目符合要求（更正）" in html


def test_a_report_signed_in_error_is_withdrawn_with_its_reason(client, db, lab):
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")
    post_form(client, "/agency/reports/new", report_form(), page="/agency/",
              content_type="multipart/form-data")
    home = client.get("/agency/").get_data(as_text=True)
    assert "/agency/reports/withdraw?report_no=ZJPQ-2026-0901" in home
    # Typed as a Chinese keyboard writes it, the number still finds the report.
    form = client.get("/agency/reports/withdraw?report_no=ｚｊｐｑ－２０２６－０９０１")
    html = form.get_data(as_text=True)
    assert form.status_code == 200 and "撤回检测报告" in html and "所检项目符合要求" in html
    assert "签发更正版" in html and "淡水珍珠项链" in html  # the product, not only the lot
    for refused, message in (({"reason": "  ", "confirm": "1"}, "请写明撤回原因"),
                             ({"reason": "样品并非取自本批次"}, "请勾选确认")):
        answer = post_form(client, "/agency/reports/withdraw",
                           {"report_no": "ZJPQ-2026-0901", **refused}, page="/agency/")
        assert answer.status_code == 400 and message in answer.get_data(as_text=True)
        assert "样品并非取自本批次" in answer.get_data(as_text=True) or not refused["reason"].strip()
    assert len(store.served_reports(db, 1)) == 1
    both = post_form(client, "/agency/reports/withdraw", {"report_no": "ZJPQ-2026-0901"},
                     page="/agency/").get_data(as_text=True)
    assert "请写明撤回原因" in both and "请勾选确认" in both  # said together, not in turn
    done = post_form(client, "/agency/reports/withdraw",
                     {"report_no": "ZJPQ-2026-0901", "reason": "样品并非取自本批次",
                      "confirm": "1"}, page="/agency/")
    assert done.status_code == 303
    home = client.get("/agency/").get_data(as_text=True)
    assert "已撤回报告 ZJPQ-2026-0901" in home and "withdraw?report_no" not in home
    assert "已被撤回（撤回声明是第 2 版）" in home  # the version it withdrew, not "corrected"
    assert '"version-state old">撤回声明（撤回了第 1 版）' in home  # which is which, and why
    assert "撤回第 1 版的原因：样品并非取自本批次" in home
    assert [row[0] for row in db.execute("SELECT uploaded_by FROM inspection_reports "
                                         "ORDER BY id")] == ["lab@lab.example.cn"] * 2
    withdrawn, original = store.served_reports(db, 1)
    assert withdrawn["signature_ok"] and withdrawn["current"] and not original["current"]
    assert withdrawn["report"]["status"] == "withdrawn" and withdrawn["report"]["items"] == []
    page = client.get(f"/01/{GTIN}/10/{LOT}").get_data(as_text=True)
    assert "撤回这份报告" in page and "样品并非取自本批次" in page
    assert "目前没有有效的检测报告" in page  # said at once, above the cards
    assert "第 1 版 · 2026-11-20 · 所检项目符合要求" in page  # the withdrawn one stays listed
    assert "珠层厚度" not in page  # its findings no longer stand
    again = post_form(client, "/agency/reports/withdraw",
                      {"report_no": "ZJPQ-2026-0901", "reason": "再撤一次", "confirm": "1"},
                      page="/agency/")
    assert again.status_code == 409 and len(store.served_reports(db, 1)) == 2
    revived = post_form(client, "/agency/reports/new", report_form(
        supersedes="2", reason="复检合格"), page="/agency/", content_type="multipart/form-data")
    assert revived.status_code == 409 and "请签发新编号的报告" in revived.get_data(as_text=True)
    stale_link = client.get("/agency/reports/new?report_no=ZJPQ-2026-0901&supersedes=1")
    assert stale_link.status_code == 409 and "已经撤回" in stale_link.get_data(as_text=True)
    unnamed = client.get("/agency/reports/withdraw").get_data(as_text=True)
    assert "请写明报告编号" in unnamed
    # The error keeps the lab's own frame: its name and its menu, not a bare e-mail.
    assert "浙江省珍珠检测中心" in unnamed and 'href="/agency/reports/new"' in unnamed
    missing = client.get("/agency/reports/withdraw?report_no=NOPE")
    assert missing.status_code == 404 and "没有编号为 NOPE 的报告" in missing.get_data(as_text=True)


@pytest.mark.parametrize("changes, message", [
    ({"items": "珠层厚度 | 0.42"}, "第 1 行"),
    ({"issued_on": ""}, "签发日期：不能为空"),
    ({"issued_on": "2026/11/31"}, "YYYY-MM-DD"),
    ({"type": "监督抽检"}, "未获指派抽检"),
    ({"pdf": (io.BytesIO(b"GIF89a"), "x.pdf")}, "不是 PDF"),
])
def test_a_refused_report_says_why_and_keeps_what_was_typed(client, db, lab, changes, message):
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")
    response = post_form(client, "/agency/reports/new", report_form(**changes),
                         page="/agency/", content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code in (400, 403) and message in html
    assert "所检项目符合要求" in html  # the conclusion is still in the form
    assert db.execute("SELECT count(*) FROM inspection_reports").fetchone()[0] == 0


def test_every_problem_of_the_form_is_said_at_once(client, db, lab):
    """A clerk fixed one problem a submit, and chose the PDF again each time."""
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")
    form = report_form(issued_on="2026-02-30", conclusion=" ",
                       items="珠层厚度 | 0.42\n光泽 | 强 B | | | —\n瑕疵 | 9 | 个 | ≤2 | 合格")
    del form["pdf"]
    refused = post_form(client, "/agency/reports/new", form, page="/agency/",
                        content_type="multipart/form-data")
    html = refused.get_data(as_text=True)
    alert = html[html.index('role="alert"'):html.index("</div>", html.index('role="alert"'))]
    assert refused.status_code == 400 and "请修改以下 5 处" in alert
    for said in ("第 1 行：缺少判定", "第 3 行的单项判定：写的是“合格”，但瑕疵的结果 9 个 不在标准要求",
                 "签发日期：2026-02-30 不是有效日期", "检验结论：不能为空",
                 "请选择检测报告原件（PDF）"):
        assert said in alert, said  # an unreadable line hides no other line's problem
    assert alert.count("<li>") == 5  # the bad lines are not said again as "no items"
    assert "所检项目" not in html and "2026-02-30" in html  # what was typed stays
    assert 'id="issued_on" name="issued_on" type="text"' in html  # a date box would show it empty
    marked = set(re.findall(r'id="(\w+)"[^>]*aria-invalid="true"', html))
    assert marked == {"items", "issued_on", "conclusion", "pdf"}  # each beside the list
    assert db.execute("SELECT count(*) FROM inspection_reports").fetchone()[0] == 0
    # The lines parsed, the item judged against its limit is said too, with the rest.
    form.update(items="瑕疵 | 9 | 个 | ≤2 | 合格", pdf=(io.BytesIO(PDF), "report.pdf"))
    html = post_form(client, "/agency/reports/new", form, page="/agency/",
                     content_type="multipart/form-data").get_data(as_text=True)
    assert "请修改以下 3 处" in html and "第 1 行的单项判定" in html and "≤2 之内" in html


def test_a_new_report_needs_its_pdf_and_a_refused_form_says_to_choose_it_again(client, db,
                                                                               lab):
    """After a refused form the browser had dropped the chosen PDF, and the next
    submit published a signed report without its original, for good."""
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")
    form = report_form()
    del form["pdf"]
    refused = post_form(client, "/agency/reports/new", form, page="/agency/",
                        content_type="multipart/form-data")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "请选择检测报告原件（PDF）" in html
    assert "出错后请重新选择 PDF 文件" in html
    assert db.execute("SELECT count(*) FROM inspection_reports").fetchone()[0] == 0
    fresh = client.get("/agency/reports/new").get_data(as_text=True)
    assert 'accept="application/pdf" required' in fresh and "出错后请重新选择" not in fresh


def test_an_agency_awaiting_approval_cannot_sign(app, client, db, make_batch, make_account,
                                                 sign_in):
    make_batch()
    waiting, _ = agencies.add_agency(db, "待审核检测所", "231012341299")
    db.execute("INSERT INTO commissions (batch_id, agency_id, kind, actor, at) "
               "VALUES (1, ?, 'commission', 'x', 'now')", [waiting.id])
    sign_in(client, make_account("agency", "wait@lab.example.cn", org=str(waiting.id)))
    response = post_form(client, "/agency/reports/new", report_form(), page="/agency/")
    assert response.status_code == 403 and "尚未通过平台审核" in response.get_data(as_text=True)


def test_supplier_commissions_and_operator_assigns(app, db, make_batch, make_account, sign_in):
    from trace import catalog
    from conftest import CREDIT_CODE
    make_batch()
    agency, _ = agencies.add_agency(db, "浙江省珍珠检测中心", "231012341234",
                                    keys_dir=app.config["KEYS_DIR"])
    supplier = sign_in(app.test_client(), make_account("supplier", "qc@p.example.cn",
                                                       org=CREDIT_CODE))
    page = f"/supplier/batches/{GTIN}/{LOT}"
    done = post_form(supplier, page + "/commission", {"agency": str(agency.id)}, page=page)
    assert done.headers["Location"].endswith("#lab")
    shown = supplier.get(page).get_data(as_text=True)
    assert "已委托 浙江省珍珠检测中心：该机构登录后会在工作台看到这个批次" in shown
    assert "平台不代寄样品" in shown  # what the clerk does next
    assert 'id="agency"' not in shown  # the only lab, commissioned already: not offered again
    operator = sign_in(app.test_client(), make_account("admin", "ops@t.example.cn"))
    offered = operator.get("/admin/").get_data(as_text=True)  # picked, not typed from memory
    assert f'<option value="{LOT}" label="诸暨淡水珍珠项链 · {GTIN[1:]}">' in offered  # as printed
    post_form(operator, "/admin/assign", {"gtin": GTIN, "lot": LOT, "agency": str(agency.id)},
              page="/admin/")
    kinds = {row["kind"] for row in lists.batches_for(db, agency.id)}
    assert kinds == {"commission", "assignment"}
    # A 神秘抽检 announced to the supplier is no mystery: it sees its own commission only.
    other, _ = agencies.add_agency(db, "浙江方圆检测集团", "231012340555",
                                   keys_dir=app.config["KEYS_DIR"])
    post_form(operator, "/admin/assign", {"gtin": GTIN, "lot": LOT, "agency": str(other.id)},
              page="/admin/")
    seen = supplier.get(page).get_data(as_text=True)
    listed = seen.split("可为本批次签发报告的机构：")[1].split("</ul>")[0]
    assert "浙江省珍珠检测中心" in listed and "浙江方圆检测集团" not in listed
    assert "平台指派抽检" not in seen
    bad = post_form(operator, "/admin/assign", {"gtin": GTIN, "lot": "NOPE", "agency": "1"},
                    page="/admin/")
    assert bad.status_code == 404 and catalog.get_batch(db, GTIN, LOT)
    html = bad.get_data(as_text=True)  # beside the form, with what was typed kept
    assert "没有登记这个批次" in html and 'value="NOPE"' in html and f'value="{GTIN}"' in html


def test_the_empty_form_shows_no_stray_text(client, db, lab):
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")
    html = client.get("/agency/reports/new").get_data(as_text=True)
    assert "built-in method" not in html and "上传报告原件（PDF）" in html
    assert '<option value="" disabled selected>请选择批次' in html  # none chosen for the clerk
    chosen = client.get("/agency/reports/new?batch=1").get_data(as_text=True)
    assert "请选择批次" not in chosen and '<option value="1" selected' in chosen
    # Two suppliers' huyou look alike: each batch is named with its supplier, and a
    # batch not listed says why (the supplier has not commissioned this lab).
    assert f"{LOT} · 诸暨市山下湖明珠珍珠有限公司 (供货商委托)</option>" in html
    assert "找不到要签发的批次？这里只列出委托了贵机构的批次" in html


def test_the_example_lines_are_for_the_goods_of_the_batch_chosen(client, db, lab, make_batch):
    """A food lab typing 胡柚 residues was shown a pearl's and a bedsheet's rows."""
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")
    fruit = make_batch(gtin="06901234567892", lot="HY-2611", name="常山胡柚")
    commissions.commission(db, "06901234567892", "HY-2611", lab.id, actor="qc")

    def placeholder(html: str) -> str:
        return re.search(r'<textarea id="items"[^>]* placeholder="([^"]*)"', html).group(1)

    html = client.get(f"/agency/reports/new?batch={fruit.id}").get_data(as_text=True)
    assert placeholder(html).startswith("克百威 | 未检出 | mg/kg | ≤0.02 | 合格")
    assert "光洁度" not in placeholder(html) and "甲醛" not in placeholder(html)
    pearl = re.search(r'<option value="1"[^>]* data-example="([^"]*)"', html).group(1)
    assert pearl.startswith("鉴定结论 | 淡水养殖珍珠")  # for the script to show on a new choice
    none_chosen = client.get("/agency/reports/new").get_data(as_text=True)
    assert [line.split(" | ")[0] for line in placeholder(none_chosen).splitlines()] == \
        ["联苯菊酯", "甲醛含量", "光洁度"]  # no batch, no scope: one of each kind
    agencies.set_details(db, lab.id, scope="纺织品、家纺床品", address=None, cnas=None,
                         phone=None)
    textile_lab = client.get("/agency/reports/new").get_data(as_text=True)
    assert placeholder(textile_lab).startswith("甲醛含量")  # the lab's scope says its goods


def test_a_correction_starts_from_the_version_it_corrects(client, db, lab):
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")
    post_form(client, "/agency/reports/new", report_form(), page="/agency/")
    html = client.get("/agency/reports/new?report_no=ZJPQ-2026-0901&supersedes=1").get_data(
        as_text=True)
    assert "珠层厚度 | 0.42 | mm | ≥0.3 | 合格 | GB/T 18781" in html
    from trace.clock import beijing_today  # a correction is issued the day it is made
    assert f'value="{beijing_today().isoformat()}"' in html and "更正第 1 版" in html
    other = client.get("/agency/reports/new?report_no=NOPE&supersedes=1")
    assert other.status_code == 404


def test_an_agency_keeping_its_own_key_is_told_on_the_form_not_after_it(client, db, lab):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from trace import keys
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")
    assert 'type="submit">' in client.get("/agency/reports/new").get_data(as_text=True)
    public = Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    record = keys.register_public_key(db, lab.key_role, public)
    page = client.get("/agency/reports/new").get_data(as_text=True)
    assert f"贵机构的签名密钥（{record.kid}）由贵机构自行保管" in page
    assert "提交后，平台用贵机构的签名密钥签名" not in page


def test_a_lab_and_the_public_are_told_who_holds_its_signing_key(app, client, db, lab):
    """A trial's journalist checked a report's signature and it held, but nothing
    said the platform holds the lab's key and signs for its staff: her check proved
    only that our server signed it."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from trace import keys
    platform_kid = keys.active_key(db, lab.key_role).kid
    card = client.get("/agency/profile").get_data(as_text=True).split('id="signing-key"')[1]
    assert f"贵机构报告的签名密钥（{platform_kid}）由平台代为保管" in card
    assert 'href="/keys"' in card
    public_page = client.get("/keys").get_data(as_text=True)
    row = public_page.split(platform_kid, 1)[1].split("</tr>", 1)[0]
    assert "私钥由平台代为保管" in row and "浙江省珍珠检测中心" in row
    listed = {k["kid"]: k for k in client.get("/.well-known/trace-keys.json").get_json()["keys"]}
    assert listed[platform_kid]["held_by"] == "platform"
    public = Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    own = keys.register_public_key(db, lab.key_role, public)
    keys.retire_key(db, platform_kid)
    card = client.get("/agency/profile").get_data(as_text=True).split('id="signing-key"')[1]
    assert f"贵机构的签名密钥（{own.kid}）由贵机构自行保管" in card and "代为保管" not in card
    row = client.get("/keys").get_data(as_text=True).split(own.kid, 1)[1].split("</tr>", 1)[0]
    assert "私钥由检测机构自己保管，平台无法代签" in row


def test_a_platform_key_whose_file_is_lost_is_not_called_the_labs_own(app, client, db, lab):
    """The operator lost the keys folder: the lab is told to ask the platform, not
    that it keeps its own key, and nothing is stored."""
    from pathlib import Path
    from trace import keys
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")
    kid = keys.active_key(db, lab.key_role).kid
    (Path(app.config["KEYS_DIR"]) / f"{kid}.pem").unlink()
    page = client.get("/agency/reports/new").get_data(as_text=True)
    assert f"平台服务器上找不到贵机构的签名密钥（{kid}）" in page and "自行保管" not in page
    assert 'type="submit">' not in page
    answer = post_form(client, "/agency/reports/new", report_form(), page="/agency/",
                       content_type="multipart/form-data")
    assert "请联系平台运营者" in answer.get_data(as_text=True) and answer.status_code == 409
    assert "平台的密钥配置出了问题" not in answer.get_data(as_text=True)  # told what, not vaguely
    home = client.get("/agency/").get_data(as_text=True)  # said before any form is opened
    notice = home.split('id="key-notice">', 1)[1].split("</p>", 1)[0]
    assert kid in notice and 'href="tel:' in notice
    assert db.execute("SELECT count(*) FROM inspection_reports").fetchone()[0] == 0


def workbook(rows: list[list]) -> bytes:
    """A sheet as Excel saves it: a date cell, numbers as numbers."""
    import openpyxl
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


SHEET_HEAD = ["报告编号", "检验类别", "商品条码", "批次号", "签发日期", "检验结论", "检测项目",
              "检测结果", "单位", "标准要求", "判定"]


def test_the_form_is_filled_in_from_the_labs_sheet_then_signed(client, db, lab):
    from datetime import datetime
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")
    sheet = workbook([["浙江省珍珠检测中心 检测结果"], SHEET_HEAD,  # a title row above
                      ["ZJPQ-2026-0902", "委托检验", int(GTIN), LOT.lower(),
                       datetime(2026, 11, 20), "所检项目符合要求", "珠层厚度", 0.42, "mm",
                       "≥0.3", "合格"],
                      ["ZJPQ-2026-0902", "委托检验", int(GTIN), LOT.lower(),
                       datetime(2026, 11, 20), "所检项目符合要求", "光洁度", "A", "", "",
                       "合格"]])
    filled = post_form(client, "/agency/reports/from-sheet",  # the PDF chosen first
                       {"sheet": (io.BytesIO(sheet), "结果.xlsx"), "report_no": "ZJPQ-2026-0092",
                        "pdf": (io.BytesIO(PDF), "ZJPQ-2026-0902.pdf")},
                       page="/agency/reports/new", content_type="multipart/form-data")
    html = filled.get_data(as_text=True)
    assert filled.status_code == 200 and "已从 结果.xlsx 填入" in html
    assert "已选择报告原件：ZJPQ-2026-0902.pdf" in html  # not to be chosen again
    assert "表格里的报告编号与您原来填写的不同，已按表格填入" in html  # a typed number replaced
    assert 'value="ZJPQ-2026-0902"' in html and 'value="2026-11-20"' in html
    assert "珠层厚度 | 0.42 | mm | ≥0.3 | 合格" in html and 'value="1" selected' in html
    assert db.execute("SELECT count(*) FROM inspection_reports").fetchone()[0] == 0  # unsigned


@pytest.mark.parametrize("name, data, said", [
    ("note.xlsx", b"PK\x03\x04 not really a workbook", "无法读取这个 Excel 文件"),
    ("two.csv", ("报告编号,检验类别,商品条码,批次号,签发日期,检验结论,检测项目,检测结果,判定\n"
                 f"A-1,委托检验,{GTIN},{LOT},2026-11-20,合格,铅,0.1,合格\n"
                 f"A-2,委托检验,{GTIN},{LOT},2026-11-20,合格,铅,0.1,合格\n").encode(),
     "里有 2 份报告"),
    ("other.csv", ("报告编号,检验类别,商品条码,批次号,签发日期,检验结论,检测项目,检测结果,判定\n"
                   f"A-1,委托检验,{GTIN},SPARE-1,2026-11-20,合格,铅,0.1,合格\n").encode(),
     "不是委托或指派贵机构检测的批次"),
    ("typo.csv", ("报告编号,检验类别,商品条码,批次号,签发日期,检验结论,检测项目,检测结果,判定\n"
                  f"A-1,委托检验,{GTIN},ZJ-9999-X,2026-11-20,合格,铅,0.1,合格\n").encode(),
     "没有登记批次 ZJ-9999-X"),
    ("ng.csv", ("报告编号,检验类别,商品条码,批次号,签发日期,检验结论,检测项目,检测结果,判定\n"
                f"A-1,委托检验,{GTIN},{LOT},2026-11-20,合格,铅,0.1,NG\n").encode(),
     "第 1 个检测项目的单项判定"),  # said before the clerk picks the PDF, not after
    ("renamed.xlsx", "报告编号,检验类别\n".encode(), "不是 Excel 文件"),
    ("report.csv", PDF, "是 PDF 文件，不是表格"),
    ("IMG_0001.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4,
     "不是能读取的表格"),  # a photo picked by mistake
])
def test_a_sheet_that_cannot_fill_the_form_says_why(client, db, lab, make_batch, name, data,
                                                    said):
    make_batch(lot="SPARE-1")  # registered, but no lab was asked to test it
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")
    refused = post_form(client, "/agency/reports/from-sheet",
                        {"sheet": (io.BytesIO(data), name)}, page="/agency/reports/new",
                        content_type="multipart/form-data")
    assert refused.status_code == 400 and said in refused.get_data(as_text=True)


def test_a_sheet_signing_would_refuse_still_fills_the_form_to_put_right(client, db, lab):
    """A textile lab's sheet failed an item under a passing conclusion: the refusal
    left the items box empty, so the clerk could not see which row it meant."""
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")
    sheet = ("报告编号,检验类别,商品条码,批次号,签发日期,检验结论,检测项目,检测结果,单位,技术要求,判定\n"
             f"ZJFZ-1121,委托检验,{GTIN},{LOT},2026-11-20,所检项目符合 GB 18401-2010 B类要求,"
             "耐水色牢度（沾色）,2-3,级,≥3,不合格\n").encode()
    refused = post_form(client, "/agency/reports/from-sheet",
                        {"sheet": (io.BytesIO(sheet), "附表.csv")}, page="/agency/reports/new",
                        content_type="multipart/form-data")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "耐水色牢度（沾色）判定为不合格，请在结论里写明" in page
    items = page[page.index('name="items"'):]
    assert "耐水色牢度（沾色） | 2-3 | 级 | ≥3 | 不合格" in items[:items.index("</textarea>")]
    assert 'value="ZJFZ-1121"' in page and not db.execute(
        "SELECT count(*) FROM inspection_reports").fetchone()[0]


def test_a_sheet_without_the_date_and_conclusion_fills_the_form_and_names_them(
        client, db, lab):
    """Lab sheets seldom carry the date or the conclusion: a trial's sheet (a title, 报告编号：
    in one cell, then the items' table) was refused whole, its number and items lost."""
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")
    [batch_id] = [row[0] for row in db.execute("SELECT id FROM batches")]
    sheet = ("浙江省食品检验研究院 检验报告 附表\n报告编号：ZJSP-2026-H1201\n\n"
             "序号,检测项目,单位,技术要求,检测结果,单项判定,检测方法\n"
             "1,多菌灵,mg/kg,≤5,0.12,合格,GB 23200.113\n").encode()
    filled = post_form(client, "/agency/reports/from-sheet",
                       {"sheet": (io.BytesIO(sheet), "附表.csv"), "batch": str(batch_id),
                        "type": "委托检验", "report_no": "ZJSP-TYPED-1"},
                       page="/agency/reports/new", content_type="multipart/form-data")
    page = filled.get_data(as_text=True)
    # Not a fault of the clerk's on the way: no red list, no "choose the PDF again".
    assert filled.status_code == 200 and 'role="alert"' not in page and "重新选择 PDF" not in page
    assert '<p class="notice notice-warn" role="status">表格里没有签发日期、检验结论，请在下方填写。</p>' \
        in page
    assert 'name="issued_on" type="text" aria-invalid="true"' in page
    assert 'value="ZJSP-2026-H1201"' in page and "多菌灵 | 0.12 | mg/kg | ≤5 | 合格" in page
    assert "报告编号" in page[page.index("附表.csv"):][:300]  # the typed number replaced: said


def test_a_sheet_with_a_batch_id_not_offered_asks_for_the_batch(client, db, lab):
    """A crafted batch id, in no list the lab was offered, with a sheet naming no batch:
    the form asks for the batch (it was a 500)."""
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")
    sheet = "检测项目,检测结果,判定\n多菌灵,0.12,合格\n".encode()
    asked = post_form(client, "/agency/reports/from-sheet",
                      {"sheet": (io.BytesIO(sheet), "附表.csv"), "batch": "99999"},
                      page="/agency/reports/new", content_type="multipart/form-data")
    asked_page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "请在下方选择批次（表格里没有同时写明商品条码和批次号）" in asked_page
    assert "表格里没有报告编号、检验类别、签发日期、检验结论，请在下方填写" in asked_page
    assert db.execute("SELECT count(*) FROM inspection_reports").fetchone()[0] == 0


def test_a_sheet_naming_no_batch_but_failing_an_item_is_said_as_a_fault(client, db, lab):
    """Left empty and wrong at once: the wrong is what the clerk must read, in red."""
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")
    sheet = ("报告编号,检验类别,批次号,签发日期,检验结论,检测项目,检测结果,判定\n"
             f"A-1,委托检验,{LOT},2026-11-20,合格,铅,0.1,NG\n").encode()
    refused = post_form(client, "/agency/reports/from-sheet",
                        {"sheet": (io.BytesIO(sheet), "nogtin.csv")},
                        page="/agency/reports/new", content_type="multipart/form-data")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'role="alert"' in page
    assert "请在表单里选择批次（表格里没有同时写明商品条码和批次号）" in page and "单项判定" in page


def test_a_report_number_typed_full_width_is_signed_as_written_plainly(client, db, lab):
    """The form signed ＺＪＰＱ－２０２６－０９０１ as typed: buyers and --pdf-dir read
    another number than the one on the PDF."""
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")
    made = post_form(client, "/agency/reports/new",
                     report_form(report_no=" ｚｊｐｑ－２０２６－０９０１ "), page="/agency/",
                     content_type="multipart/form-data")
    assert made.status_code == 303
    assert [row[0] for row in db.execute("SELECT report_no FROM inspection_reports")] == [
        "ZJPQ-2026-0901"]


def test_a_refused_sheet_leaves_the_batch_the_clerk_chose(client, db, lab, make_batch):
    """The form fell back to the first batch listed: typed on, a report would be
    signed for the wrong batch."""
    make_batch(lot="ED-2611-B")
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")
    commissions.commission(db, GTIN, "ED-2611-B", lab.id, actor="qc")  # listed first, newest
    chosen = str(catalog.get_batch(db, GTIN, LOT).id)
    assert f'<option value="{chosen}" selected ' in client.get(
        f"/agency/reports/new?batch={chosen}").get_data(as_text=True)
    refused = post_form(client, "/agency/reports/from-sheet", {
        "batch": chosen, "report_no": "ZJPQ-2026-0950", "items": ITEMS,
        "sheet": (io.BytesIO(b"%PDF-1.4"), "report.pdf")},
        page=f"/agency/reports/new?batch={chosen}", content_type="multipart/form-data")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and f'<option value="{chosen}" selected ' in html
    assert 'value="ZJPQ-2026-0950"' in html and "珠层厚度 | 0.42" in html  # typed, kept


def test_a_sheet_for_another_batch_says_the_form_switched_to_it(client, db, lab, make_batch):
    make_batch(lot="ED-2611-B")
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")
    commissions.commission(db, GTIN, "ED-2611-B", lab.id, actor="qc")
    other = str(catalog.get_batch(db, GTIN, "ED-2611-B").id)
    sheet = ("报告编号,检验类别,商品条码,批次号,签发日期,检验结论,检测项目,检测结果,判定\n"
             f"A-1,委托检验,{GTIN},{LOT},2026-11-20,合格,铅,0.1,合格\n").encode()
    filled = post_form(client, "/agency/reports/from-sheet", {
        "batch": other, "sheet": (io.BytesIO(sheet), "a.csv")}, page="/agency/reports/new",
        content_type="multipart/form-data")
    html = filled.get_data(as_text=True)
    assert filled.status_code == 200 and f"表格里的批次是 {LOT}" in html


def test_a_busy_labs_reports_come_a_page_at_a_time_and_can_be_found(app, client, db, lab):
    from test_inspections_store import pearl_report
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")
    for number in range(1, 56):
        record = pearl_report(lab, report_no=f"ZJPQ-2026-{number:04d}", pdf_sha256="")
        store.store_report(db, record, *signing.sign_with_agency_key(
            db, app.config["KEYS_DIR"], lab.id, record))
    first = client.get("/agency/").get_data(as_text=True)
    assert "第 1 / 2 页" in first and "ZJPQ-2026-0055" in first and "ZJPQ-2026-0005" not in first
    second = client.get("/agency/?page=2").get_data(as_text=True)
    assert "ZJPQ-2026-0005" in second and "ZJPQ-2026-0055" not in second
    assert client.get("/agency/?page=999").status_code == 200  # the last page, not an error
    found = client.get("/agency/?q=ｚｊｐｑ－２０２６－００１").get_data(as_text=True)
    assert "找到 10 份报告" in found and "ZJPQ-2026-0010" in found and "ZJPQ-2026-0020" not in found
    assert '/agency/?page=2&amp;q=' in client.get("/agency/?q=ZJPQ").get_data(as_text=True)
    by_product = client.get("/agency/?q=珍珠项链").get_data(as_text=True)
    assert "找到 55 份报告" in by_product
    nothing = client.get("/agency/?q=100%25_").get_data(as_text=True)  # no wildcard slips in
    assert "没有符合查找条件的报告" in nothing and "没有符合查找条件的批次" in nothing


def test_a_batch_only_assigned_opens_as_a_spot_check_and_the_wrong_type_says_which(
        client, db, lab):
    commissions.commission(db, GTIN, LOT, lab.id, actor="ops", kind="assignment")
    form = client.get("/agency/reports/new?batch=1").get_data(as_text=True)
    assert "<option selected>监督抽检</option>" in form
    refused = post_form(client, "/agency/reports/new", report_form(type="委托检验"),
                        page="/agency/", content_type="multipart/form-data")
    assert refused.status_code == 403
    assert "请把报告类型选为“监督抽检”或“神秘抽检”" in refused.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM inspection_reports").fetchone()[0] == 0


def test_a_batch_commissioned_and_assigned_is_offered_once_and_its_links_set_the_type(
        client, db, lab):
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")
    commissions.commission(db, GTIN, LOT, lab.id, actor="ops", kind="assignment")
    home = client.get("/agency/").get_data(as_text=True)
    assert "/agency/reports/new?batch=1&amp;type=%E7%9B%91%E7%9D%A3%E6%8A%BD%E6%A3%80" in home
    form = client.get("/agency/reports/new?batch=1&type=监督抽检").get_data(as_text=True)
    menu = form.split('id="batch"', 1)[1].split("</select>", 1)[0]
    assert menu.count("<option") == 1 and "平台指派抽检、供货商委托" in menu
    assert "<option selected>监督抽检</option>" in form
    plain = client.get("/agency/reports/new?batch=1").get_data(as_text=True)
    assert "<option selected>监督抽检</option>" not in plain  # both ways: the lab chooses


def test_the_form_offers_no_self_test_but_a_self_test_correction_keeps_its_type(
        client, db, lab):
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")
    offered = re.findall(r"<option(?: selected)?>([^<]+)</option>",
                         client.get("/agency/reports/new").get_data(as_text=True))
    assert offered == ["委托检验", "监督抽检", "神秘抽检"]  # 自检 is the producer's own test
    post_form(client, "/agency/reports/new", report_form(type="自检"), page="/agency/",
              content_type="multipart/form-data")  # one signed before the form stopped offering it
    html = client.get("/agency/reports/new?report_no=ZJPQ-2026-0901&supersedes=1").get_data(
        as_text=True)
    assert "<option selected>自检</option>" in html


def test_a_sheet_of_the_items_alone_fills_in_beside_what_the_form_holds(client, db, lab):
    """A lab's own export has row numbers and the items only: it was refused until
    every report field was repeated on every row."""
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")
    sheet = workbook([["序号", "检验项目", "检验结果", "单位", "标准要求", "单项判定"],
                      [1, "珠层厚度", 0.42, "mm", "≥0.3", "合格"],
                      [2, "光洁度", "微瑕 B", "—", "", "—"]])
    filled = post_form(client, "/agency/reports/from-sheet", {
        "sheet": (io.BytesIO(sheet), "导出.xlsx"), "batch": "1",
        "report_no": "ZJPQ-2026-0903", "type": "委托检验", "issued_on": "2026-11-21",
        "conclusion": "所检项目符合 GB/T 18781-2023 要求"},
        page="/agency/reports/new", content_type="multipart/form-data")
    html = filled.get_data(as_text=True)
    assert filled.status_code == 200 and "已从 导出.xlsx 填入" in html
    assert 'value="ZJPQ-2026-0903"' in html and 'value="2026-11-21"' in html
    assert "珠层厚度 | 0.42 | mm | ≥0.3 | 合格" in html and "光洁度 | 微瑕 B |  |  | —" in html


def test_a_pdf_over_its_limit_is_refused_by_the_form_which_keeps_the_typing(
        app, client, db, lab, monkeypatch):
    """The 413 page sent a lab back to an empty form; now the form says the PDF is
    too large and keeps what was typed. A body past twice the limit is still a 413."""
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")
    monkeypatch.setattr(store, "MAX_PDF_BYTES", 2**20)
    app.config["MAX_CONTENT_LENGTH"] = 2**20
    large = PDF + b"%" * (2**20)
    refused = post_form(client, "/agency/reports/new", report_form(
        pdf=(io.BytesIO(large), "report.pdf"), conclusion="所检项目符合要求（大文件）"),
        page="/agency/", content_type="multipart/form-data")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "PDF 文件超过 1 MB" in html
    assert "所检项目符合要求（大文件）" in html and "ZJPQ-2026-0901" in html
    assert db.execute("SELECT count(*) FROM inspection_reports").fetchone()[0] == 0
    too_large = post_form(client, "/agency/reports/new", report_form(
        pdf=(io.BytesIO(PDF + b"%" * (3 * 2**20)), "report.pdf")), page="/agency/",
        content_type="multipart/form-data")
    assert too_large.status_code == 413


def test_a_lab_keeps_its_own_scope_cnas_and_address(client, db, lab):
    """A trial lab, approved, found no page of its own: it could not state what it
    tests, which is what suppliers choose a lab by."""
    page = client.get("/agency/").get_data(as_text=True)
    assert 'href="/agency/profile"' in page
    form = client.get("/agency/profile").get_data(as_text=True)
    assert lab.cma_no in form and "如需更改请联系平台运营方" in form
    refused = post_form(client, "/agency/profile",
                        {"scope": "茶叶、柑橘", "cnas": "X99", "address": "杭州"},
                        page="/agency/profile")
    assert refused.status_code == 400 and refused.get_data(as_text=True).count(
        "CNAS 认可编号应为 L 加 4–5 位数字") == 1  # said once
    assert 'value="茶叶、柑橘"' in refused.get_data(as_text=True)  # what was typed stays
    assert agencies.get_agency(db, lab.id).scope != "茶叶、柑橘"  # nothing kept
    done = post_form(client, "/agency/profile",
                     {"scope": "茶叶、柑橘、农药残留", "cnas": "cnas l5678", "address": "杭州市西湖区"},
                     page="/agency/profile")
    assert done.status_code == 303
    assert "机构信息已保存" in client.get("/agency/profile").get_data(as_text=True)
    saved = agencies.get_agency(db, lab.id)
    assert (saved.scope, saved.cnas_no, saved.address) == (
        "茶叶、柑橘、农药残留", "L5678", "杭州市西湖区")


def test_a_lab_gives_its_phone_and_the_supplier_who_commissions_it_sees_where_to_send(
        app, client, db, lab, make_account, sign_in):
    """A trial's grower commissioned a lab and had its name and nothing else: the
    platform sends no sample, so she could not send one either."""
    commissions.commission(db, GTIN, LOT, lab.id, actor="pearls")
    supplier = app.test_client()
    sign_in(supplier, make_account("supplier", "pearls@example.cn", org=CREDIT_CODE))
    page = supplier.get(f"/supplier/batches/{GTIN}/{LOT}").get_data(as_text=True)
    assert "该机构没有留下地址和送样电话：请向平台运营方" in page  # never a bare name
    # The lab is asked on its own home page (a trial's new lab never was).
    home = client.get("/agency/").get_data(as_text=True)
    assert 'id="contact-missing"' in home and 'href="/agency/profile"' in home
    bad = post_form(client, "/agency/profile", {"address": "杭州市西湖区", "phone": "12345"},
                    page="/agency/profile")
    assert bad.status_code == 400 and "送样联系电话 12345 不是有效的电话号码" in bad.get_data(
        as_text=True)
    assert agencies.get_agency(db, lab.id).phone is None
    post_form(client, "/agency/profile", {"address": "杭州市西湖区文三路 1 号",
                                          "phone": "0571 8600 0188"}, page="/agency/profile")
    assert agencies.get_agency(db, lab.id).phone == "0571 8600 0188"  # as numbers are written
    assert 'id="contact-missing"' not in client.get("/agency/").get_data(as_text=True)
    page = supplier.get(f"/supplier/batches/{GTIN}/{LOT}").get_data(as_text=True)
    listed = page[page.index('class="commissioned"'):]
    listed = listed[:listed.index("</ul>")]
    assert "送样：杭州市西湖区文三路 1 号，<a" in listed
    assert '<a href="tel:+8657186000188" class="nowrap">0571 8600 0188</a>' in listed


def _kept_fields(html: str) -> dict:
    """The fields a check page carries on, as its hidden textareas hold them."""
    import html as markup
    return {name: markup.unescape(value) for name, value in
            re.findall(r'<textarea name="([a-z_]+)" hidden>(.*?)</textarea>', html, re.S)}


def test_a_report_is_checked_as_buyers_see_it_before_it_is_signed(client, db, lab):
    """A report signed in one click could only be corrected in public afterwards."""
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")
    form = {key: value for key, value in report_form().items() if key != "confirmed"}
    check = post_form(client, "/agency/reports/new", form, page="/agency/",
                      content_type="multipart/form-data")
    html = check.get_data(as_text=True)
    assert check.status_code == 200 and "签发前核对" in html and "还没有签发" in html
    assert "淡水珍珠项链 · " in html and "诸暨市山下湖明珠珍珠有限公司" in html
    seen = html.split('class="as-buyers-see"')[1]
    assert "还没有签名" in seen and "签名有效" not in seen.split("还没有签名")[0]
    assert "珠层厚度" in seen and "0.42 mm" in seen and "≥0.3 mm" in seen and "合格" in seen
    assert db.execute("SELECT count(*) FROM inspection_reports").fetchone()[0] == 0
    kept = _kept_fields(html)
    assert kept["items"] == ITEMS and kept["pending_name"] == "report.pdf"  # lines kept
    held = f"/agency/reports/held/{kept['pending_pdf']}.pdf"
    assert f'href="{held}"' in seen  # the buyer's PDF link opens the file chosen
    opened = client.get(held)
    assert opened.get_data() == PDF and opened.headers["Content-Disposition"].startswith(
        "attachment") and opened.headers["Cache-Control"] == "no-store"
    # Back to change the conclusion: the PDF stays chosen, nothing to pick again.
    back = post_form(client, "/agency/reports/new", {**kept, "edit": "1"}, page="/agency/")
    page = back.get_data(as_text=True)
    assert back.status_code == 200 and "已选择报告原件：report.pdf" in page
    assert 'name="pdf" type="file" accept="application/pdf">' in page  # not required now
    again = post_form(client, "/agency/reports/new",
                      {**kept, "conclusion": "所检项目符合 GB/T 18781-2023 要求"}, page="/agency/")
    assert "所检项目符合 GB/T 18781-2023 要求" in again.get_data(as_text=True)
    final = {**_kept_fields(again.get_data(as_text=True)), "confirmed": "1"}
    signed = post_form(client, "/agency/reports/new", final, page="/agency/")
    assert signed.status_code == 303
    resent = post_form(client, "/agency/reports/new", final, page="/agency/")  # 重新提交
    assert resent.status_code == 409 and "报告 ZJPQ-2026-0901（第 1 版）已经用这份原件签发，不用再提交" \
        in resent.get_data(as_text=True)
    [shown] = store.served_reports(db, 1)
    assert shown["signature_ok"] and shown["report"]["conclusion"] == \
        "所检项目符合 GB/T 18781-2023 要求"
    assert store.load_pdf(db, shown["report"]["pdf_sha256"]) == PDF
    assert db.execute("SELECT count(*) FROM pending_report_pdfs").fetchone()[0] == 0
    assert client.get(held).status_code == 400  # let go once signed


def test_a_refused_form_keeps_the_pdf_it_was_given(client, db, lab):
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")
    refused = post_form(client, "/agency/reports/new", report_form(issued_on="2026-13-01"),
                        page="/agency/", content_type="multipart/form-data")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "已选择报告原件：report.pdf" in html
    assert "请重新选择 PDF" not in html
    sha = re.search(r'name="pending_pdf" value="([0-9a-f]{64})"', html).group(1)
    fixed = post_form(client, "/agency/reports/new",
                      {**{k: v for k, v in report_form().items() if k != "pdf"},
                       "pending_pdf": sha, "pending_name": "report.pdf"}, page="/agency/")
    assert fixed.status_code == 303
    assert store.load_pdf(db, store.served_reports(db, 1)[0]["report"]["pdf_sha256"]) == PDF
    taken = post_form(client, "/agency/reports/new",  # another report's PDF: not kept
                      report_form(report_no="ZJPQ-3", pdf=(io.BytesIO(PDF), "again.pdf")),
                      page="/agency/", content_type="multipart/form-data")
    html = taken.get_data(as_text=True)
    assert taken.status_code == 409 and "这个 PDF 已经是报告 ZJPQ-2026-0901" in html
    assert "again.pdf" not in html and 'name="pending_pdf"' not in html
    gone = post_form(client, "/agency/reports/new",  # held a day and swept: said, not shown
                     {**{k: v for k, v in report_form(report_no="ZJPQ-2").items() if k != "pdf"},
                      "pending_pdf": "f" * 64, "pending_name": "old.pdf"}, page="/agency/")
    html = gone.get_data(as_text=True)
    assert gone.status_code == 400 and "之前选择的 PDF 已经失效" in html and "old.pdf" not in html


def test_another_labs_held_pdf_is_not_theirs_to_open(app, client, db, lab, make_account,
                                                     sign_in):
    from trace.inspections import pending
    other, _ = agencies.add_agency(db, "宁波检测院", "231012345678",
                                   keys_dir=app.config["KEYS_DIR"])
    sha = pending.keep(db, other.id, PDF, "theirs.pdf")
    assert client.get(f"/agency/reports/held/{sha}.pdf").status_code == 400


def test_an_engineers_report_is_signed_by_a_signatory_after_checking(
        app, client, db, lab, sign_in):
    """ISO/IEC 17025 7.8.1: a new engineer signed and published at once; reports are
    released by the lab's authorised signatories (授权签字人)."""
    from trace import accounts, colleagues
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")
    manager = accounts.find_user(db, "lab@lab.example.cn")
    from conftest import STAFF_PASSWORD
    engineer, once = colleagues.add_colleague(db, manager, "eng@lab.example.cn")
    assert manager.signs_reports and not engineer.signs_reports
    accounts.change_password(db, engineer, once, STAFF_PASSWORD, keep_sign_in="")
    desk = sign_in(app.test_client(), "eng@lab.example.cn")
    form = {k: v for k, v in report_form().items() if k != "confirmed"}
    check = post_form(desk, "/agency/reports/new", form, page="/agency/",
                      content_type="multipart/form-data").get_data(as_text=True)
    assert "您的账号不是授权签字人" in check and 'name="submit_draft"' in check
    assert 'name="confirmed"' not in check
    kept = _kept_fields(check)
    refused = post_form(desk, "/agency/reports/new", {**kept, "confirmed": "1"}, page="/agency/")
    assert refused.status_code == 403 and "不是本机构的授权签字人" in refused.get_data(as_text=True)
    handed = post_form(desk, "/agency/reports/new", {**kept, "submit_draft": "1"},
                       page="/agency/")
    assert handed.status_code == 303
    assert db.execute("SELECT count(*) FROM inspection_reports").fetchone()[0] == 0
    # The signatory sees it waiting, opens it as the check page, sends it back once...
    home = client.get("/agency/").get_data(as_text=True)
    assert "待签发的报告（1 份）" in home and "eng@lab.example.cn 编制" in home
    draft_id = int(re.search(r"/agency/reports/drafts/(\d+)", home).group(1))
    opened = post_form(client, "/agency/reports/new",
                       {**_kept_fields(client.get(f"/agency/reports/drafts/{draft_id}")
                                       .get_data(as_text=True)), "draft": str(draft_id)},
                       page="/agency/").get_data(as_text=True)
    assert "签发前核对" in opened and 'id="prepared-by"' in opened and "核对无误，签名并发布" in opened
    post_form(client, f"/agency/reports/drafts/{draft_id}/return", {"note": "光泽等级请复核"},
              page="/agency/")
    back = desk.get("/agency/").get_data(as_text=True)
    assert "被退回的报告" in back and "光泽等级请复核" in back
    edit = desk.get(f"/agency/reports/drafts/{draft_id}/edit").get_data(as_text=True)
    assert 'value="ZJPQ-2026-0901"' in edit and "已选择报告原件：report.pdf" in edit
    assert "退回：光泽等级请复核" in edit  # why, where it is to be changed
    assert "编制检测报告" in edit and "提交本机构的授权签字人审核签发" in edit  # not 签发
    # ...and signs it when handed over again.
    again = post_form(desk, "/agency/reports/new", {**_kept_fields(check), "submit_draft": "1"},
                      page="/agency/")
    assert again.status_code == 303
    new_id = int(re.search(r"/agency/reports/drafts/(\d+)",
                           client.get("/agency/").get_data(as_text=True)).group(1))
    reopened = post_form(client, "/agency/reports/new",
                         {**_kept_fields(client.get(f"/agency/reports/drafts/{new_id}")
                                         .get_data(as_text=True)), "draft": str(new_id)},
                         page="/agency/").get_data(as_text=True)
    signed = post_form(client, "/agency/reports/new",
                       {**_kept_fields(reopened), "confirmed": "1"}, page="/agency/")
    assert signed.status_code == 303
    assert db.execute("SELECT uploaded_by, prepared_by FROM inspection_reports").fetchall() \
        == [("lab@lab.example.cn", "eng@lab.example.cn")]
    listed = client.get("/agency/").get_data(as_text=True)
    assert "eng@lab.example.cn 编制，lab@lab.example.cn 签发" in listed and "待签发的报告" not in listed
    assert "被退回的报告" not in desk.get("/agency/").get_data(as_text=True)  # handed over since
    # A draft that cannot be opened (its PDF went to the report signed) is cleared from
    # its own page: sent back by a signatory, or taken back by its engineer.
    for who, action, word in ((client, "return", "已退回"), (desk, "withdraw", "已撤回")):
        stuck = drafts.submit(db, lab.id, {"report_no": f"ZJPQ-{action}"},
                              prepared_by="eng@lab.example.cn")
        page = who.get(f"/agency/reports/drafts/{stuck}").get_data(as_text=True)
        assert f"/agency/reports/drafts/{stuck}/{action}" in page
        post_form(who, f"/agency/reports/drafts/{stuck}/{action}", {"note": "重复提交"},
                  page="/agency/")
        assert word in who.get("/agency/").get_data(as_text=True)
    mine = drafts.submit(db, lab.id, {"report_no": "ZJPQ-X"}, prepared_by="other@lab.cn")
    post_form(desk, f"/agency/reports/drafts/{mine}/withdraw", {}, page="/agency/")
    assert "只有编制人可以撤回提交" in desk.get("/agency/").get_data(as_text=True)
    # The manager makes the engineer a signatory; the engineer may not undo the manager.
    post_form(client, f"/account/colleagues/{engineer.id}/signatory", {"signs": "1"},
              page="/account/colleagues")
    assert accounts.find_user(db, "eng@lab.example.cn").signs_reports


def test_a_failing_report_tells_the_lab_what_its_result_now_does(client, db, lab):
    """A trial's lab clerk signed a 不合格 and read only 扫码页面已显示."""
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")
    made = post_form(client, "/agency/reports/new", report_form(
        items="珠层厚度 | 0.12 | mm | ≥0.3 | 不合格\n", conclusion="所检项目不符合要求"),
        page="/agency/", content_type="multipart/form-data")
    assert made.status_code == 303, made.get_data(as_text=True)[:2000]
    home = client.get("/agency/").get_data(as_text=True)
    assert "报告有不合格项目（珠层厚度）：买家扫这批货的码，页面最上方会显示" in home
