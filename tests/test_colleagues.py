"""Colleagues: an organisation's accounts open and stop each other's, never another
organisation's, and never lift a stop the operator made."""

from __future__ import annotations

import pytest

from trace import accounts, catalog, colleagues
from trace.errors import Conflict, Forbidden, InvalidInput, NotFound

from conftest import CREDIT_CODE

OTHER_CODE = "91330100MA27XL0Y34"


@pytest.fixture
def clerk(db):
    catalog.add_supplier(db, "诸暨市山下湖明珠珍珠有限公司", CREDIT_CODE)
    return accounts.add_user(db, "supplier", "clerk@pearl.example.cn", org=CREDIT_CODE,
                             password="a long password")[0]


def test_a_colleague_is_opened_with_a_one_time_password_and_the_opener_kept(db, clerk):
    added, password = colleagues.add_colleague(db, clerk, "qc@pearl.example.cn")
    assert (added.role, added.org_id, added.added_by) == ("supplier", clerk.org_id, clerk.id)
    assert accounts.find_user(db, "qc@pearl.example.cn").password_temporary
    assert accounts.authenticate(db, "qc@pearl.example.cn", password) is not None
    assert [m.email for m in colleagues.members(db, clerk)] == [
        "clerk@pearl.example.cn", "qc@pearl.example.cn"]


def test_an_e_mail_taken_anywhere_is_refused_without_saying_whose(db, clerk):
    accounts.add_user(db, "admin", "ops@trace.example.cn", password="a long password")
    with pytest.raises(Conflict) as refused:
        colleagues.add_colleague(db, clerk, "ops@trace.example.cn")
    assert "平台运营" not in refused.value.message_zh and "admin" not in str(refused.value)
    with pytest.raises(InvalidInput):
        colleagues.add_colleague(db, clerk, "not an e-mail")
    assert len(colleagues.members(db, clerk)) == 1


def test_an_organisation_awaiting_approval_or_suspended_adds_nobody(db):
    waiting = catalog.add_supplier(db, "新茶社", OTHER_CODE, approved=False)
    applicant = accounts.add_user(db, "supplier", "a@tea.example.cn", org=str(waiting.id),
                                  password="a long password")[0]
    with pytest.raises(Forbidden, match="approved"):
        colleagues.add_colleague(db, applicant, "b@tea.example.cn")
    catalog.approve_supplier(db, waiting.id)
    colleagues.add_colleague(db, applicant, "b@tea.example.cn")
    catalog.suspend_supplier(db, waiting.id, "标签造假", actor="ops")
    with pytest.raises(Forbidden, match="suspended"):
        colleagues.add_colleague(db, applicant, "c@tea.example.cn")
    assert accounts.find_user(db, "c@tea.example.cn", missing_ok=True) is None


def test_at_most_twenty_active_accounts(db, clerk):
    for n in range(colleagues.MAX_ACTIVE - 1):
        colleagues.add_colleague(db, clerk, f"c{n}@pearl.example.cn")
    with pytest.raises(Conflict, match="at most"):
        colleagues.add_colleague(db, clerk, "one-more@pearl.example.cn")
    colleagues.stop_colleague(db, clerk, accounts.find_user(db, "c0@pearl.example.cn").id)
    colleagues.add_colleague(db, clerk, "one-more@pearl.example.cn")  # a place freed


def test_a_colleague_stopped_by_a_colleague_is_let_in_again_by_one(db, clerk):
    qc, _ = colleagues.add_colleague(db, clerk, "qc@pearl.example.cn")
    token = accounts.new_token(db, qc.email)[1]
    stopped = colleagues.stop_colleague(db, clerk, qc.id)
    assert not stopped.active and stopped.disabled_by == clerk.id
    assert accounts.user_for_token(db, token) is None  # its tokens go with it
    assert colleagues.stopped_by_colleague(db, stopped)
    with pytest.raises(Conflict):
        colleagues.stop_colleague(db, clerk, qc.id)
    restarted = colleagues.restart_colleague(db, clerk, qc.id)
    assert restarted.active and restarted.disabled_by is None


def test_a_stop_by_the_operator_is_the_operators_to_lift(db, clerk):
    qc, _ = colleagues.add_colleague(db, clerk, "qc@pearl.example.cn")
    accounts.disable_user(db, qc.email)  # the operator (web or command line)
    with pytest.raises(Forbidden, match="operator"):
        colleagues.restart_colleague(db, clerk, qc.id)
    assert not accounts.find_user(db, qc.email).active


