"""Accounts and API tokens: one role each, tied to an organisation.

Passwords are stored as werkzeug scrypt hashes; an API token is shown once and
kept only as its SHA-256 (tokens are 256 random bits, so a fast hash is safe)::

    user, password = add_user(db, "supplier", "qc@pearl.example", org="91330681MA2D7XKQ0T")
    token = new_token(db, "qc@pearl.example", name="ERP")      # 'trc_…', shown once
    user_for_token(db, token)                                   # the User, or None
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlite_utils
from werkzeug.security import check_password_hash, generate_password_hash

from . import agencies, catalog, rooms, throttle
from .db import utc_now
from .errors import Conflict, Forbidden, InvalidInput, NotFound, TraceError, all_problems

ROLES = ("admin", "supplier", "agency", "streamer")
ROLE_NAMES_ZH = {"admin": "平台运营", "supplier": "供货商", "agency": "检测机构", "streamer": "直播间"}
MIN_PASSWORD = 10
# What an address may hold (RFC 5322's plain atoms; a Chinese domain's letters too):
# no quote, angle bracket or space, which only a made-up address would carry.
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?:[\w-]+\.)+[\w-]{2,}")
TOKEN_PREFIX = "trc_"


_USER_COLUMNS = ("id, email, role, org_id, created_at, disabled_at, password_temporary, "
                 "added_by, disabled_by, signs_reports")


@dataclass(frozen=True)
class User:
    id: int
    email: str
    role: str
    org_id: int | None
    created_at: str
    disabled_at: str | None = None
    password_temporary: bool = False  # made by the operator: to be replaced at sign-in
    added_by: int | None = None  # the colleague who opened it (None: itself, the operator)
    disabled_by: int | None = None  # the colleague who stopped it (None: the operator)
    signs_reports: bool = True  # a lab's 授权签字人: signs and releases its reports

    @property
    def active(self) -> bool:
        return self.disabled_at is None

    def to_json(self) -> dict:
        return {"email": self.email, "role": self.role, "org_id": self.org_id,
                "created_at": self.created_at, "disabled_at": self.disabled_at}


def valid_email(text: str) -> str:
    email = (text or "").strip()
    if not _EMAIL.fullmatch(email) or len(email) > 200:
        raise InvalidInput(f"{text!r} is not an e-mail address", message_zh="邮箱地址格式不对")
    return email


def _org(db: sqlite_utils.Database, role: str, org: str | None) -> int | None:
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if role == "admin":
        if org:
            raise InvalidInput("an admin belongs to no organisation; leave out --org")
        return None
    if not org:
        what = {"supplier": "its supplier's id or 统一社会信用代码",
                "agency": "its agency's id or CMA number", "streamer": "its room's id"}[role]
        raise InvalidInput(f"a {role} account needs --org ({what})")
    if role == "streamer":
        return rooms.find_room(db, org).id
    found = catalog.find_supplier(db, org) if role == "supplier" else agencies.find_agency(db, org)
    if found.rejected_at:  # the form hides it; a crafted request named it by id
        raise Conflict(f"{found.name}'s sign-up was turned down: it can have no accounts",
                       message_zh=f"{found.name} 的注册已被驳回，不能再为它开账号")
    return found.id


# No 0/o, 1/l/i: a password the operator reads out on the phone (k7mp-3xqa-9fzt-2hwd).
SPOKEN = "23456789abcdefghjkmnpqrstuvwxyz"


def spoken_password() -> str:
    """A generated password that survives being read aloud: 16 characters of 31
    (79 bits), in groups of four."""
    characters = "".join(secrets.choice(SPOKEN) for _ in range(16))
    return "-".join(characters[i:i + 4] for i in range(0, 16, 4))


def check_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise InvalidInput(f"the password must be at least {MIN_PASSWORD} characters",
                           message_zh=f"密码至少 {MIN_PASSWORD} 位")
    return password


def add_user(db: sqlite_utils.Database, role: str, email: str, *, org: str | None = None,
             password: str | None = None, temporary: bool | None = None,
             by_operator: bool = False, added_by: int | None = None,
             signs_reports: bool = True) -> tuple[User, str]:
    """Create an account; returns it with its password (generated when not given, and
    then ``temporary``: the person sets their own at the first sign-in). An e-mail
    taken is told to whoever asked: the person signing up, or (``by_operator``) the
    operator opening an account for someone."""
    temporary = password is None if temporary is None else temporary
    email = valid_email(email)
    org_id = _org(db, role, org)
    password = check_password(password) if password is not None else \
        spoken_password()
    existing = find_user(db, email, missing_ok=True)
    if existing and by_operator:
        raise Conflict(f"{email} already has an account ({existing.role}"
                       f"{'' if existing.active else ', disabled'}); one e-mail, one account: "
                       "use another e-mail",
                       message_zh=f"{email} 已是平台上的{ROLE_NAMES_ZH[existing.role]}账号"
                       f"{'' if existing.active else '（已停用）'}，一个邮箱只能开一个账号："
                       "请换一个邮箱")
    if existing and not existing.active:  # "sign in" would only say it is disabled
        raise Conflict(f"the account for {email} is disabled (or its sign-up was turned "
                       "down); sign up with another e-mail, or ask the operator",
                       message_zh=f"{email} 的账号已停用（或注册未通过审核）；请换一个邮箱注册，"
                       "或联系平台")
    if existing:
        raise Conflict(f"an account for {email} already exists",
                       message_zh=f"{email} 已有账号，请直接登录")
    created_at = utc_now()
    cursor = db.execute(
        "INSERT INTO users (email, role, org_id, password_hash, created_at, "
        "password_temporary, added_by, signs_reports) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [email, role, org_id, generate_password_hash(password, method="scrypt"), created_at,
         int(temporary), added_by, int(signs_reports)])
    return User(cursor.lastrowid or 0, email, role, org_id, created_at,
                password_temporary=temporary, added_by=added_by,
                signs_reports=signs_reports), password


# Sign-ups: an office signs up once or twice (and mistypes a few times); a bot
# filling the approval queue, or trying codes, does either by the hundred. An
# e-commerce park or a trade fair shares one network: the operator raises the
# daily number (TRACE_SIGNUPS_PER_NETWORK) or adds the firms itself.
SIGNUPS_PER_NETWORK = 5


def signups_per_network(per_day: int = SIGNUPS_PER_NETWORK) -> throttle.Limit:
    return throttle.Limit(
        "signup_network", per_day, timedelta(days=1),
        f"{per_day} organisations have signed up from your network today, the most one "
        "network may (a park or a fair shares one): try again tomorrow, or ask the "
        "platform's operator to register yours",
        f"您所在的网络今天已注册 {per_day} 个单位，达到上限（同一园区或展会共用一个网络）："
        "请明天再试，或联系平台运营方为贵单位开通")


FAILED_SIGNUPS_PER_NETWORK = throttle.Limit(
    "signup_failed", 30, timedelta(hours=1),
    "too many refused sign-ups from your network; wait an hour",
    "您所在网络注册失败次数过多，请一小时后再试")


@contextmanager
def _signing_up(db: sqlite_utils.Database, email: str, password: str, network: str,
                per_day: int, organisation: Callable[[], None]) -> Iterator[None]:
    """Around one sign-up: every problem with the ``organisation``'s details, the
    e-mail and the password said at once; refused ones count against the network's
    hourly limit of failures, successful ones against its daily limit of sign-ups."""
    daily = signups_per_network(per_day)
    throttle.check_all(db, ((daily, network), (FAILED_SIGNUPS_PER_NETWORK, network)))
    try:
        all_problems(organisation, lambda: valid_email(email), lambda: check_password(password))
        with db.atomic():
            yield
    except TraceError:
        throttle.note(db, FAILED_SIGNUPS_PER_NETWORK, network)
        raise
    throttle.note(db, daily, network)


def sign_up_supplier(db: sqlite_utils.Database, *, name: str, credit_code: str,
                     contact: catalog.Contact, email: str, password: str,
                     network: str, per_day: int = SIGNUPS_PER_NETWORK
                     ) -> tuple[catalog.Supplier, User]:
    """A supplier signing up on the web: its organisation (awaiting approval) and its
    first account, both or neither; each try counts against its network's limits
    (``per_day`` sign-ups a day)."""
    details = lambda: catalog.sign_up_problems(  # noqa: E731
        name, credit_code, contact.phone, contact.address, contact.contact_name)
    with _signing_up(db, email, password, network, per_day, details):
        written = catalog.Contact.typed(contact.phone, contact.address, contact.contact_name,
                                        required=True)
        supplier = catalog.add_supplier(db, name, credit_code, approved=False,
                                        contact=written)
        user, _password = add_user(db, "supplier", email, org=str(supplier.id),
                                   password=password)
    return supplier, user


def sign_up_agency(db: sqlite_utils.Database, *, name: str, cma: str, cnas: str | None,
                   address: str | None, email: str, password: str, scope: str | None = None,
                   phone: str | None = None, network: str, per_day: int = SIGNUPS_PER_NETWORK
                   ) -> tuple[agencies.Agency, User]:
    """A testing agency signing up on the web: it waits for approval (and gets its
    signing key only then); both rows or neither."""
    details = lambda: agencies.sign_up_problems(name, cma, cnas, address, scope,  # noqa: E731
                                                phone)
    with _signing_up(db, email, password, network, per_day, details):
        agency, _key = agencies.add_agency(db, name, cma, cnas, address=address, scope=scope,
                                           phone=phone)
        user, _password = add_user(db, "agency", email, org=str(agency.id), password=password)
    return agency, user


def open_room(db: sqlite_utils.Database, *, name: str, platform: str, room_id: str,
              green_cert: str | None, email: str) -> tuple[rooms.Room, User, str]:
    """A livestream room the operator opens with its first account, both or neither:
    (the room, the account, its generated password, shown once)."""
    with db.atomic():
        room = rooms.add_room(db, name, platform, room_id, green_cert=green_cert)
        user, password = add_user(db, "streamer", email, org=str(room.id), by_operator=True)
    return room, user, password


def find_user(db: sqlite_utils.Database, email: str, *, missing_ok: bool = False) -> User | None:
    row = db.execute(f"SELECT {_USER_COLUMNS} FROM users "
                     "WHERE email = ?", [(email or "").strip()]).fetchone()
    if row is None and not missing_ok:
        raise NotFound(f"no account for {email}", message_zh=f"没有 {email} 的账号")
    return User(*row) if row else None


def get_user(db: sqlite_utils.Database, user_id: int) -> User | None:
    row = db.execute(f"SELECT {_USER_COLUMNS} FROM users "
                     "WHERE id = ?", [user_id]).fetchone()
    return User(*row) if row else None


# Login failures: a person mistypes a few times; a guesser needs thousands.
LOGIN_PER_ACCOUNT = throttle.Limit(
    "login_account", 5, timedelta(minutes=15),
    "too many failed sign-ins for this account; wait 15 minutes",
    "该账号登录失败次数过多，请 15 分钟后再试")
LOGIN_PER_NETWORK = throttle.Limit(
    "login_network", 20, timedelta(hours=1),
    "too many failed sign-ins from your network; wait an hour",
    "您所在网络登录失败次数过多，请一小时后再试")


def sign_in(db: sqlite_utils.Database, email: str, password: str, network: str) -> User:
    """The account, or ``InvalidInput`` (wrong e-mail or password, never which) and
    ``TooManyAttempts`` once failures pile up, per account and per network. An
    e-mail typed in a Chinese input method's full-width letters (ｑｃ＠…) is read as
    the plain one; an empty field is named and costs no attempt."""
    email = unicodedata.normalize("NFKC", email or "").strip()
    if not email or not password:
        raise InvalidInput("enter both your e-mail and your password",
                           message_zh="请填写邮箱和密码")
    guard = ((LOGIN_PER_ACCOUNT, email.lower()), (LOGIN_PER_NETWORK, network))
    throttle.check_all(db, guard)
    user = _password_matches(db, email, password)
    if user is None:
        throttle.note_all(db, guard)
        raise InvalidInput("wrong e-mail or password", message_zh="邮箱或密码不正确")
    if not user.active and user.disabled_by is not None:  # by its own organisation
        raise Forbidden("a colleague of your organisation disabled this account; ask them",
                        message_zh="该账号已被本单位的同事停用；如有疑问，请联系本单位")
    why = turned_down_because(db, user)
    if not user.active and why:
        raise Forbidden(f"your organisation's sign-up was not approved: {why}. Put it right "
                        "and sign up again with another e-mail, or contact the operator",
                        message_zh=f"贵单位的注册未通过平台审核，原因：{why}。可以按原因改正后"
                                   "用另一个邮箱重新注册；如有疑问，请联系平台。")
    if not user.active:  # told only to someone who knows the password
        raise Forbidden("this account is disabled (or its sign-up was turned down); "
                        "contact the operator",
                        message_zh="该账号已停用（或注册未通过审核），请联系平台")
    return user


def turned_down_because(db: sqlite_utils.Database, user: User) -> str | None:
    """The operator's reason for turning the account's organisation down, if it was
    (and a reason was kept: none before schema 37)."""
    table = {"supplier": "suppliers", "agency": "agencies"}.get(user.role)
    if table is None or user.org_id is None:
        return None
    row = db.execute(f"SELECT rejected_reason FROM {table} WHERE id = ? AND rejected_at IS "
                     "NOT NULL", [user.org_id]).fetchone()
    return row[0] if row else None


# A sign-in lasts a working week at most, however long the browser stays open.
SIGN_IN_DAYS = 7


def open_sign_in(db: sqlite_utils.Database, user_id: int) -> str:
    """A new sign-in of the account: its id goes in the browser's session cookie and
    the database keeps its hash, so signing out ends it wherever the cookie went."""
    sign_in_id = secrets.token_urlsafe(24)
    with db.atomic():
        db.execute("DELETE FROM sign_ins WHERE user_id = ? AND started_at < ?",
                   [user_id, _sign_ins_since()])
        db.execute("INSERT INTO sign_ins (id_hash, user_id, started_at) VALUES (?, ?, ?)",
                   [_token_hash(sign_in_id), user_id, utc_now()])
    return sign_in_id


def signed_in(db: sqlite_utils.Database, user_id: int, sign_in_id: str) -> User | None:
    """The active account of an unexpired sign-in that was never closed, or None."""
    row = db.execute(
        f"SELECT {', '.join('u.' + c for c in _USER_COLUMNS.split(', '))} "
        "FROM sign_ins s JOIN users u ON u.id = s.user_id "
        "WHERE s.id_hash = ? AND s.user_id = ? AND s.started_at >= ?",
        [_token_hash(sign_in_id), user_id, _sign_ins_since()]).fetchone()
    user = User(*row) if row else None
    return user if user and user.active else None


def account_disabled(db: sqlite_utils.Database, user_id: int) -> str | None:
    """Who disabled the account, if it exists and is disabled: "platform" or
    "colleague" (its own organisation); why a browser's sign-in stopped, when
    :func:`signed_in` finds none."""
    row = db.execute("SELECT disabled_at, disabled_by FROM users WHERE id = ?",
                     [user_id]).fetchone()
    if not (row and row[0]):
        return None
    return "colleague" if row[1] is not None else "platform"


def close_sign_in(db: sqlite_utils.Database, sign_in_id: str) -> None:
    db.execute("DELETE FROM sign_ins WHERE id_hash = ?", [_token_hash(sign_in_id)])


def _sign_ins_since() -> str:
    since = datetime.now(timezone.utc) - timedelta(days=SIGN_IN_DAYS)
    return since.isoformat(timespec="microseconds")


def list_users(db: sqlite_utils.Database, *, role: str | None = None,
               org_id: int | None = None) -> list[User]:
    """Every account, or (``role`` and ``org_id``) one organisation's, the oldest first."""
    where, params = ("WHERE role = ? AND org_id = ? ", [role, org_id]) if role else ("", [])
    rows = db.execute(f"SELECT {_USER_COLUMNS} FROM users {where}ORDER BY id",
                      params).fetchall()
    return [User(*row) for row in rows]


