"""The operator's pages: approvals, accounts, keys and rotation, admins only."""

from __future__ import annotations

import re

import pytest

from trace import accounts, agencies, catalog, keys
from trace.errors import Conflict
from trace.inspections import commissions

from conftest import BASE_URL, CREDIT_CODE, GTIN, LOT, post_form

OPS = "ops@trace.example.cn"
TURNED_DOWN = {"reason": "营业执照与名称不符"}


@pytest.fixture
def operator(client, make_account, sign_in):
    sign_in(client, make_account("admin", OPS))
    return client


def test_approve_a_supplier_that_signed_up(operator, db):
    waiting = catalog.add_supplier(db, "海宁新家纺有限公司", "91330100MA27XL0Y34", approved=False)
    html = operator.get("/admin/").get_data(as_text=True)
    assert "海宁新家纺有限公司" in html and "待审核的单位" in html
    response = post_form(operator, f"/admin/suppliers/{waiting.id}/approve", {}, page="/admin/")
    assert response.status_code == 303
    assert catalog.find_supplier(db, waiting.id).approved
    assert "没有待审核的单位" in operator.get("/admin/").get_data(as_text=True)


def test_an_approved_supplier_is_told_it_can_issue_now(app, operator, db, make_account,
                                                       sign_in):
    """A trial's co-op, approved, saw only its waiting banner gone, nothing said."""
    waiting = catalog.add_supplier(db, "常山县天马胡柚专业合作社", "91330100MA27XL0Y34",
                                   approved=False)
    supplier = sign_in(app.test_client(), make_account("supplier", "xu@huyou.example.cn",
                                                       org="91330100MA27XL0Y34"))
    assert 'id="approved"' not in supplier.get("/supplier/").get_data(as_text=True)
    post_form(operator, f"/admin/suppliers/{waiting.id}/approve", {}, page="/admin/")
    home = supplier.get("/supplier/").get_data(as_text=True)
    assert 'id="approved"' in home and "通过平台审核：现在可以发码、打印标签了" in home
    db.execute("UPDATE suppliers SET approved_at = '2020-01-01T00:00:00+00:00' WHERE id = ?",
               [waiting.id])
    assert 'id="approved"' not in supplier.get("/supplier/").get_data(as_text=True)  # old news


def test_a_sign_up_named_like_a_registered_supplier_is_flagged_before_approval(operator, db):
    catalog.add_supplier(db, "杭州西湖区狮峰茶叶专业合作社", "91330100MA27XL0Y34")
    catalog.add_supplier(db, "杭州西湖区狮峰龙井茶叶专业合作社", "93330106MA27YB3H55",
                         approved=False)
    html = operator.get("/admin/").get_data(as_text=True)
    pending = html[html.index('id="pending"'):html.index('id="buyer-reports"')]
    assert "名称与已登记的“杭州西湖区狮峰茶叶专业合作社”很像：批准前请核对营业执照" in pending
    catalog.add_supplier(db, "海宁新家纺有限公司", "91330681MA2D7XKQ0T", approved=False)
    html = operator.get("/admin/").get_data(as_text=True)
    assert html.count("很像：批准前请核对营业执照") == 1  # a name unlike any is not flagged
    assert html.count("已核对营业执照，不是冒用") == 1  # the look-alike's approval asks it
    look_alike = catalog.find_supplier(db, "93330106MA27YB3H55")
    unchecked = post_form(operator, f"/admin/suppliers/{look_alike.id}/approve", {},
                          page="/admin/")
    assert "请核对营业执照，勾选“已核对”后再通过" in operator.get(
        unchecked.headers["Location"]).get_data(as_text=True)
    assert not catalog.find_supplier(db, look_alike.id).approved  # one click is not enough
    post_form(operator, f"/admin/suppliers/{look_alike.id}/approve", {"checked": "1"},
              page="/admin/")
    assert catalog.find_supplier(db, look_alike.id).approved