def test_nobody_stops_themselves_or_another_organisations_account(db, clerk):
    with pytest.raises(InvalidInput):
        colleagues.stop_colleague(db, clerk, clerk.id)
    catalog.add_supplier(db, "别家公司", OTHER_CODE)
    stranger = accounts.add_user(db, "supplier", "x@tea.example.cn", org=OTHER_CODE,
                                 password="a long password")[0]
    for change in (colleagues.stop_colleague, colleagues.restart_colleague):
        with pytest.raises(NotFound):
            change(db, clerk, stranger.id)
    assert accounts.find_user(db, stranger.email).active
    operator = accounts.add_user(db, "admin", "ops@trace.example.cn",
                                 password="a long password")[0]
    with pytest.raises(Forbidden):
        colleagues.members(db, operator)


def test_an_account_changes_only_accounts_opened_after_it(db, clerk):
    """A trial lab's engineer, added minutes before, stopped the manager's account."""
    engineer, _ = colleagues.add_colleague(db, clerk, "eng@pearl.example.cn")
    with pytest.raises(Forbidden, match="before your account"):
        colleagues.stop_colleague(db, engineer, clerk.id)
    assert accounts.find_user(db, clerk.email).active
    assert colleagues.may_manage(clerk, engineer) and not colleagues.may_manage(engineer, clerk)
    later, _ = colleagues.add_colleague(db, engineer, "later@pearl.example.cn")
    colleagues.stop_colleague(db, engineer, later.id)  # newer than the engineer: may
    with pytest.raises(Conflict, match="stopped: let it in again"):
        colleagues.add_colleague(db, clerk, "later@pearl.example.cn")  # told where it is


def test_a_forgotten_password_is_reset_by_an_earlier_colleague(db, clerk):
    engineer, _ = colleagues.add_colleague(db, clerk, "eng@pearl.example.cn")
    _, password = colleagues.reset_colleague_password(db, clerk, engineer.id)
    assert accounts.authenticate(db, engineer.email, password) is not None
    assert accounts.find_user(db, engineer.email).password_temporary
    with pytest.raises(Forbidden):
        colleagues.reset_colleague_password(db, engineer, clerk.id)  # not the other way
    with pytest.raises(InvalidInput):
        colleagues.reset_colleague_password(db, clerk, clerk.id)


def test_a_labs_engineer_prepares_and_a_signatory_names_signatories(app, db):
    """ISO/IEC 17025 7.8.1: a lab's reports are released by its authorised signatories;
    the engineers a colleague opens prepare reports until a signatory names them."""
    from trace import agencies
    lab = agencies.add_agency(db, "浙江省珍珠检测中心", "231012341234",
                              keys_dir=app.config["KEYS_DIR"])[0]
    manager, _ = accounts.add_user(db, "agency", "qm@lab.cn", org=str(lab.id),
                                   by_operator=True)
    engineer, _ = colleagues.add_colleague(db, manager, "eng@lab.cn")
    later, _ = colleagues.add_colleague(db, engineer, "eng2@lab.cn")
    assert manager.signs_reports and not engineer.signs_reports
    with pytest.raises(Forbidden, match="only a lab's authorised signatory"):
        colleagues.set_signatory(db, engineer, later.id, True)  # not one itself
    assert colleagues.set_signatory(db, manager, engineer.id, True).signs_reports
    with pytest.raises(InvalidInput):
        colleagues.set_signatory(db, manager, manager.id, False)
    engineer = accounts.get_user(db, engineer.id)
    with pytest.raises(Forbidden):  # opened before it: the earlier colleague's to change
        colleagues.set_signatory(db, engineer, manager.id, False)
    assert not colleagues.set_signatory(db, manager, engineer.id, False).signs_reports


def test_a_suppliers_colleague_is_no_signatory_matter(db, clerk):
    made, _ = colleagues.add_colleague(db, clerk, "qc2@pearl.example.cn")
    assert made.signs_reports  # the flag means nothing outside a lab: left as it was
    with pytest.raises(Forbidden):
        colleagues.set_signatory(db, clerk, made.id, False)