def disable_user(db: sqlite_utils.Database, email: str, *, by: int | None = None) -> User:
    """Disable an account, revoke its tokens and end its sign-ins, in one transaction;
    ``by`` a colleague's account id (None: the operator)."""
    user = find_user(db, email)
    assert user is not None
    if not user.active:
        raise Conflict(f"the account for {user.email} is disabled already",
                       message_zh=f"{user.email} 的账号已经停用")
    now = utc_now()
    with db.atomic():
        db.execute("UPDATE users SET disabled_at = ?, disabled_by = ? WHERE id = ?",
                   [now, by, user.id])
        db.execute("UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS "
                   "NULL", [now, user.id])
        db.execute("DELETE FROM sign_ins WHERE user_id = ?", [user.id])
    return find_user(db, user.email)  # type: ignore[return-value]


def enable_user(db: sqlite_utils.Database, email: str) -> User:
    """Let a disabled account sign in again. Its API tokens stay revoked: a token
    that may have leaked is never revived; the person makes new ones."""
    user = find_user(db, email)
    assert user is not None
    if user.active:
        raise Conflict(f"the account for {user.email} is active already",
                       message_zh=f"{user.email} 的账号没有停用")
    table = {"supplier": "suppliers", "agency": "agencies"}.get(user.role)
    if table and db.execute(f"SELECT rejected_at FROM {table} WHERE id = ?",
                            [user.org_id]).fetchone()[0]:  # it would wait for nobody
        raise Conflict(f"{user.email} belongs to a sign-up that was turned down; it cannot "
                       "sign in again (the organisation signs up anew, with another e-mail)",
                       message_zh=f"{user.email} 所属单位的注册已被驳回，账号不能重新启用；"
                       "如需使用，请换一个邮箱重新注册")
    db.execute("UPDATE users SET disabled_at = NULL, disabled_by = NULL WHERE id = ?",
               [user.id])
    return find_user(db, user.email)  # type: ignore[return-value]