def test_a_supplier_suspended_by_the_operator_is_told_everywhere_until_reinstated(
        operator, app, db, issued_urls, make_account, sign_in):
    """A supplier found selling fakes could only have its accounts disabled: its pages
    kept saying 正品 · 验证通过 and rooms kept selecting it."""
    supplier = catalog.find_supplier(db, CREDIT_CODE)
    page = operator.get("/admin/").get_data(as_text=True)
    row = page[page.index('id="suppliers"'):page.index('id="agencies"')]
    assert "暂停资格" in row and "已发的码仍能验证" in row  # what it does, before it does it
    assert "目前有" not in row  # no room sells it yet
    from test_live import decide
    from test_web_public import _stored_report
    from trace import rooms
    _stored_report(app, db)
    decide(db, rooms.add_room(db, "山下湖珍珠直播间", "douyin", "7712345678"), issued_urls[3],
           "选用")
    page = operator.get("/admin/").get_data(as_text=True)
    assert "目前有 1 个直播间在卖它的商品" in page[page.index('id="suppliers"'):]
    empty = post_form(operator, f"/admin/suppliers/{supplier.id}/suspend", {"reason": " "},
                      page="/admin/")
    assert "请写明原因" in operator.get(empty.headers["Location"]).get_data(as_text=True)
    assert not catalog.find_supplier(db, supplier.id).suspended
    done = post_form(operator, f"/admin/suppliers/{supplier.id}/suspend",
                     {"reason": "销售假冒珍珠，已移交市场监管"}, page="/admin/")
    assert done.headers["Location"].endswith("#suppliers")
    page = operator.get("/admin/").get_data(as_text=True)
    row = page[page.index('id="suppliers"'):page.index('id="agencies"')]
    assert "已暂停 诸暨市山下湖明珠珍珠有限公司 的资格" in row and "恢复资格" in row  # said there
    assert "暂停和恢复记录（1 条）" in row
    found = operator.get("/admin/find", query_string={"q": f"{GTIN} {LOT}"}).get_data(
        as_text=True)  # what support staff see, on the phone to a buyer
    assert "供货商已于" in found and "销售假冒珍珠，已移交市场监管" in found
    buyer = app.test_client()
    item = buyer.get(issued_urls[0][len(BASE_URL):]).get_data(as_text=True)
    assert "码是真的 · 但供货商被暂停" in item  # the headline, not 正品 · 验证通过
    assert "平台已于" in item and "销售假冒珍珠，已移交市场监管" in item
    assert "供货商客服电话" not in item  # not whom to call about the fakes it is suspended for
    as_json = buyer.get(issued_urls[1][len(BASE_URL):], headers={"Accept": "application/json"})
    assert (as_json.get_json()["caution"], as_json.get_json()["supplier_suspended"]) == (
        "suspended", True)
    batch = buyer.get(f"/01/{GTIN}/10/{LOT}").get_data(as_text=True)
    assert 'id="suspended"' in batch and "销售假冒珍珠" in batch
    assert batch.index('id="suspended"') < batch.index("<h1")  # before anything calm
    as_json = buyer.get(f"/01/{GTIN}/10/{LOT}", headers={"Accept": "application/json"})
    assert as_json.get_json()["supplier"]["suspended_reason"] == "销售假冒珍珠，已移交市场监管"
    staff = sign_in(app.test_client(),
                    make_account("supplier", "qc@pearl.example.cn", org=CREDIT_CODE))
    home = staff.get("/supplier/").get_data(as_text=True)
    assert 'id="suspended"' in home and "暂停期间不能发码、打印标签" in home
    assert 'href="/supplier/products/new"' not in home  # no form that would only be refused
    batch_page = staff.get(f"/supplier/batches/{GTIN}/{LOT}").get_data(as_text=True)
    assert "恢复前不能发码、下载码表或打印标签" in batch_page and "codes.xlsx" not in batch_page
    assert 'action="/supplier/batches/09521234000013/ZJ-2611-A/issue"' not in batch_page
    labels = staff.get(f"/supplier/batches/{GTIN}/{LOT}/labels/a4-3x8/1.pdf")
    assert labels.status_code == 403 and "平台已暂停" in labels.get_data(as_text=True)
    # Nor the code lists label software prints from, nor a change of what buyers read.
    for path in ("codes.xlsx", "codes.csv"):
        assert staff.get(f"/supplier/batches/{GTIN}/{LOT}/{path}").status_code == 403
    phone = post_form(staff, "/supplier/profile", {"phone": "0575 8700 0001"},
                      page="/supplier/profile")
    assert phone.status_code == 403 and catalog.find_supplier(db, supplier.id).phone != \
        "0575 8700 0001"
    token = accounts.new_token(db, "qc@pearl.example.cn")[1]
    listed = buyer.get(f"/api/v1/batches/{GTIN}/{LOT}/codes",
                       headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 403 and listed.get_json()["error"] == "Forbidden"
    voided = post_form(staff, f"/supplier/batches/{GTIN}/{LOT}/items",
                       {"action": "void", "confirm": "1", "reason": "标签损坏",
                        "serial": issued_urls[4]}, page=f"/supplier/batches/{GTIN}/{LOT}")
    assert voided.status_code in (200, 303)  # taking goods back is still open
    assert db.execute("SELECT count(*) FROM status_events WHERE action = 'void'").fetchone()[0]
    void_page = buyer.get(issued_urls[4][len(BASE_URL):]).get_data(as_text=True)
    assert "已作废" in void_page and "供货商客服电话" not in void_page  # not theirs to call
    changed = buyer.patch(f"/api/v1/products/{GTIN}", json={"specification": "x", "reason": "y"},
                          headers={"Authorization": f"Bearer {token}"})
    assert changed.status_code == 403  # what buyers read stays, through the API too
    home = staff.get("/supplier/").get_data(as_text=True)
    assert "/edit" not in home and "/supplier/batches/new" not in home
    assert 'href="/supplier/profile"' not in home
    post_form(operator, f"/admin/suppliers/{supplier.id}/suspend",
              {"reason": "市场监管核查不属实", "reinstate": "1"}, page="/admin/")
    assert "码是真的 · 但供货商" not in buyer.get(
        issued_urls[0][len(BASE_URL):]).get_data(as_text=True)
    # Who read the suspension reads it was lifted, and why, on the batch's record.
    record = buyer.get(f"/01/{GTIN}/10/{LOT}").get_data(as_text=True)
    record = record[record.index('id="changes"'):]
    assert "平台暂停了供货商的资格" in record and "平台恢复了供货商的资格" in record
    assert "<h2>批次动态记录</h2>" in record  # not 召回与作废记录
    assert "市场监管核查不属实" in record and OPS not in record  # not who at the platform
    assert staff.get(f"/supplier/batches/{GTIN}/{LOT}/labels/a4-3x8/1.pdf").status_code == 200
    assert 'action="/supplier/batches/09521234000013/ZJ-2611-A/issue"' in staff.get(
        f"/supplier/batches/{GTIN}/{LOT}").get_data(as_text=True)  # the form is back


def test_the_operator_sees_how_far_the_ledger_is_signed(operator, db, make_batch):
    from trace.transparency import checkpoints
    make_batch()  # a supplier, a product and a batch: leaves in the log
    status = checkpoints.status(db)
    assert status.size > 0
    html = operator.get("/admin/").get_data(as_text=True)
    card = html[html.index('id="ledger"'):html.index('id="keys"')]
    assert f"共 {status.size:,} 条记录，最近一次签名的检查点覆盖了 {status.signed:,} 条" in card
    assert ("还没有签名的检查点" in card) == (status.signed < status.size)
    assert "开始核对" in card and 'action="/admin/ledger/audit"' in card
    assert 'href="/ledger/checkpoint"' in card


def test_disable_an_account_revokes_its_tokens(operator, db, make_batch, make_account):
    make_batch()
    email = make_account("supplier", "qc@pearl.example.cn", org="1")
    _id, token = accounts.new_token(db, email)
    user = accounts.find_user(db, email)
    page = operator.get("/admin/").get_data(as_text=True)
    assert f"停用 {email}？停用后该账号不能登录" in page  # asked before, not after
    post_form(operator, f"/admin/users/{user.id}/disable", {}, page="/admin/")
    assert not accounts.find_user(db, email).active
    assert accounts.user_for_token(db, token) is None
    page = operator.get("/admin/").get_data(as_text=True)
    assert "<strong>已停用</strong>" in page and "重新启用" in page  # shown on a phone too
    post_form(operator, f"/admin/users/{user.id}/enable", {}, page="/admin/")
    assert accounts.find_user(db, email).active and accounts.user_for_token(db, token) is None
    assert f"已重新启用 {email}" in operator.get("/admin/").get_data(as_text=True)


def test_an_operator_cannot_disable_themself(operator, db):
    me = accounts.find_user(db, OPS)
    response = post_form(operator, f"/admin/users/{me.id}/disable", {}, page="/admin/")
    assert response.status_code == 303 and accounts.find_user(db, OPS).active
    assert "不能停用自己" in operator.get("/admin/").get_data(as_text=True)


def test_a_forgotten_password_is_reset_and_shown_once_on_the_page(
        operator, db, client, make_batch, make_account):
    make_batch()
    email = make_account("supplier", "qc@pearl.example.cn", org="1")
    _id, token = accounts.new_token(db, email)
    user = accounts.find_user(db, email)
    assert f"为 {email} 生成一个新密码？" in operator.get("/admin/").get_data(as_text=True)
    stamp = {"stamp": accounts.password_stamps(db)[user.id]}  # as the accounts list has it
    shown = post_form(operator, f"/admin/users/{user.id}/reset-password", stamp, page="/admin/")
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    html = shown.get_data(as_text=True)
    password = html.split('id="new-password">', 1)[1].split("<", 1)[0]
    assert len(password) >= 16 and "只显示这一次" in html
    assert accounts.authenticate(db, email, password).email == email
    assert accounts.user_for_token(db, token) is not None  # the systems using it go on
    again = post_form(operator, f"/admin/users/{user.id}/reset-password", stamp, page="/admin/")
    assert again.status_code == 303  # the result reloaded: the password just told still works
    assert accounts.authenticate(db, email, password).email == email
    assert "这次没有再重置" in operator.get("/admin/").get_data(as_text=True)
    me = accounts.find_user(db, OPS)
    refused = post_form(operator, f"/admin/users/{me.id}/reset-password", {}, page="/admin/")
    assert refused.status_code == 303
    assert "不能在这里重置自己的密码" in operator.get("/admin/").get_data(as_text=True)
    accounts.disable_user(db, email)
    post_form(operator, f"/admin/users/{user.id}/reset-password",
              {"stamp": accounts.password_stamps(db)[user.id]}, page="/admin/")
    assert accounts._password_matches(db, email, password).email == email  # unchanged
    assert f"{email} 已停用，不能重置密码" in operator.get("/admin/").get_data(as_text=True)


def test_rotating_the_issuer_key_keeps_old_codes_genuine(operator, db, issued_urls, issuer):
    post_form(operator, "/admin/keys/rotate", {}, page="/admin/")  # not confirmed
    assert [record.status for record in keys.list_keys(db)] == ["active"]
    post_form(operator, "/admin/keys/rotate", {"confirm": "1"}, page="/admin/")
    statuses = sorted(record.status for record in keys.list_keys(db))
    assert statuses == ["active", "retired"]
    html = operator.get("/admin/").get_data(as_text=True)
    assert issuer.kid in html and "已停用（已签的码、报告仍有效）" in html
    for url in issued_urls:
        data = operator.get(url[len(BASE_URL):], headers={"Accept": "application/json"})
        assert data.get_json()["verdict"] == "genuine"
    new = keys.active_key(db)
    assert new is not None and new.kid != issuer.kid
    from trace.issuing import issue_codes
    signer = keys.load_signer(db, operator.application.config["KEYS_DIR"])
    assert issue_codes(db, signer, GTIN, LOT, 1).kid == new.kid


def test_text_from_a_sign_up_is_escaped_on_the_operator_page(operator, db, client):
    hostile = "<script>alert(1)</script> \"q\" '{{7*7}}' 珍珠"
    catalog.add_supplier(db, hostile, "91330100MA27XL0Y34", approved=False)
    response = operator.get("/admin/")
    html = response.get_data(as_text=True).replace("&#39;", "'").replace("&#34;", '"')
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "'{{7*7}}'" in html and "'49'" not in html
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]


