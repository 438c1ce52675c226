"""Colleagues: an organisation's own accounts open and stop each other's, so a lab
with a new engineer or a supplier with a second clerk does not wait on the operator.

A colleague's account has the same role and organisation, and a generated password
shown once and replaced at its first sign-in. Who opened or stopped an account is
kept (``users.added_by``, ``users.disabled_by``). An account stops or lets in again
only accounts opened after it: a new engineer cannot lock the lab's manager out
(a trial's did, minutes after being added). Colleagues lift only a stop made by a
colleague: one the operator made is the operator's to lift, so a stolen account
cannot revive what the operator shut::

    user, password = add_colleague(db, me, "qc2@pearl.example")
    reset_colleague_password(db, me, user.id)             # (the account, a new password)
    stop_colleague(db, me, user.id)
    restart_colleague(db, me, user.id)
"""

from __future__ import annotations

import sqlite_utils

from . import accounts, agencies, catalog, rooms
from .accounts import User
from .errors import Conflict, Forbidden, InvalidInput, NotFound

# Enough for any office or lab we serve; a stolen account cannot make a crowd.
MAX_ACTIVE = 20
ORG_ROLES = ("supplier", "agency", "streamer")


def members(db: sqlite_utils.Database, user: User) -> list[User]:
    """The accounts of ``user``'s organisation, the oldest first."""
    _require_org(user)
    return accounts.list_users(db, role=user.role, org_id=user.org_id)


def organisation_name(db: sqlite_utils.Database, user: User) -> str:
    """The name of ``user``'s organisation, as its workspace heads its pages."""
    _require_org(user)
    if user.role == "supplier":
        return catalog.find_supplier(db, user.org_id or 0).name
    if user.role == "agency":
        return agencies.get_agency(db, user.org_id or 0).name
    return rooms.get_room(db, user.org_id or 0).name


def add_colleague(db: sqlite_utils.Database, user: User, email: str) -> tuple[User, str]:
    """Open an account for a colleague: (the account, its one-time password)."""
    _require_open(db, user)
    if sum(other.active for other in members(db, user)) >= MAX_ACTIVE:
        raise Conflict(f"an organisation has at most {MAX_ACTIVE} active accounts: stop one "
                       "no longer used first",
                       message_zh=f"每个单位最多 {MAX_ACTIVE} 个在用账号：请先停用不再使用的账号")
    taken = accounts.find_user(db, accounts.valid_email(email), missing_ok=True)
    if taken is not None and (taken.role, taken.org_id) == (user.role, user.org_id):
        raise Conflict(f"{taken.email} is a colleague's account already"
                       f"{'' if taken.active else ', stopped: let it in again from the list'}",
                       message_zh=f"{taken.email} 已是本单位的同事账号"
                       f"{'' if taken.active else '（已停用）：如需恢复，请在上面的列表里重新启用'}")
    if taken is not None:  # not whose it is: that is the operator's to know
        raise Conflict(f"{taken.email} already has an account on the platform: use another "
                       "e-mail", message_zh=f"{taken.email} 已经有平台账号，请换一个邮箱")
    # At a lab it prepares reports until a signatory makes it one (ISO/IEC 17025).
    return accounts.add_user(db, user.role, email, org=str(user.org_id), added_by=user.id,
                             signs_reports=user.role != "agency")


def set_signatory(db: sqlite_utils.Database, user: User, colleague_id: int,
                  signs: bool) -> User:
    """Make a lab colleague an authorised signatory (授权签字人), or no longer one: only
    a signatory may, and only for accounts opened after its own."""
    if user.role != "agency" or not user.signs_reports:
        raise Forbidden("only a lab's authorised signatory names another",
                        message_zh="只有本机构的授权签字人可以设定授权签字人")
    colleague = _colleague(db, user, colleague_id)
    if colleague.id == user.id:
        raise InvalidInput("you cannot change your own authorisation here",
                           message_zh="不能在这里更改自己的授权")
    db.execute("UPDATE users SET signs_reports = ? WHERE id = ?", [int(signs), colleague.id])
    return accounts.get_user(db, colleague.id) or colleague