def authenticate(db: sqlite_utils.Database, email: str, password: str) -> User | None:
    """The active account with this e-mail and password, or None."""
    user = _password_matches(db, email, password)
    return user if user and user.active else None


@functools.lru_cache(maxsize=1)
def _no_account_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(16), method="scrypt")


def _password_matches(db: sqlite_utils.Database, email: str, password: str) -> User | None:
    """The account (active or not) whose password this is, or None."""
    row = db.execute("SELECT password_hash FROM users WHERE email = ?",
                     [(email or "").strip()]).fetchone()
    # An unknown e-mail costs the same hash as a wrong password: answered faster, it
    # would tell anyone timing the sign-in form which addresses have accounts.
    stored = row[0] if row else _no_account_hash()
    if not check_password_hash(stored, password or "") or row is None:
        return None
    return find_user(db, email, missing_ok=True)


# Wrong current passwords on the change form count with failed sign-ins (the same
# scope), told in the form's own words.
PASSWORD_TRIES = throttle.Limit(
    LOGIN_PER_ACCOUNT.scope, LOGIN_PER_ACCOUNT.attempts, LOGIN_PER_ACCOUNT.window,
    "too many wrong passwords for this account; wait 15 minutes (signing in waits too)",
    "这个账号的密码输错次数过多，请 15 分钟后再试（这期间也不能登录）")