def test_an_agency_signs_up_and_an_operator_approves_it(client, db, make_account, sign_in):
    response = post_form(client, "/signup?as=agency", {
        "name": "浙江省珍珠及制品质量检验中心", "cma": "2310 1234 1234", "cnas": "cnas l1234",
        "scope": "珍珠、珍珠饰品", "phone": "0575 8766 1234", "address": "浙江省诸暨市暨阳路 1 号",
        "email": "lab@zjpearl-lab.example.cn", "password": "实验室 passphrase"},
        page="/signup")
    assert response.status_code == 303
    agency = agencies.find_agency(db, "231012341234")
    assert not agency.approved and agency.cnas_no == "L1234" and agency.scope == "珍珠、珍珠饰品"
    assert agency.phone == "0575 8766 1234"  # what suppliers call to arrange a sample
    assert keys.active_key(db, agency.key_role) is None  # no key before approval
    post_form(client, "/logout", {}, page="/report")
    sign_in(client, make_account("admin", OPS))
    html = client.get("/admin/").get_data(as_text=True)
    assert "浙江省珍珠及制品质量检验中心" in html and "CMA 231012341234" in html
    assert "检测范围：珍珠、珍珠饰品" in html  # checked against its certificate before approval
    assert 'href="tel:+8657587661234"' in html and "浙江省诸暨市暨阳路 1 号" in html  # whom to call
    post_form(client, f"/admin/agencies/{agency.id}/approve", {}, page="/admin/")
    assert agencies.get_agency(db, agency.id).approved
    key = keys.active_key(db, agency.key_role)
    assert key is not None
    told = client.get("/admin/").get_data(as_text=True)  # a key lost is a lab that cannot sign
    assert f"平台为该机构新建了签名密钥 {key.kid}" in told and "备份" in told


def test_a_bad_agency_sign_up_says_why_in_chinese_and_stores_nothing(client, db):
    response = post_form(client, "/signup?as=agency", {
        "name": "某检测所", "cma": "12345", "email": "a@b.example.cn", "phone": "12",
        "password": "long enough pw"}, page="/signup")
    assert response.status_code == 400 and "12 位数字" in response.get_data(as_text=True)
    assert "送样联系电话 12 不是有效的电话号码" in response.get_data(as_text=True)
    assert agencies.list_agencies(db) == [] and not accounts.list_users(db)
    several = post_form(client, "/signup", {"name": "", "credit_code": "9133", "phone": "",
                                            "address": "x", "contact_name": "王",
                                            "email": "a@b.example.cn", "password": "short"},
                        page="/signup").get_data(as_text=True)
    assert "请修改以下 4 处" in several  # said at once: name, credit code, phone, password
    assert all(said in several for said in ("请填写企业名称", "统一社会信用代码应为 18 位",
                                            "请填写客服电话", "密码至少"))
    # The password box comes back empty, as it must: a trial's grower was not told so.
    assert "为了安全，密码不会保留：请重新输入。" in several and "long enough pw" not in several


def test_a_sign_up_turned_down_frees_its_gtins_and_disables_its_accounts(operator, db, client):
    squatter = catalog.add_supplier(db, "冒名茶业", "91330100MA27XL0Y34", approved=False,
                                    contact=catalog.Contact("13805751234", "杭州",
                                                            "李某 139 0571 2468"))
    accounts.add_user(db, "supplier", "fake@tea.example.cn", org=str(squatter.id),
                      password="x" * 12)
    catalog.add_product(db, squatter, "06901234567892", "西湖龙井（冒名）")
    catalog.new_batch(db, "06901234567892", "FAKE-1")
    public = client.get("/01/06901234567892/10/FAKE-1", headers={"Accept": "application/json"})
    assert public.status_code == 404  # never shown while it waits
    pending = operator.get("/admin/").get_data(as_text=True)
    assert "fake@tea.example.cn" in pending and "李某" in pending  # whom to call about it
    assert 'href="tel:+8613805751234"' in pending
    # the contact's own mobile, written beside the name, tappable (the form asks for it)
    assert '李某 <a href="tel:+8613905712468" class="phone nowrap">139 0571 2468</a>' in pending
    post_form(operator, f"/admin/suppliers/{squatter.id}/reject", TURNED_DOWN, page="/admin/")
    assert catalog.find_supplier(db, squatter.id).rejected_at
    assert not accounts.find_user(db, "fake@tea.example.cn").active
    with pytest.raises(Conflict, match="sign up with another e-mail"):  # not "sign in"
        accounts.add_user(db, "admin", "fake@tea.example.cn", password="y" * 12)
    real = catalog.add_supplier(db, "杭州西湖龙井茶业", "91330100MA27XL0Y5A")
    catalog.add_product(db, real, "06901234567892", "西湖龙井")  # the GTIN is free again
    from trace.transparency import audit
    assert audit.audit(db) == []  # its batch was never logged, so its going breaks nothing
    page = operator.get("/admin/").get_data(as_text=True)
    assert "rejected-" not in page and "91330100MA27XL0Y34" in page  # the code as it was
    fake = accounts.find_user(db, "fake@tea.example.cn")
    row = page[page.index('<td class="email">fake@tea.example.cn'):].split("</tr>")[0]
    assert "注册已驳回" in row and "admin/users" not in row  # no 重新启用 that would refuse
    refused = post_form(operator, f"/admin/users/{fake.id}/enable", {}, page="/admin/")
    assert "注册已被驳回，账号不能重新启用；如需使用，请换一个邮箱重新注册" in operator.get(
        refused.headers["Location"]).get_data(as_text=True)
    assert not accounts.find_user(db, "fake@tea.example.cn").active


def test_an_approved_supplier_cannot_be_turned_down(operator, db, make_batch):
    make_batch()
    supplier = catalog.find_supplier(db, "1")
    post_form(operator, f"/admin/suppliers/{supplier.id}/reject", TURNED_DOWN, page="/admin/")
    assert catalog.find_supplier(db, supplier.id).rejected_at is None
    assert "已通过审核，不能再驳回" in operator.get("/admin/").get_data(as_text=True)


def test_an_agency_sign_up_can_be_turned_down_and_frees_its_cma_number(operator, db, app):
    waiting, _key = agencies.add_agency(db, "冒名检测所", "231012341234")
    accounts.add_user(db, "agency", "fake@lab.example.cn", org=str(waiting.id),
                      password="x" * 12)
    assert "fake@lab.example.cn" in operator.get("/admin/").get_data(as_text=True)
    unsaid = post_form(operator, f"/admin/agencies/{waiting.id}/reject", {"reason": " "},
                       page="/admin/")
    assert "请填写驳回原因" in operator.get(unsaid.headers["Location"]).get_data(as_text=True)
    assert not agencies.get_agency(db, waiting.id).rejected_at  # nothing changed
    post_form(operator, f"/admin/agencies/{waiting.id}/reject", TURNED_DOWN, page="/admin/")
    assert agencies.get_agency(db, waiting.id).rejected_at
    assert not accounts.find_user(db, "fake@lab.example.cn").active
    # The applicant, signing in, reads why, not only "disabled, or not approved".
    told = post_form(app.test_client(), "/login", {"email": "fake@lab.example.cn",
                                                   "password": "x" * 12}, page="/login")
    assert "贵单位的注册未通过平台审核，原因：营业执照与名称不符。可以按原因改正后用另一个邮箱重新注册" \
        in told.get_data(as_text=True)
    post_form(operator, f"/admin/agencies/{waiting.id}/approve", {}, page="/admin/")
    assert not agencies.get_agency(db, waiting.id).approved
    assert "注册已被驳回，不能再通过" in operator.get("/admin/").get_data(as_text=True)
    real, _ = agencies.add_agency(db, "浙江省珍珠检测中心", "231012341234")
    assert real.id != waiting.id


def test_a_turned_down_supplier_frees_its_credit_code(operator, db):
    squatter = catalog.add_supplier(db, "冒名", "91330100MA27XL0Y34", approved=False)
    post_form(operator, f"/admin/suppliers/{squatter.id}/reject", TURNED_DOWN, page="/admin/")
    assert catalog.add_supplier(db, "真的公司", "91330100MA27XL0Y34").approved
    post_form(operator, f"/admin/suppliers/{squatter.id}/approve", {}, page="/admin/")
    assert not catalog.find_supplier(db, squatter.id).approved