def stop_colleague(db: sqlite_utils.Database, user: User, colleague_id: int) -> User:
    """Stop a colleague's account: it cannot sign in, its API tokens are revoked."""
    colleague = _colleague(db, user, colleague_id)
    if colleague.id == user.id:
        raise InvalidInput("you cannot stop your own account here",
                           message_zh="不能在这里停用自己的账号")
    return accounts.disable_user(db, colleague.email, by=user.id)


def restart_colleague(db: sqlite_utils.Database, user: User, colleague_id: int) -> User:
    """Let a colleague's account sign in again, when a colleague stopped it."""
    colleague = _colleague(db, user, colleague_id)
    _require_open(db, user)
    if colleague.active:
        raise Conflict(f"{colleague.email} is not stopped",
                       message_zh=f"{colleague.email} 的账号没有停用")
    if not stopped_by_colleague(db, colleague):
        raise Forbidden(f"the operator stopped {colleague.email}: only the operator can let "
                        "it sign in again", message_zh=f"{colleague.email} 是平台停用的，"
                        "只有平台能重新启用：请联系平台")
    return accounts.enable_user(db, colleague.email)


def reset_colleague_password(db: sqlite_utils.Database, user: User,
                             colleague_id: int) -> tuple[User, str]:
    """A new one-time password for a colleague who forgot theirs (opened after
    ``user``), replaced at their next sign-in; their other sign-ins end."""
    colleague = _colleague(db, user, colleague_id)
    if colleague.id == user.id:
        raise InvalidInput("change your own password under 修改密码",
                           message_zh="自己的密码请在“修改密码”里修改")
    return accounts.reset_password(db, colleague.email)


def stopped_by_colleague(db: sqlite_utils.Database, colleague: User) -> bool:
    """Whether a colleague (not the operator) stopped this account."""
    if colleague.disabled_by is None:
        return False
    by = accounts.get_user(db, colleague.disabled_by)
    return by is not None and (by.role, by.org_id) == (colleague.role, colleague.org_id)


def may_manage(user: User, colleague: User) -> bool:
    """Whether ``user`` may stop or let in again ``colleague``: one opened after it."""
    return colleague.id > user.id


def _colleague(db: sqlite_utils.Database, user: User, colleague_id: int) -> User:
    colleague = accounts.get_user(db, colleague_id)
    if colleague is None or (colleague.role, colleague.org_id) != (user.role, user.org_id):
        raise NotFound(f"no colleague {colleague_id}", message_zh="未找到这个同事账号")
    if colleague.id != user.id and not may_manage(user, colleague):
        raise Forbidden(f"{colleague.email} was opened before your account: an earlier "
                        "colleague, or the platform, can change it",
                        message_zh=f"{colleague.email} 比您的账号开通得早，只能由更早的同事或平台"
                        "停用或重新启用")
    return colleague


def _require_org(user: User) -> None:
    if user.role not in ORG_ROLES or user.org_id is None:
        raise Forbidden("only an organisation's accounts have colleagues",
                        message_zh="只有单位账号才有同事账号")


def _require_open(db: sqlite_utils.Database, user: User) -> None:
    """An organisation the operator approved, and (a supplier) not suspended."""
    _require_org(user)
    if user.role == "supplier":
        supplier = catalog.find_supplier(db, user.org_id or 0)
        approved, suspended = supplier.approved, supplier.suspended
    elif user.role == "agency":
        approved, suspended = agencies.get_agency(db, user.org_id or 0).approved, False
    else:  # rooms are opened by the operator
        approved, suspended = True, False
    if not approved:
        raise Forbidden("colleagues' accounts can be added once the platform has approved "
                        "your organisation", message_zh="平台审核通过后才能添加同事账号")
    if suspended:
        raise Forbidden("your organisation is suspended: colleagues' accounts cannot be added "
                        "or re-enabled until the platform lifts it",
                        message_zh="贵单位已被平台暂停，恢复之前不能添加或重新启用同事账号")