def change_password(db: sqlite_utils.Database, user: User, current: str, new: str, *,
                    keep_sign_in: str) -> None:
    """Set a new password for a signed-in account that knows its current one; every
    other sign-in of the account ends (a browser left signed in elsewhere). Wrong
    current passwords count against the account like failed sign-ins, so a stolen
    session cannot guess its way to the password."""
    key = user.email.lower()
    throttle.check(db, PASSWORD_TRIES, key)
    if _password_matches(db, user.email, current) is None:
        throttle.note(db, PASSWORD_TRIES, key)
        raise InvalidInput("the current password is wrong", message_zh="当前密码不正确")
    if new == current:
        raise InvalidInput("choose a new password, not the current one",
                           message_zh="新密码不能和当前密码相同")
    _set_password(db, user.id, check_password(new), keep_sign_in=keep_sign_in)


def password_stamps(db: sqlite_utils.Database) -> dict[int, str]:
    """Each account's password as a short stamp that changes with it (not the hash):
    a reset form carries it, so the same form sent twice resets once."""
    return {user_id: hashlib.sha256(password_hash.encode()).hexdigest()[:16]
            for user_id, password_hash in db.execute("SELECT id, password_hash FROM users")}


def reset_password(db: sqlite_utils.Database, email: str,
                   stamp: str | None = None) -> tuple[User, str]:
    """An operator's reset for a forgotten password: a generated one, every sign-in
    of the account ended (its API tokens stay: the systems using them go on), and a
    hold after failed sign-ins lifted. With ``stamp`` (``password_stamps``, when the
    form was shown), a password changed since is not reset again: a reload of the
    result would make a second one, and the one just read out would stop working."""
    user = find_user(db, email)
    assert user is not None
    if stamp is not None and password_stamps(db).get(user.id) != stamp:
        raise Conflict(f"{user.email}'s password changed after this form was shown (it was "
                       "just reset?): nothing was reset again; start from the accounts list",
                       message_zh=f"{user.email} 的密码在您打开这个表单后已经改过（可能刚刚重置过），"
                       "为免刚告诉对方的密码失效，这次没有再重置。如需再次重置，请回到账号列表重新操作。")
    if not user.active:  # enabling it says it signs in with its own password again
        raise Conflict(f"{user.email} is disabled, so its password is not reset: enable it "
                       "first", message_zh=f"{user.email} 已停用，不能重置密码：请先重新启用。")
    password = spoken_password()
    _set_password(db, user.id, password, temporary=True)
    throttle.forget(db, LOGIN_PER_ACCOUNT, user.email.lower())  # a held account signs in now
    return user, password