def test_an_operator_registers_an_agency_with_its_key(operator, db):
    added = post_form(operator, "/admin/agencies", {"name": "浙江省珍珠检测中心",
                                                    "cma": "231012341234", "cnas": "L1234"},
                      page="/admin/")
    agency = agencies.find_agency(db, "231012341234")
    assert agency.approved and keys.active_key(db, agency.key_role) is not None
    # A lab with no sign-in signs nothing: the account form opens with it chosen.
    assert added.headers["Location"].endswith(f"account_for=agency:{agency.id}#add-account")
    page = operator.get(added.headers["Location"]).get_data(as_text=True)
    assert f"已登记检测机构 {agency.id}：浙江省珍珠检测中心" in page and "它还没有登录账号" in page
    assert '<details class="edit" id="add-account" open>' in page
    assert f'<option value="agency:{agency.id}" selected>' in page
    assert "selected>" not in operator.get("/admin/").get_data(as_text=True).split(
        'id="add-account"')[1].split("</select>")[0].replace(" disabled selected>", "")
    refused = post_form(operator, "/admin/agencies", {"name": "宁波检测院", "cma": "12",
                                                      "address": "宁波市"}, page="/admin/")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "12 位数字" in html
    assert 'value="宁波检测院"' in html and 'value="宁波市"' in html  # nothing to type again
    assert 'href="/admin/?lang=en"' in html  # the language switch goes to the page
    assert len(agencies.list_agencies(db)) == 1


def test_a_sign_up_commissions_no_lab_and_is_turned_down_without_a_500(operator, db, app):
    """Turning down a sign-up that had commissioned a lab failed on a foreign key (500)."""
    from trace import agencies
    from trace.errors import Forbidden
    waiting = catalog.add_supplier(db, "待审茶业", "91330100MA27XL0Y34", approved=False)
    catalog.add_product(db, waiting, "06901234567892", "西湖龙井")
    batch = catalog.new_batch(db, "06901234567892", "LJ-1")
    lab, _ = agencies.add_agency(db, "浙江省食品检验院", "231012340188",
                                 keys_dir=app.config["KEYS_DIR"])
    with pytest.raises(Forbidden, match="not approved yet"):
        commissions.commission(db, "06901234567892", "LJ-1", lab.id, actor="qc")
    db.execute("INSERT INTO commissions (batch_id, agency_id, kind, actor, at) "
               "VALUES (?, ?, 'commission', 'qc', '2026-11-01')", [batch.id, lab.id])  # older data
    done = post_form(operator, f"/admin/suppliers/{waiting.id}/reject", TURNED_DOWN, page="/admin/")
    assert done.status_code == 303 and catalog.find_supplier(db, waiting.id).rejected_at
    assert db.execute("SELECT count(*) FROM commissions").fetchone()[0] == 0


def test_a_sign_up_whose_batch_is_logged_already_is_not_turned_down(operator, db):
    """Batches opened before sign-ups waited for approval to be logged are in the
    append-only ledger: deleting one broke `ledger verify` for good."""
    from trace.transparency import audit, leaves
    waiting = catalog.add_supplier(db, "待审茶业", "91330100MA27XL0Y34", approved=False)
    catalog.add_product(db, waiting, "06901234567892", "西湖龙井")
    batch = catalog.new_batch(db, "06901234567892", "LJ-1")
    leaves.record(db, f"batches:{batch.id}")  # as the older code logged it at once
    post_form(operator, f"/admin/suppliers/{waiting.id}/reject", TURNED_DOWN, page="/admin/")
    assert "已记入公开账本，不能驳回" in operator.get("/admin/").get_data(as_text=True)
    assert catalog.find_supplier(db, waiting.id).rejected_at is None
    assert catalog.get_batch(db, "06901234567892", "LJ-1")
    db.execute("UPDATE suppliers SET approved_at = '2026-11-01' WHERE id = ?", [waiting.id])
    leaves.record(db, f"suppliers:{waiting.id}")  # as approval logs it
    assert audit.audit(db) == []  # nothing lost: approved, its row matches its leaf


def test_the_operator_sees_assigned_tests_and_what_came_of_them(operator, db, make_batch, app):
    make_batch()
    lab, _ = agencies.add_agency(db, "浙江省珍珠检测中心", "231012341234", "L1234",
                                 keys_dir=app.config["KEYS_DIR"])
    assert "已指派的抽检" not in operator.get("/admin/").get_data(as_text=True)
    answer = post_form(operator, "/admin/assign", {"gtin": GTIN, "lot": LOT, "agency": lab.id},
                       page="/admin/")
    assert answer.status_code == 303
    page = operator.get("/admin/").get_data(as_text=True)
    assert f"已指派 浙江省珍珠检测中心 抽检 诸暨淡水珍珠项链 批次 {LOT}" in \
        page[page.index('id="assign"'):page.index('id="rooms"')]
    listed = page.split('id="assignments"', 1)[1].split("</ul>", 1)[0]
    assert LOT in listed and "浙江省珍珠检测中心" in listed and "尚未出具报告" in listed
    assert f'href="/01/{GTIN}/10/{LOT}"' in listed
    commissions.commission(db, GTIN, LOT, lab.id, actor="qc")  # the supplier's own is not listed
    assert operator.get("/admin/").get_data(as_text=True).count("尚未出具报告") == 1
    # The wrong lab assigned: taken back while it has not reported, the supplier's own kept.
    [withdraw] = re.findall(r'action="(/admin/assignments/\d+/withdraw)"', listed)
    done = post_form(operator, withdraw, {}, page="/admin/")
    assert done.status_code == 303 and done.headers["Location"].endswith("#assign")
    page = operator.get("/admin/").get_data(as_text=True)
    section = page[page.index('id="assign"'):page.index('id="rooms"')]  # where it opens
    assert f"已取消指派：浙江省珍珠检测中心 · 批次 {LOT}" in section
    assert 'id="assignments"' not in page
    assert db.execute("SELECT kind FROM commissions").fetchall() == [("commission",)]
    again = post_form(operator, withdraw, {}, page="/admin/")
    assert again.status_code == 303 and "没有这项指派抽检" in operator.get("/admin/").get_data(
        as_text=True)


def test_the_operator_is_told_when_a_platform_held_key_has_lost_its_file(operator, db, app):
    from pathlib import Path
    lab, key = agencies.add_agency(db, "浙江省珍珠检测中心", "231012341234", "L1234",
                                   keys_dir=app.config["KEYS_DIR"])
    assert "私钥缺失" not in operator.get("/admin/").get_data(as_text=True)
    Path(app.config["KEYS_DIR"], f"{key.kid}.pem").unlink()
    page = operator.get("/admin/").get_data(as_text=True)
    assert f"浙江省珍珠检测中心的签名密钥 {key.kid} 在服务器的密钥目录里找不到私钥文件" in page
    assert f"keys rotate --role agency:{lab.id}" in page and "私钥缺失" in page
    assert any(key.kid in warning for warning in keys.start_warnings(
        db, app.config["KEYS_DIR"], None))


def test_the_operator_opens_a_room_with_its_account_and_adds_a_second_clerk(
        operator, db, client, make_batch):
    from trace import rooms
    make_batch()
    refused = post_form(operator, "/admin/rooms", {"name": "珍珠源头直播间", "platform": "douyin",
                                                   "room_id": "", "email": "live@x.example.cn"},
                        page="/admin/")
    assert refused.status_code == 400 and "请填写直播间名称和平台上的直播间号" in \
        refused.get_data(as_text=True) and 'value="珍珠源头直播间"' in refused.get_data(as_text=True)
    assert rooms.list_rooms(db) == []
    assert accounts.find_user(db, "live@x.example.cn", missing_ok=True) is None
    opened = post_form(operator, "/admin/rooms", {"name": "珍珠源头直播间", "platform": "douyin",
                                                  "room_id": "77120", "email": "live@x.example.cn"},
                       page="/admin/")
    html = opened.get_data(as_text=True)
    password = html.split('id="new-password">', 1)[1].split("<", 1)[0]
    assert opened.status_code == 200 and "直播间“珍珠源头直播间”已开通" in html
    assert opened.headers["Cache-Control"] == "no-store"
    streamer = accounts.authenticate(db, "live@x.example.cn", password)
    assert streamer.role == "streamer" and streamer.org_id == rooms.list_rooms(db)[0].id
    supplier = catalog.find_supplier(db, CREDIT_CODE)
    added = post_form(operator, "/admin/users", {"org": f"supplier:{supplier.id}",
                                                 "email": "clerk2@pearl.example.cn"},
                      page="/admin/")
    second = added.get_data(as_text=True).split('id="new-password">', 1)[1].split("<", 1)[0]
    clerk = accounts.authenticate(db, "clerk2@pearl.example.cn", second)
    assert (clerk.role, clerk.org_id) == ("supplier", supplier.id)
    twice = post_form(operator, "/admin/rooms", {"name": "珍珠源头直播间", "platform": "douyin",
                                                 "room_id": "77120", "email": "live2@x.example.cn"},
                      page="/admin/").get_data(as_text=True)
    assert "该直播间已登记过" in twice and 'value="live2@x.example.cn"' in twice
    again = post_form(operator, "/admin/users", {"org": f"supplier:{supplier.id}",
                                                 "email": "clerk2@pearl.example.cn"},
                      page="/admin/")
    said = again.get_data(as_text=True)
    assert again.status_code == 409 and 'id="add-account" open' in said
    # Told to the operator who typed it, not "sign in" as if to the holder.
    assert "clerk2@pearl.example.cn 已是平台上的供货商账号，一个邮箱只能开一个账号" in said
    assert "请直接登录" not in said


