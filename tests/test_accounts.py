"""Accounts and API tokens: hashed at rest, shown once, disabled with their tokens."""

from __future__ import annotations

import json
import sqlite3

import pytest

from trace import accounts, catalog, uscc
from trace.errors import Conflict, Forbidden, InvalidInput, NotFound, TooManyAttempts

from conftest import CREDIT_CODE

PASSWORD = "a long passphrase 珍珠"


@pytest.fixture
def supplier(db):
    return catalog.add_supplier(db, "诸暨市山下湖明珠珍珠有限公司", CREDIT_CODE)


def test_a_supplier_account_is_tied_to_its_supplier_and_hashed(db, supplier):
    user, password = accounts.add_user(db, "supplier", "QC@Pearl.example", org=CREDIT_CODE)
    assert (user.role, user.org_id) == ("supplier", supplier.id)
    assert len(password) >= 16  # generated: 12 random bytes
    stored = db.execute("SELECT password_hash FROM users").fetchone()[0]
    assert stored.startswith("scrypt:") and password not in stored
    assert accounts.authenticate(db, "qc@pearl.example", password) == user  # any case
    assert accounts.authenticate(db, "qc@pearl.example", password + "x") is None
    assert accounts.authenticate(db, "nobody@pearl.example", password) is None


def test_an_unknown_e_mail_costs_the_hash_a_wrong_password_does(db, monkeypatch):
    """Answered without hashing, an unknown address came back 30 times faster than
    a wrong password: timing the form told which e-mails have accounts."""
    accounts.add_user(db, "admin", "ops@trace.example", password="correct-horse-1")
    hashed = []
    real = accounts.check_password_hash
    monkeypatch.setattr(accounts, "check_password_hash",
                        lambda stored, given: hashed.append(stored[:7]) or real(stored, given))
    assert accounts.authenticate(db, "nobody@trace.example", "correct-horse-1") is None
    assert accounts.authenticate(db, "ops@trace.example", "wrong-horse-1") is None
    assert hashed == ["scrypt:", "scrypt:"]


@pytest.mark.parametrize("role, email, org, password, error, message", [
    ("root", "a@b.cn", None, None, InvalidInput, "role must be one of"),
    ("admin", "not-an-email", None, None, InvalidInput, "is not an e-mail address"),
    # escaped wherever it shows, yet no one's address: a security trial's colleague
    ("admin", '"><script>alert(1)</script>@x.cn', None, None, InvalidInput,
     "is not an e-mail address"),
    ("admin", "a@b.cn", "1", None, InvalidInput, "belongs to no organisation"),
    ("supplier", "a@b.cn", None, None, InvalidInput, "needs --org"),
    ("supplier", "a@b.cn", "999", None, NotFound, "no supplier"),
    ("agency", "a@b.cn", "1", None, NotFound, "no agency 1"),
    ("streamer", "a@b.cn", None, None, InvalidInput, "needs --org"),
    ("admin", "a@b.cn", None, "short", InvalidInput, "at least 10 characters"),
])
def test_bad_accounts_are_refused_and_nothing_is_stored(db, supplier, role, email, org,
                                                        password, error, message):
    with pytest.raises(error, match=message):
        accounts.add_user(db, role, email, org=org, password=password)
    assert db.execute("SELECT count(*) FROM users").fetchone()[0] == 0


def test_a_turned_down_organisation_gets_no_account_even_by_its_id(db):
    """The operator's form hides a rejected sign-up; a crafted request named it by id,
    and its account could sign in to a workspace waiting for an approval that never
    comes."""
    from trace import agencies
    supplier = catalog.add_supplier(db, "义乌市某商行", CREDIT_CODE, approved=False)
    catalog.reject_supplier(db, supplier.id, "不是本单位")
    lab, _ = agencies.add_agency(db, "某检测公司", "231012341234")
    agencies.reject_agency(db, lab.id, "CMA 证书号查不到")
    for role, org in (("supplier", str(supplier.id)), ("agency", str(lab.id))):
        with pytest.raises(Conflict, match="turned down"):
            accounts.add_user(db, role, f"{role}@x.cn", org=org, by_operator=True)
    assert db.execute("SELECT count(*) FROM users").fetchone()[0] == 0


def test_one_account_per_email(db):
    accounts.add_user(db, "admin", "ops@trace.example.cn", password=PASSWORD)
    with pytest.raises(Conflict, match="already exists"):
        accounts.add_user(db, "admin", "OPS@trace.example.cn", password=PASSWORD)


def test_tokens_are_shown_once_stored_hashed_and_die_with_the_account(db):
    user, _ = accounts.add_user(db, "admin", "ops@trace.example.cn", password=PASSWORD)
    token_id, token = accounts.new_token(db, user.email, "ERP")
    assert token.startswith("trc_") and len(token) > 40
    assert token not in str(db.execute("SELECT * FROM api_tokens").fetchall())
    assert accounts.user_for_token(db, token) == user
    assert accounts.user_for_token(db, token[:-1] + ("y" if token.endswith("x") else "x")) is None
    assert accounts.user_for_token(db, "Bearer " + token) is None
    accounts.revoke_token(db, token_id)
    assert accounts.user_for_token(db, token) is None
    with pytest.raises(Conflict, match="was revoked"):
        accounts.revoke_token(db, token_id)
    _, second = accounts.new_token(db, user.email)
    accounts.disable_user(db, user.email)
    assert accounts.user_for_token(db, second) is None
    assert accounts.authenticate(db, user.email, PASSWORD) is None
    with pytest.raises(Conflict, match="disabled"):
        accounts.new_token(db, user.email)