def _set_password(db: sqlite_utils.Database, user_id: int, password: str, *,
                  keep_sign_in: str | None = None, temporary: bool = False) -> None:
    with db.atomic():
        db.execute("UPDATE users SET password_hash = ?, password_temporary = ? WHERE id = ?",
                   [generate_password_hash(password, method="scrypt"), int(temporary), user_id])
        db.execute("DELETE FROM sign_ins WHERE user_id = ? AND id_hash != ?",
                   [user_id, _token_hash(keep_sign_in) if keep_sign_in else ""])


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(db: sqlite_utils.Database, email: str, name: str = "api") -> tuple[int, str]:
    """A new API token for an active account: (its id, the token, shown only now)."""
    user = find_user(db, email)
    assert user is not None
    if not user.active:
        raise Conflict(f"the account for {user.email} is disabled")
    name = catalog.clean_text(name, "token name", what_zh="令牌名称", limit=50) or "api"
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    cursor = db.execute("INSERT INTO api_tokens (user_id, name, token_hash, created_at) "
                        "VALUES (?, ?, ?, ?)", [user.id, name, _token_hash(token), utc_now()])
    return cursor.lastrowid or 0, token


def revoke_token(db: sqlite_utils.Database, token_id: int, *,
                 user_id: int | None = None) -> None:
    """Revoke a token (with ``user_id``, only that account's own)."""
    row = db.execute("SELECT revoked_at, user_id FROM api_tokens WHERE id = ?",
                     [token_id]).fetchone()
    if row is None or (user_id is not None and row[1] != user_id):
        raise NotFound(f"no token {token_id}", message_zh="未找到该令牌")
    if row[0]:
        raise Conflict(f"token {token_id} was revoked at {row[0]}",
                       message_zh="该令牌已作废")
    db.execute("UPDATE api_tokens SET revoked_at = ? WHERE id = ?", [utc_now(), token_id])


def list_tokens(db: sqlite_utils.Database, email: str | None = None) -> list[dict]:
    sql = ("SELECT t.id, u.email, t.name, t.created_at, t.revoked_at FROM api_tokens t "
           "JOIN users u ON u.id = t.user_id")
    params: list = []
    if email:
        sql += " WHERE u.email = ?"
        params.append(email.strip())
    return list(db.query(sql + " ORDER BY t.id", params))


def user_for_token(db: sqlite_utils.Database, token: str) -> User | None:
    """The active account an unrevoked token belongs to, or None."""
    if not (token or "").startswith(TOKEN_PREFIX):
        return None
    row = db.execute("SELECT u.email FROM api_tokens t JOIN users u ON u.id = t.user_id "
                     "WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.disabled_at IS NULL",
                     [_token_hash(token)]).fetchone()
    return find_user(db, row[0]) if row else None