def test_a_password_the_operator_made_is_replaced_at_the_first_sign_in(operator, db, app,
                                                                       make_batch):
    from conftest import form_token
    make_batch()
    email = "clerk@pearl.example.cn"
    accounts.add_user(db, "supplier", email, org=CREDIT_CODE, password="the clerk's own pw")
    user = accounts.find_user(db, email)
    shown = post_form(operator, f"/admin/users/{user.id}/reset-password",
                      {"stamp": accounts.password_stamps(db)[user.id]}, page="/admin/")
    password = shown.get_data(as_text=True).split('id="new-password">', 1)[1].split("<", 1)[0]
    clerk = app.test_client()
    signed = clerk.post("/login", data={"csrf_token": form_token(clerk, "/login"),
                                        "email": email, "password": password},
                        headers={"Referer": BASE_URL + "/login"})
    assert signed.status_code == 303
    held = clerk.get("/supplier/")
    assert held.status_code == 303 and held.headers["Location"].endswith("/account/password")
    assert "请先把它改成只有您自己知道的密码" in clerk.get("/account/password").get_data(
        as_text=True)
    assert clerk.get("/").status_code == 200  # the public pages stay open
    changed = post_form(clerk, "/account/password", {"current": password, "new": "mine at last 1",
                                                     "again": "mine at last 1"})
    assert changed.status_code == 303 and clerk.get("/supplier/").status_code == 200
    assert not accounts.find_user(db, email).password_temporary


def test_the_operator_finds_an_item_by_code_or_serial_and_a_batch_by_gtin_and_lot(
        operator, db, issued_urls):
    from trace import recalls, reports
    from trace.codes import parse_link
    serial = issued_urls[0].split("/21/")[1].split("?")[0]
    recalls.recall_item(db, parse_link(issued_urls[1], BASE_URL), "包装破损", actor="qc")
    reports.submit_report(db, reports.ReportForm("珠子掉色", "某直播间", gtin=GTIN, lot=LOT,
                                                 serial=serial, verdict="genuine"),
                          network="a" * 16)
    operator.get(issued_urls[0][len(BASE_URL):])  # the operator's own look is no scan
    for asked in (issued_urls[0], f"{serial[:4]}-{serial[4:8]}-{serial[8:]}".lower()):
        page = operator.get("/admin/find", query_string={"q": asked}).get_data(as_text=True)
        assert "正品" in page or "已登记的追溯码" in page
        assert "诸暨市山下湖明珠珍珠有限公司" in page and "单件召回 1 件" in page
        assert "共 0 次，来自 0 个网络" in page  # no scan counted, by either search
        assert "关于它的买家举报（1 条）" in page and "珠子掉色" in page
    batch = operator.get("/admin/find", query_string={"q": f"{GTIN[1:]} {LOT.lower()}"})
    html = batch.get_data(as_text=True)
    assert batch.status_code == 200 and f">{LOT}</a>" in html and "关于它的买家举报（1 条）" in html
    assert "现行有效 0 份" in html
    missing = operator.get("/admin/find", query_string={"q": f"{GTIN} NOPE-1"})
    assert missing.status_code == 200 and "没有找到这个批次" in missing.get_data(as_text=True)
    assert f"这个条码是“诸暨淡水珍珠项链”，已登记的批次：{LOT}" in missing.get_data(as_text=True)
    typo = operator.get("/admin/find", query_string={"q": f"9521234000014 {LOT}"})
    assert "商品条码 9521234000014 核对不上" in typo.get_data(as_text=True)  # not "no 追溯码"
    unreadable = operator.get("/admin/find", query_string={"q": "<script>"}).get_data(as_text=True)
    assert "这不是标签上印的追溯码格式" in unreadable and "<script>" not in unreadable
    assert db.execute("SELECT count(*) FROM scans").fetchone()[0] == 0


def test_the_operator_finds_what_a_batch_failed(operator, app, db, issued_urls):
    from test_web_public import _stored_report
    record = _stored_report(app, db, items=[{"name": "联苯菊酯", "result": "5.8",
                                             "unit": "mg/kg", "limit": "≤5", "verdict": "不合格"}])
    for asked in (issued_urls[0], f"{GTIN} {LOT}"):
        page = operator.get("/admin/find", query_string={"q": asked}).get_data(as_text=True)
        assert "现行有效 1 份" in page and "不合格项目：联苯菊酯" in page, asked
        # Which lab and report, to read to a caller: it took the public page to find.
        assert f'浙江省珍珠检测中心 · <span class="mono">{record["report_no"]}</span>' in page