def test_users_and_tokens_from_the_command_line(run_cli, db, supplier):
    result = run_cli("users", "add", "--role", "supplier", "--email", "qc@pearl.example",
                     "--org", CREDIT_CODE)
    assert result.exit_code == 0, result.output
    password = result.output.strip().splitlines()[-1].split(": ", 1)[1]
    assert accounts.authenticate(db, "qc@pearl.example", password)
    listing = run_cli("users", "list").output
    assert "qc@pearl.example" in listing and "supplier" in listing and "active" in listing
    assert " 1 诸暨市山下湖明珠珍珠有限公司 " in listing  # which supplier 1, by name
    made = run_cli("tokens", "new", "--email", "qc@pearl.example", "--name", "ERP")
    token = made.output.strip().splitlines()[-1]
    assert accounts.user_for_token(db, token).email == "qc@pearl.example"
    assert token not in run_cli("tokens", "list").output
    [listed] = json.loads(run_cli("tokens", "list", "--json").output)
    assert (listed["email"], listed["name"], listed["revoked_at"]) == \
        ("qc@pearl.example", "ERP", None) and token not in json.dumps(listed)
    assert run_cli("tokens", "revoke", "1").exit_code == 0
    assert accounts.user_for_token(db, token) is None
    assert run_cli("users", "disable", "qc@pearl.example").exit_code == 0
    from trace.clock import beijing_time
    disabled_at = accounts.find_user(db, "qc@pearl.example").disabled_at
    assert f"disabled {beijing_time(disabled_at, '%Y-%m-%d')}" in run_cli("users", "list").output
    again = run_cli("users", "disable", "qc@pearl.example")
    assert again.exit_code == 1 and "disabled already" in again.output
    enabled = run_cli("users", "enable", "qc@pearl.example")
    assert enabled.exit_code == 0 and "old API tokens stay revoked" in enabled.output
    assert accounts.authenticate(db, "qc@pearl.example", password)
    assert accounts.user_for_token(db, token) is None  # a revoked token is never revived
    assert run_cli("users", "enable", "qc@pearl.example").exit_code == 1


def test_a_password_from_stdin_is_not_echoed(app, db):
    from click.testing import CliRunner
    from flask.cli import ScriptInfo

    from trace.cli import cli
    result = CliRunner().invoke(cli, ["users", "add", "--role", "admin", "--email",
                                      "ops@trace.example.cn", "--password-stdin"],
                                input=PASSWORD + "\n", obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0 and PASSWORD not in result.output
    assert accounts.authenticate(db, "ops@trace.example.cn", PASSWORD)


CONTACT = catalog.Contact("0573 8765 4321", "浙江省海宁市许村镇", "王经理")


def test_roles_are_checked_by_the_database_too(db):
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO users (email, role, password_hash, created_at) "
                   "VALUES ('x@y.cn', 'root', 'h', 'now')")


def test_a_web_sign_up_waits_for_approval_and_is_all_or_nothing(db, supplier):
    made, user = accounts.sign_up_supplier(
        db, contact=CONTACT, name="海宁新家纺有限公司", credit_code="91330100MA27XL0Y34",
        email="owner@haining.example.cn", password="家纺 passphrase", network="n1")
    assert not made.approved and user.org_id == made.id and user.role == "supplier"
    assert catalog.find_supplier(db, made.id).contact_name == "王经理"
    with pytest.raises(Conflict, match="already exists"):  # the e-mail is taken
        accounts.sign_up_supplier(db, contact=CONTACT, name="另一家", credit_code="91330100MA27XL0Y5A",
                                  email="owner@haining.example.cn", password="x" * 12,
                                  network="n1")
    assert [s["credit_code"] for s in catalog.list_suppliers(db, pending_only=True)] == [
        "91330100MA27XL0Y34"]  # the second organisation was rolled back with its account
    assert catalog.approve_supplier(db, made.id).approved


def test_sign_ups_are_throttled_per_network_but_typos_do_not_use_them_up(db):
    codes = ["91330100MA27XL0Y34", "91330100MA27XL0Y5A"]
    codes += [c + uscc.credit_code_check_char(c) for c in
              (f"91330100MA27XL0{n}{n}" for n in range(3, 7))]
    for n in range(3):  # mistakes cost the hourly failure allowance only
        with pytest.raises(InvalidInput):
            accounts.sign_up_supplier(db, contact=CONTACT, name="x", credit_code="bad",
                                      email=f"t{n}@a.example", password="x" * 12,
                                      network="n2")
    for n, code in enumerate(codes[:accounts.SIGNUPS_PER_NETWORK]):
        accounts.sign_up_supplier(db, contact=CONTACT, name=f"公司{n}", credit_code=code,
                                  email=f"{n}@a.example", password="x" * 12, network="n2")
    with pytest.raises(TooManyAttempts, match="today") as refused:
        accounts.sign_up_supplier(db, contact=CONTACT, name="x", credit_code=codes[5],
                                  email="z@a.example",
                                  password="x" * 12, network="n2")
    assert "联系平台运营方" in refused.value.message_zh  # what a park's tenth firm can do
    # An operator expecting a park's firms raises the number: the same network goes on.
    accounts.sign_up_supplier(db, contact=CONTACT, name="x", credit_code=codes[5],
                              email="z@a.example", password="x" * 12, network="n2",
                              per_day=20)


def test_failed_sign_ups_are_throttled_per_network(db):
    for n in range(accounts.FAILED_SIGNUPS_PER_NETWORK.attempts):
        with pytest.raises(InvalidInput):
            accounts.sign_up_supplier(db, contact=CONTACT, name="x", credit_code="bad",
                                      email=f"{n}@a.example", password="x" * 12,
                                      network="n3")
    with pytest.raises(TooManyAttempts, match="wait an hour"):
        accounts.sign_up_supplier(db, contact=CONTACT, name="x", credit_code="91330100MA27XL0Y34",
                                  email="ok@a.example", password="x" * 12, network="n3")


def test_a_disabled_account_with_the_right_password_is_told_so(db):
    accounts.add_user(db, "admin", "ops@a.example", password="x" * 12)
    accounts.disable_user(db, "ops@a.example")
    with pytest.raises(Forbidden, match="disabled"):
        accounts.sign_in(db, "ops@a.example", "x" * 12, "n4")
    with pytest.raises(InvalidInput, match="wrong e-mail or password"):
        accounts.sign_in(db, "ops@a.example", "y" * 12, "n4")


def test_a_sign_in_is_known_until_closed_and_only_with_its_own_id(db):
    user, _ = accounts.add_user(db, "admin", "ops@trace.example.cn")
    first, second = accounts.open_sign_in(db, user.id), accounts.open_sign_in(db, user.id)
    assert accounts.signed_in(db, user.id, first).email == "ops@trace.example.cn"
    assert accounts.signed_in(db, user.id + 1, first) is None  # another account's number
    assert accounts.signed_in(db, user.id, first + "x") is None
    accounts.close_sign_in(db, first)
    assert accounts.signed_in(db, user.id, first) is None
    assert accounts.signed_in(db, user.id, second) is not None
    assert first not in str(db.execute("SELECT * FROM sign_ins").fetchall())  # hashes only


def test_sign_in_reads_full_width_letters_and_names_an_empty_field(db):
    accounts.add_user(db, "admin", "ops@trace.example.cn", password="a long passphrase")
    assert accounts.sign_in(db, "ｏｐｓ＠ｔｒａｃｅ．ｅｘａｍｐｌｅ．ｃｎ", "a long passphrase",
                            "net").email == "ops@trace.example.cn"
    for email, password in (("", "a long passphrase"), ("ops@trace.example.cn", "")):
        with pytest.raises(InvalidInput, match="enter both"):
            accounts.sign_in(db, email, password, "net")
    assert db.execute("SELECT count(*) FROM attempts").fetchone()[0] == 0


def test_a_sign_up_says_every_problem_at_once_in_the_forms_order(db):
    from trace.errors import Problems
    with pytest.raises(Problems) as refused:
        accounts.sign_up_supplier(db, contact=catalog.Contact("12", "", ""), name=" ",
                                  credit_code="9133068", email="not-mail", password="short",
                                  network="n")
    said = [problem.message_zh for problem in refused.value.each]
    assert [s[:4] for s in said] == ["请填写企", "统一社会", "客服电话", "请填写地", "请填写联",
                                     "邮箱地址", "密码至少"], said
    assert db.execute("SELECT count(*) FROM suppliers").fetchone()[0] == 0
    with pytest.raises(Problems) as lab:
        accounts.sign_up_agency(db, name="", cma="123", cnas="X", address=None,
                                email="lab@lab.example.cn", password="a long pass phrase",
                                network="n")
    assert len(lab.value.each) == 3  # name, CMA, CNAS


def test_a_reset_password_can_be_read_aloud_and_a_disabled_account_keeps_its_own(db):
    import re as pattern
    email = accounts.add_user(db, "admin", "ops@trace.example.cn",
                              password="a long pass phrase")[0].email
    user, password = accounts.reset_password(db, email)
    assert pattern.fullmatch(r"([2-9a-hjkmnp-z]{4}-){3}[2-9a-hjkmnp-z]{4}", password), password
    assert accounts.authenticate(db, email, password).id == user.id
    accounts.disable_user(db, email)
    with pytest.raises(Conflict, match="enable it first"):
        accounts.reset_password(db, email)
    accounts.enable_user(db, email)  # "signs in with its password": the one it had
    assert accounts.authenticate(db, email, password).id == user.id