def test_the_operator_voids_or_recalls_one_item_for_a_supplier_who_phones(
        operator, db, issued_urls, client):
    """A supplier phoned to recall one item; the look-up offered only the whole batch."""
    serial = issued_urls[0].split("/21/")[1].split("?")[0]
    page = "/admin/find?q=" + serial
    assert 'id="item-status"' in operator.get(page).get_data(as_text=True)
    target = f"/admin/batches/{GTIN}/{LOT}/items"
    unconfirmed = post_form(operator, target, {"serial": serial, "reason": "扣头松动",
                                               "action": "recall"}, page=page)
    assert unconfirmed.headers["Location"].endswith("#item-status")
    assert "请核对追溯码，勾选确认后再点一次" in operator.get(unconfirmed.headers["Location"]).get_data(
        as_text=True)
    done = post_form(operator, target, {"serial": serial, "reason": "扣头松动，可能脱落",
                                        "action": "recall", "confirm": "1"}, page=page)
    told = operator.get(done.headers["Location"]).get_data(as_text=True)
    assert "这一件。" in told and "已召回" in told
    scanned = client.get(issued_urls[0][len(BASE_URL):], headers={"Accept": "application/json"})
    assert scanned.get_json()["verdict"] == "recalled"
    assert catalog.get_batch(db, GTIN, LOT).status == "open"  # the rest of the batch is not
    actor = db.execute("SELECT actor FROM status_events ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert actor == OPS
    voided = post_form(operator, target, {"serial": serial, "reason": "标签损坏",
                                          "action": "void", "confirm": "1"}, page=page)
    assert 'id="item-status"' not in operator.get(voided.headers["Location"]).get_data(
        as_text=True)  # void is final: nothing more to offer
    other = issued_urls[1].split("/21/")[1].split("?")[0]
    wrong_batch = post_form(operator, f"/admin/batches/{GTIN}/NOPE-1/items",
                            {"serial": other, "reason": "x", "action": "void", "confirm": "1"},
                            page=page)
    assert wrong_batch.status_code == 404
    assert client.get(issued_urls[1][len(BASE_URL):], headers={"Accept": "application/json"}
                      ).get_json()["verdict"] == "genuine"


def test_the_operator_recalls_a_batch_for_its_supplier_and_lifts_it(
        app, operator, db, issued_urls, client, make_account, sign_in):
    """A confirmed fake and a supplier who would not act: the recall was CLI-only."""
    page = f"/admin/find?q={GTIN}+{LOT}"
    assert "代供货商召回" in operator.get(page).get_data(as_text=True)
    target = f"/admin/batches/{GTIN}/{LOT}/status"
    unconfirmed = post_form(operator, target, {"reason": "假冒属实", "action": "recall"}, page=page)
    assert "请勾选确认" in operator.get(unconfirmed.headers["Location"]).get_data(as_text=True)
    assert catalog.get_batch(db, GTIN, LOT).status == "open"
    done = post_form(operator, target, {"reason": "市场监管要求召回", "action": "recall",
                                        "confirm": "1"}, page=page)
    assert done.headers["Location"].endswith("#batch-status")
    assert f"批次 {LOT} 已召回" in operator.get(done.headers["Location"]).get_data(as_text=True)
    batch = catalog.get_batch(db, GTIN, LOT)
    assert (batch.status, batch.status_reason) == ("recalled", "市场监管要求召回")
    scanned = client.get(issued_urls[0][len(BASE_URL):], headers={"Accept": "application/json"})
    assert scanned.get_json()["verdict"] == "recalled"
    actor = db.execute("SELECT actor FROM status_events ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert actor == OPS  # the supplier's history names who recalled it
    history = operator.get(page).get_data(as_text=True)
    assert "市场监管要求召回" in history and f"({OPS})" in history  # who, on the look-up
    # The supplier cannot lift the platform's recall (a trial's did: 正品 again).
    supplier = sign_in(app.test_client(), make_account("supplier", "qc@pearl.example.cn",
                                                       org=CREDIT_CODE))
    own = f"/supplier/batches/{GTIN}/{LOT}"
    assert "只能由平台撤销" in supplier.get(own).get_data(as_text=True)
    refused = post_form(supplier, own + "/status", {"reason": "自称复检合格", "action": "unrecall",
                                                    "confirm": "1"}, page=own)
    assert refused.status_code == 403 and "是平台召回的，只能由平台撤销" in refused.get_data(
        as_text=True)
    assert catalog.get_batch(db, GTIN, LOT).status == "recalled"
    lifted = post_form(operator, target, {"reason": "复检合格", "action": "unrecall",
                                          "confirm": "1"}, page=page)
    assert lifted.status_code == 303 and catalog.get_batch(db, GTIN, LOT).status == "open"


def test_the_operator_finds_a_product_or_company_named_on_the_phone(operator, db, make_batch):
    """'珍珠' read 这不是标签上印的追溯码格式, twice: a caller names the goods or the seller."""
    make_batch()
    for asked in ("珍珠项链", "明珠珍珠", "山下湖"):  # product, company, place in its name
        page = operator.get("/admin/find", query_string={"q": asked}).get_data(as_text=True)
        assert "名称相符的商品（1 个）" in page and "诸暨淡水珍珠项链" in page, asked
        assert f'href="/admin/find?q={GTIN[1:]}"' in page and "不是标签上印的追溯码格式" not in page
    nothing = operator.get("/admin/find", query_string={"q": "不存在的东西"}).get_data(as_text=True)
    assert "名称相符的商品" not in nothing and "不是标签上印的追溯码格式" in nothing
    # A lot read out alone (in lower case, as typed) gives its batches, not that refusal twice.
    lot = operator.get("/admin/find", query_string={"q": LOT.lower()}).get_data(as_text=True)
    assert "批次号相符的批次（1 个）" in lot and "不是标签上印的追溯码格式" not in lot
    # Read out on the phone, a lot loses its dashes or gains spaces, or is only begun.
    for said in ("ZJ 2611 A", "zj2611a", "ZJ-2611"):
        page = operator.get("/admin/find", query_string={"q": said}).get_data(as_text=True)
        assert "批次号相符的批次（1 个）" in page, said
    assert f'href="/admin/find?q={GTIN[1:]}+{LOT}"' in lot
    batch = operator.get("/admin/find", query_string={"q": f"{GTIN[1:]} {LOT}"})
    assert 'id="found-reports"' in batch.get_data(as_text=True)  # the link opens the batch


def test_the_operator_reads_a_barcode_alone_a_recall_and_a_forged_codes_report(
        operator, db, issued_urls):
    from trace import recalls, reports
    alone = operator.get("/admin/find", query_string={"q": GTIN[1:]}).get_data(as_text=True)
    assert f"这是商品条码，没有批次号。这个条码是“诸暨淡水珍珠项链”，已登记的批次：{LOT}" in alone
    serial = issued_urls[0].split("/21/")[1].split("?")[0]
    reports.submit_report(db, reports.ReportForm("扫出来是伪造的码", "某直播间", gtin=GTIN, lot=LOT,
                                                 serial=serial, verdict="forged"),
                          network="a" * 16)
    recalls.recall_batch(db, GTIN, LOT, "抽检不合格", actor="qc")
    page = operator.get("/admin/find", query_string={"q": serial}).get_data(as_text=True)
    assert "伪造标签抄了这件的序列号，不是这件本身有问题" in page
    assert "<dd>已随批次召回</dd>" in page  # not a bare 有效 under a recalled batch


def test_the_operator_finds_a_report_by_the_number_a_buyer_reads_out(
        operator, db, issued_urls):
    """The buyer is told to quote 举报编号 N on the phone: the number found nothing."""
    from trace import reports
    serial = issued_urls[0].split("/21/")[1].split("?")[0]
    reports.submit_report(db, reports.ReportForm("扫出来是伪造的码", "某直播间", contact="13800000000",
                                                 gtin=GTIN, lot=LOT, serial=serial,
                                                 verdict="forged"), network="a" * 16)
    reports.mark_handled(db, 1, actor="ops@trace.example.cn", outcome="confirmed",
                         note="仿冒标签，已转市场监管")
    for asked in ("举报编号 1", "#1", "report 1", "１"):
        page = operator.get("/admin/find", query_string={"q": asked}).get_data(as_text=True)
        assert "举报编号 1 · 伪造的码" in page and "扫出来是伪造的码" in page, asked
        assert 'href="tel:+8613800000000"' in page and "仿冒标签，已转市场监管" in page
        # The genuine item whose serial the forged label copied, found by it.
        assert "诸暨淡水珍珠项链" in page and "诸暨市山下湖明珠珍珠有限公司" in page
        assert "手工输入的码无法核对防伪签名" not in page  # a report's number was typed, not a code
        # said first, above the copied item that reads 有效 (a trial's operator missed it)
        assert page.index("这份举报来自伪造码：买家手里的是假货") < page.index("诸暨市山下湖明珠珍珠有限公司")
    missing = operator.get("/admin/find", query_string={"q": "举报编号 9"}).get_data(as_text=True)
    assert "没有编号为 9 的举报" in missing
    # A copied label's report is explained too, with what to ask of buyer and supplier.
    reports.submit_report(db, reports.ReportForm("珠子掉色", "某直播间", gtin=GTIN, lot=LOT,
                                                 serial=serial, verdict="suspicious"),
                          network="b" * 16)
    copied = operator.get("/admin/find", query_string={"q": "举报编号 2"}).get_data(as_text=True)
    assert 'id="report-suspicious"' in copied and "请供货商在批次页作废这个码" in copied
    assert 'id="report-forged"' not in copied


def test_a_report_older_than_the_queues_twenty_is_handled_from_its_look_up(operator, db):
    """The queue shows the newest 20 open reports; an older one was CLI-only."""
    from trace import reports
    for n in range(21):
        reports.submit_report(db, reports.ReportForm(f"问题 {n}", "某直播间", gtin=GTIN, lot=LOT),
                              network=f"{n:016d}")
    queue = operator.get("/admin/").get_data(as_text=True)
    assert 'id="report-1"' not in queue and "还有 1 条较早的待处理举报" in queue
    # To the open list where the queue stops, with nothing skipped between.
    assert 'href="/admin/reports?state=open#report-2"' in queue
    page = operator.get("/admin/find?q=1").get_data(as_text=True)
    assert 'name="back" value="find"' in page and "标为已处理" in page
    unsaid = post_form(operator, "/admin/reports/1/handled", {"note": "已回访", "back": "find"},
                       page="/admin/find?q=1")
    assert unsaid.headers["Location"].endswith("/admin/find?q=1#the-report")
    assert "请选择处理结果" in operator.get(unsaid.headers["Location"]).get_data(as_text=True)
    done = post_form(operator, "/admin/reports/1/handled",
                     {"note": "已回访", "outcome": "handled", "back": "find"},
                     page="/admin/find?q=1")
    shown = operator.get(done.headers["Location"]).get_data(as_text=True)
    assert "举报编号 1 已处理，结果：已处理，无法定性。" in shown and reports.get_report(db, 1).handled_at
    # said above the correction form, where the page opens, not under it
    assert shown.index("举报编号 1 已处理，结果") < shown.index('id="correct-outcome"')


def test_the_operator_corrects_a_finding_set_wrong_and_both_stay_on_the_page(
        app, operator, db, issued_urls):
    from trace import reports
    reports.submit_report(db, reports.ReportForm("珠子掉色", "某直播间", gtin=GTIN, lot=LOT),
                          network="a" * 16)
    reports.mark_handled(db, 1, actor="ops@trace.example.cn", outcome="confirmed", note="已回访")
    page = operator.get("/admin/find?q=1").get_data(as_text=True)
    assert "更正处理结果" in page and "原来的结果和更正原因都会保留" in page
    assert "买家打开回执时会看到更正后的结果和更正原因" in page  # the operator writes for them
    refused = post_form(operator, "/admin/reports/1/outcome",
                        {"outcome": "unfounded", "reason": " "}, page="/admin/find?q=1")
    assert refused.status_code == 303
    said = operator.get(refused.headers["Location"]).get_data(as_text=True)
    assert "请填写更正原因" in said and reports.get_report(db, 1).handled_outcome == "confirmed"
    done = post_form(operator, "/admin/reports/1/outcome",
                     {"outcome": "unfounded", "reason": "误选为属实，复核是买家看错"},
                     page="/admin/find?q=1")
    shown = operator.get(done.headers["Location"]).get_data(as_text=True)
    assert "举报编号 1 的处理结果已更正" in shown
    assert "将处理结果由“属实（举报的问题确实存在）”更正为“不属实" in shown
    assert "误选为属实，复核是买家看错" in shown
    assert "第一次处理时写的处理情况：</span>已回访" in shown  # the old note, said to be the old one
    queue = operator.get("/admin/").get_data(as_text=True)
    assert "更正了处理结果）" in queue and 'href="/admin/find?q=1#the-report"' in queue
    token = reports.receipt_token(app.config["HASH_SECRET"], 1)
    receipt = app.test_client().get(f"/report/1/{token}").get_data(as_text=True)
    assert "不属实" in receipt and "更正了处理结果" in receipt  # not a silent flip
    assert "更正原因：" in receipt and "误选为属实，复核是买家看错" in receipt  # and why
    assert "更正前的结果：属实（举报的问题确实存在）" in receipt  # and what they read before
    assert "已回访" not in receipt  # the handling note stays the operator's


def test_every_report_is_listed_a_page_at_a_time_open_handled_or_all(operator, db, issued_urls):
    """Beyond the queue's newest 20, a list of every report: open ones lead to their
    handling, handled ones to a correction; a made-up state or page shows a real one."""
    from trace import reports
    for n in range(52):
        reports.submit_report(db, reports.ReportForm(f"问题 {n}", "某直播间", gtin=GTIN, lot=LOT),
                              network=f"{n:016d}")
    none_yet = operator.get("/admin/reports?state=handled").get_data(as_text=True)
    assert "还没有已处理的举报" in none_yet and "还没有买家举报" not in none_yet
    reports.mark_handled(db, 52, actor="ops@trace.example.cn", note="已回访", outcome="unfounded")
    first = operator.get("/admin/reports").get_data(as_text=True)
    assert "待处理 51 条" in first and "已处理 1 条" in first and "<strong>全部 52 条</strong>" in first
    assert 'id="report-52"' in first and 'id="report-3"' in first and 'id="report-2"' not in first
    assert "第 1 / 2 页" in first and 'href="/admin/reports?page=2&amp;state=all"' in first \
        or 'href="/admin/reports?state=all&amp;page=2"' in first
    second = operator.get("/admin/reports?state=all&page=2").get_data(as_text=True)
    assert 'id="report-2"' in second and 'id="report-1"' in second and 'id="report-3"' not in second
    handled = operator.get("/admin/reports?state=handled").get_data(as_text=True)
    assert 'id="report-52"' in handled and 'id="report-51"' not in handled
    assert "<h1>已处理的买家举报</h1>" in handled  # the heading says which list
    assert "不属实" in handled and 'href="/admin/find?q=52#the-report">更正处理结果' in handled
    still_open = operator.get("/admin/reports?state=open&page=2").get_data(as_text=True)
    assert 'id="report-1"' in still_open and 'href="/admin/find?q=1#the-report">处理' in still_open
    for odd, shown in (("?state=<script>&page=-3", 52), ("?page=x", 52),
                       ("?page=99999999999999999999999", 1)):  # the last page there is
        answer = operator.get("/admin/reports" + odd)
        assert answer.status_code == 200 and f'id="report-{shown}"' in answer.get_data(as_text=True)
    home = operator.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/reports">全部 52 条举报（含已处理）' in home
    # The look-up counts them all, shows the newest 20 and leads to the rest.
    found = operator.get("/admin/find", query_string={"q": f"{BASE_URL}/01/{GTIN}/10/{LOT}"})
    found = found.get_data(as_text=True)
    assert "关于它的买家举报（52 条）" in found and "下面是最新的 20 条" in found
    rest = re.search(r'href="(/admin/reports\?[^"]*)">查看全部', found).group(1)
    rest = rest.replace("&amp;", "&")
    listed = operator.get(rest).get_data(as_text=True)
    assert f"只看：商品条码 <span class=\"mono\">{GTIN}</span>" in listed and "全部 52 条" in listed
    assert "第 1 / 2 页" in listed and 'id="report-3"' in listed
    assert operator.get("/admin/reports?gtin=123&state=open").status_code == 200  # not a barcode
    nothing = operator.get(f"/admin/reports?state=handled&gtin={GTIN}&lot=NOSUCH")
    assert "还没有买家举报" in nothing.get_data(as_text=True)  # none about that lot at all


def _audited(operator, db, location: str) -> str:
    """The audit's page once its thread is done (the page polls; a test waits)."""
    import threading
    job_id = int(location.rsplit("/", 1)[1])
    for thread in threading.enumerate():
        if thread.name == f"job-{job_id}":
            thread.join(timeout=120)
    return operator.get(location).get_data(as_text=True)


def test_the_operator_audits_the_whole_ledger_from_the_page(operator, db, issued_urls):
    """Auditing the ledger is the operator's job (DESIGN §1), and it was a command
    on the server only."""
    from test_audit import tamper
    assert "还没有在网页上核对过整本账本" in operator.get("/admin/").get_data(as_text=True)
    size = db.execute("SELECT count(*) FROM ledger_leaves").fetchone()[0]
    started = post_form(operator, "/admin/ledger/audit", {}, page="/admin/")
    assert started.status_code == 303 and "/admin/ledger/audits/" in started.location
    page = _audited(operator, db, started.location)
    assert f"账本一致：全部 {size} 条记录都与数据库相符" in page and OPS in page
    home = operator.get("/admin/").get_data(as_text=True)
    assert f"账本一致（{size} 条记录）" in home and "还没有在网页上核对过" not in home

    tamper(db, "batches", "UPDATE batches SET status = 'recalled', status_reason = '假'")
    page = _audited(operator, db, post_form(operator, "/admin/ledger/audit", {},
                                            page="/admin/").location)
    assert "发现 1 处不一致" in page and "不要直接改动、恢复或删除数据库文件" in page
    assert f"批次 {GTIN} / {LOT}：数据库里的状态是“已召回（原因：假）”，账本记录的却是“正常”。" \
        "消费者扫码看到的是“已召回（原因：假）”，页面同时提示这批商品的记录被改动过。" in page
    assert f'href="/admin/find?q={GTIN}+{LOT}"' in page and "不必为此重新召回" in page
    assert f"batch {GTIN}/{LOT}: status &#39;recalled&#39;" in page  # the detail, for engineers
    home = operator.get("/admin/").get_data(as_text=True)
    assert "发现 1 处不一致。" in home[home.index('id="ledger"'):]
    found = operator.get(f"/admin/find?q={GTIN}+{LOT}").get_data(as_text=True)
    assert 'id="find-altered"' in found and "这批商品的记录与防篡改账本对不上" in found
    assert "核对防篡改账本时发现 1 处不一致" in home[:home.index('class="jump"')]  # on top


def test_the_home_says_which_batches_buyers_are_warned_of_without_an_audit(
        app, operator, db, issued_urls):
    """A trial engineer changed a batch's date in the database: buyers read 记录被改动过
    at once, but /admin/ kept saying 账本一致 until someone ran an audit."""
    from test_audit import tamper
    home = operator.get("/admin/").get_data(as_text=True)
    assert 'id="altered-now"' not in home and 'id="altered-since"' not in home
    tamper(db, "batches", "UPDATE batches SET produced_on = '2026-01-01'")
    buyer = app.test_client()
    assert buyer.get(issued_urls[0][len(BASE_URL):], headers={"Accept": "application/json"}
                     ).json["records_altered"] is True
    home = operator.get("/admin/").get_data(as_text=True)
    banner = home[home.index('id="altered-now"'):home.index('class="jump"')]
    assert "买家扫码时正被提示“记录被改动过”：1 个批次" in banner
    assert f"批次 {LOT}" in banner and f'href="/admin/find?q={GTIN}+{LOT}"' in banner
    db.execute("UPDATE batches SET produced_on = '2026-11-10'")  # changed back, quietly
    home = operator.get("/admin/").get_data(as_text=True)
    assert 'id="altered-now"' not in home
    assert "有人改过又改了回来" in home[home.index('id="altered-since"'):]


def test_pressing_audit_while_one_runs_opens_that_one(operator, db):
    from trace import jobs
    running = jobs.start(db, "audit", owner_id=999, subject="ledger", total=40)
    jobs.advance(db, running.id, 10)
    home = operator.get("/admin/").get_data(as_text=True)
    assert "正在核对整本账本（25%）" in home and "开始核对" not in home
    again = post_form(operator, "/admin/ledger/audit", {}, page="/admin/")
    assert again.location.endswith(f"/admin/ledger/audits/{running.id}")
    assert db.execute("SELECT count(*) FROM jobs").fetchone()[0] == 1
    page = operator.get(again.location)
    assert page.headers["Refresh"] == "1" and "已核对 10 / 40 条记录" in page.get_data(
        as_text=True)
    missing = operator.get("/admin/ledger/audits/9999")
    assert missing.status_code == 404 and "没有这次核对" in missing.get_data(as_text=True)


def test_an_audit_is_no_suppliers_job_whatever_its_owner_id(
        client, db, make_batch, make_account, sign_in):
    """jobs.owner_id is a supplier's id for an issue and a user's for an audit."""
    from trace import jobs
    make_batch()
    supplier = catalog.find_supplier(db, CREDIT_CODE)
    audit_job = jobs.start(db, "audit", owner_id=supplier.id, subject="ledger", total=1)
    sign_in(client, make_account("supplier", "pearls@x.cn", org=CREDIT_CODE))
    assert client.get(f"/supplier/jobs/{audit_job.id}").status_code == 404


def _problem_codes() -> set[str]:
    """Every code trace/transparency/audit.py gives a problem, read from its source."""
    import ast
    import pathlib
    tree = ast.parse(pathlib.Path("trace/transparency/audit.py").read_text())
    where = {"Problem": 1, "_leaf_problem": 2, "_status_problem": 1}
    named = [call.args[where[call.func.id]] for call in ast.walk(tree)
             if isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
             and call.func.id in where and len(call.args) > where[call.func.id]]
    return {arg.value for arg in named if isinstance(arg, ast.Constant)}  # not the helpers'


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_problem_an_audit_finds_has_words_in_both_languages(app, lang):
    from flask import g
    from trace.web.i18n import t
    codes = _problem_codes()
    assert {"batch_status", "row_changed", "checkpoint_fork", "kept_rewritten"} <= codes
    with app.test_request_context():
        g.lang = lang
        missing = [code for code in codes if t(f"audit.problem.{code}") == f"audit.problem.{code}"]
    assert missing == []


@pytest.mark.parametrize("change", ["a recall reason", "an item status", "a deleted void",
                                    "a subtree", "a checkpoint's root column"])
def test_an_operator_reads_each_kind_of_tampering_in_words(app, logged, change):
    from test_audit import CHANGES, tamper
    from trace.transparency import audit
    from trace.web.admin.audits import said
    table, statement, _named = CHANGES[change]
    tamper(logged, table, statement)
    with app.test_request_context():
        words = [said(problem) for problem in audit.audit(logged)]
    assert words and all("{" not in line and "audit." not in line for line in words), words
    assert any(line.startswith(("账本第", "商品", "签名检查点", "账本内部", "数据库的防改保护"))
               for line in words), words
    if change == "a recall reason":  # the leaf's fields in words, with what each was and is
        assert any("（改动：原因 抽检不合格 → 主动召回、整行内容）" in line for line in words), words


def test_the_audit_says_buyers_read_a_recall_either_side_holds(app):
    """Pages show a batch recalled when the ledger logged the recall, whatever its
    row says now (snapshots): the audit must not tell the operator buyers read 正常."""
    from trace.transparency.findings import Problem
    from trace.web.admin.audits import said
    deleted = Problem("batch …", "batch_status", gtin=GTIN, lot=LOT, actual="open",
                      actual_reason=None, expected="recalled", expected_reason="重金属超标")
    with app.test_request_context():
        assert "消费者扫码看到的是“已召回（原因：重金属超标）”" in said(deleted)


def test_an_items_changed_status_is_said_to_have_no_warning_for_buyers(operator, logged):
    """Only a batch's pages show the cautious side with a warning; an item's changed
    row reads as it is, and the operator is told so, not told buyers are warned."""
    from test_audit import CHANGES, tamper
    table, statement, _named = CHANGES["an item status"]
    tamper(logged, table, statement)
    page = _audited(operator, logged, post_form(operator, "/admin/ledger/audit", {},
                                                page="/admin/").location)
    assert "页面不会提示：请尽快让技术人员对照账本和备份恢复" in page
    assert "账本记下的召回照样显示为" not in page  # no batch status was changed


def test_the_operator_sees_which_colleague_opened_or_stopped_an_account(
        operator, db, make_batch):
    from trace import colleagues
    make_batch()
    clerk = accounts.add_user(db, "supplier", "clerk@pearl.example.cn", org=CREDIT_CODE,
                              password="a long password")[0]
    qc, _ = colleagues.add_colleague(db, clerk, "qc@pearl.example.cn")
    colleagues.stop_colleague(db, clerk, qc.id)
    html = operator.get("/admin/").get_data(as_text=True)
    row = html[html.index("qc@pearl.example.cn"):]
    row = row[:row.index("</tr>")]
    assert "由 clerk@pearl.example.cn 于" in row and "已停用（由 clerk@pearl.example.cn 停用）" in row


def test_a_supplier_asked_about_by_name_is_shown_whole(operator, db, issued_urls):
    """A trial's operator found only a company's products by its name: its standing,
    whom to call, its batches and reports were on four pages."""
    from trace import catalog, reports
    serial = issued_urls[0].split("/21/")[1].split("?")[0]
    reports.submit_report(db, reports.ReportForm("珠子掉色", "某直播间", gtin=GTIN, lot=LOT,
                                                 serial=serial, verdict="genuine"),
                          network="a" * 16)
    reports.submit_report(db, reports.ReportForm("扫出来是伪造的码", "某店", gtin=GTIN, lot=LOT,
                                                 serial=serial, verdict="forged"),
                          network="b" * 16)
    catalog.suspend_supplier(db, 1, "假冒他人商标", actor="ops")
    for asked in ("山下湖明珠", "91330681MA2D7XKQ0T"):
        page = operator.get("/admin/find", query_string={"q": asked}).get_data(as_text=True)
        card = page.split('id="company-1">', 1)[1].split("</section>", 1)[0]
        assert "供货商：诸暨市山下湖明珠珍珠有限公司" in card and "暂停资格：假冒他人商标" in card
        assert 'href="tel:+8657587000000"' in card and "陈经理" in card
        assert "其货品 1 起（同一来源算一起），其中经核实属实 0 起；另有冒用其标签的伪造码 1 起" in card
        assert f"诸暨淡水珍珠项链 · <span class=\"mono nowrap\">{LOT}</span></a> · 正常 · 已发码 5 个" \
            in card
        assert "无法识别" not in page and "没有找到" not in page  # found: no "not found" beside it
    assert 'id="company-' not in operator.get(
        "/admin/find", query_string={"q": "龙井"}).get_data(as_text=True)
    catalog.add_supplier(db, "余杭新合作社", "91330110MA2H3YQ68B")
    bare = operator.get("/admin/find", query_string={"q": "余杭新"}).get_data(as_text=True)
    assert "还没有批次。" in bare and "共 0 个" not in bare
