"""Sign-in and sign-out for staff (suppliers, agencies, streamers, operators).

Flask-Login keeps the account and its server-side sign-in (one row a sign-in, a
week at most, ended by signing out) in the signed session cookie (HttpOnly,
SameSite=Lax, Secure under https); Flask-WTF's CSRF token guards both forms;
failed sign-ins are throttled per account and per network::

    GET/POST /login      GET /account      POST /logout
    GET/POST /account/colleagues   an organisation's accounts, opened and stopped
"""

from __future__ import annotations

import functools
from typing import Callable

from flask import (Blueprint, current_app, flash, g, make_response, redirect, render_template,
                   request, session)
from flask_login import (LoginManager, UserMixin, current_user, login_required, login_user,
                         logout_user)

from .. import accounts, catalog, colleagues
from ..digits import is_number
from ..errors import Conflict, Forbidden, InvalidInput, TraceError
from ..scans import network_hash
from . import WORKSPACES, each_told, get_db, in_reader_language, link, page_for_form
from .i18n import t

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "auth.please_sign_in"
login_manager.login_message_category = "info"


def _why_sign_in(key: str) -> str:
    """What the sign-in page says to a browser sent there: one that never signed in
    is asked to; one whose sign-in stopped is told why (``_load`` found out)."""
    return t(g.get("sign_in_stopped") or key)


login_manager.localize_callback = _why_sign_in


@login_manager.unauthorized_handler
def _to_sign_in():
    """To the sign-in page, saying why, in the language the reader was using (the
    default handler's address dropped ?lang=en), then back where they were going."""
    flash(_why_sign_in(login_manager.login_message), login_manager.login_message_category)
    if request.method not in ("GET", "HEAD"):  # a form sent after the sign-in had ended
        flash(t("auth.form_not_saved"), login_manager.login_message_category)
    return redirect(link("auth.login", next=_here()))


def _here() -> str:
    """The requested path and query, as the ``next`` a sign-in goes on to; for a form
    sent after the sign-in ended, the page it was on (a form's address is no page)."""
    if request.method not in ("GET", "HEAD"):
        return page_for_form(request.path) or "/"
    query = request.query_string.decode("latin-1")
    return request.path + (f"?{query}" if query else "")


class SignedIn(UserMixin):
    """The account as Flask-Login holds it for one request, with the server-side
    sign-in (``accounts.open_sign_in``) its session cookie carries."""

    def __init__(self, user: accounts.User, sign_in_id: str):
        self.user = user
        self.sign_in_id = sign_in_id

    def get_id(self) -> str:
        return f"{self.user.id}.{self.sign_in_id}"

    @property
    def is_active(self) -> bool:
        return self.user.active


@login_manager.user_loader
def _load(session_id: str):
    user_id, _, sign_in_id = session_id.partition(".")
    if not (is_number(user_id) and sign_in_id):
        return None  # a cookie from before sign-ins were kept, or garbage: sign in again
    db = get_db()
    user = accounts.signed_in(db, int(user_id), sign_in_id)
    if user is None:  # the cookie held a sign-in that has since stopped
        stopped = accounts.account_disabled(db, int(user_id))
        g.sign_in_stopped = {"platform": "auth.sign_in_disabled",
                             "colleague": "auth.sign_in_disabled_colleague"}.get(
            stopped or "", "auth.sign_in_ended")
    return SignedIn(user, sign_in_id) if user else None


@bp.before_app_request
def _own_password_first():
    """A password the operator made is the operator's too: a workspace waits until
    its holder has set their own (public pages and signing out do not)."""
    if request.blueprint in (*WORKSPACES, "auth") and request.endpoint not in \
            ("auth.password", "auth.logout", "auth.login") and \
            current_user.is_authenticated and current_user.user.password_temporary:
        flash(t("password.set_own_colleague" if current_user.user.added_by else
                "password.set_own"), "warn")  # a first step, not a mistake
        return redirect(link("auth.password"), 303)
    return None


def _sign_in(user: accounts.User) -> None:
    login_user(SignedIn(user, accounts.open_sign_in(get_db(), user.id)))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:  # signed in already: straight to the workspace
        return redirect(home_of(current_user.user), 303)
    if request.method == "GET":
        return render_template("login.html", email="", next=_next_path())
    email = request.form.get("email", "")
    network = network_hash(current_app.config["HASH_SECRET"], request.remote_addr)
    try:
        user = accounts.sign_in(get_db(), email, request.form.get("password", ""), network)
    except TraceError as error:
        message = in_reader_language(error)
        return render_template("login.html", email=email, error=message,
                               next=_next_path()), error.status
    _sign_in(user)
    return redirect(_onward(user), 303)


def _next_path() -> str | None:
    """Where the visitor was going when sent to sign in: a path on this site only."""
    target = request.args.get("next") or ""
    # Browsers drop tabs and newlines from a URL ("/\t/evil" is "//evil") and
    # read a backslash as a slash; a Location header cannot carry a newline at all.
    if any(c.isspace() or not c.isprintable() or c == "\\" for c in target):
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    return target


HOMES = {"supplier": "supplier.home", "admin": "admin.home", "agency": "agency.home",
         "streamer": "streamer.home"}


def _onward(user: accounts.User) -> str:
    """Where a sign-in goes on to: the page the visitor was going to, unless it is
    another role's workspace, which would only answer 'no access' (an operator
    following a supplier's link)."""
    target = _next_path()
    workspace = next((role for role in HOMES if target and target.startswith(f"/{role}/")),
                     None)
    return target if target and workspace in (None, user.role) else home_of(user)


def home_of(user: accounts.User) -> str:
    """Where an account starts: its role's workspace."""
    return link(HOMES[user.role])


@bp.get("/account")
@login_required
def account():
    """Every account starts in its role's workspace."""
    return redirect(home_of(current_user.user), 303)


def _account_page(template: str, **context) -> str:
    """An account page in its workspace's frame: the workspace's own menu, which for
    a suspended supplier lacks what it may not do."""
    user = current_user.user
    if user.role == "supplier":
        g.supplier = catalog.find_supplier(get_db(), user.org_id or 0)
    # Headed by the organisation, as its workspace is (a trial's first sign-in read
    # only her own email there); the operator's by the account.
    if "organisation" not in context:
        context["organisation"] = colleagues.organisation_name(get_db(), user) \
            if user.role in colleagues.ORG_ROLES and user.org_id is not None else None
    return render_template(template, **context)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    """Change the signed-in account's password (the current one first)."""
    problem, status = None, 200
    if request.method == "POST":
        form = request.form
        try:
            if form.get("new", "") != form.get("again", ""):
                raise InvalidInput("the two new passwords differ",
                                   message_zh="两次输入的新密码不一致")
            accounts.change_password(get_db(), current_user.user, form.get("current", ""),
                                     form.get("new", ""), keep_sign_in=current_user.sign_in_id)
        except TraceError as error:
            problem, status = in_reader_language(error), error.status
        else:
            flash(t("password.changed"), "ok")
            return redirect(home_of(current_user.user), 303)
    return _account_page("password.html", error=problem,
                         minimum=accounts.MIN_PASSWORD), status


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """The account's API tokens; a new one is shown on this one page, once."""
    user, db, made, problem = current_user.user, get_db(), None, None
    if request.method == "POST":
        try:
            made = accounts.new_token(db, user.email, request.form.get("name") or "api")[1]
        except TraceError as error:
            problem = in_reader_language(error)
    response = make_response(_account_page(
        "tokens.html", tokens=accounts.list_tokens(db, user.email), made=made, error=problem,
        api_base=current_app.config["BASE_URL"] + "/api/v1"))
    response.headers["Cache-Control"] = "no-store"  # the new token is on this page
    return response, 400 if problem else 200


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    try:  # another account's token is 'not found', never revoked
        accounts.revoke_token(get_db(), token_id, user_id=current_user.user.id)
    except Conflict as error:
        flash(in_reader_language(error), "bad")
    else:
        flash(t("tokens.revoked"), "ok")
    return redirect(link("auth.tokens"), 303)


@bp.route("/account/colleagues", methods=["GET", "POST"])
@login_required
def colleagues_page():
    """The organisation's accounts; a new colleague's password is shown here, once."""
    user, db = current_user.user, get_db()
    if user.role not in colleagues.ORG_ROLES:  # the operator's are on its home
        return redirect(link("admin.home") + "#accounts", 303)
    added, problem = None, None
    if request.method == "POST":
        try:
            added = colleagues.add_colleague(db, user, request.form.get("email", ""))
        except TraceError as error:
            problem = in_reader_language(error), error.status
    return _colleagues_page(added=added, problem=problem)


def _colleagues_page(*, added: tuple | None = None, reset: tuple | None = None,
                     problem: tuple | None = None):
    """The organisation's accounts, with a password just made shown once (no-store)."""
    user, db = current_user.user, get_db()
    members = colleagues.members(db, user)
    response = make_response(_account_page(
        "colleagues.html", members=members, added=added, reset=reset,
        error=problem and problem[0],
        organisation=colleagues.organisation_name(db, user),
        typed=request.form.get("email", "") if problem else "",
        colleague_stops={m.id for m in members
                         if not m.active and colleagues.stopped_by_colleague(db, m)},
        tokens={m.id: [token["name"] for token in accounts.list_tokens(db, m.email)
                       if not token["revoked_at"]] for m in members if m.active},
        emails={m.id: m.email for m in members}))  # who opened or stopped: colleagues
    response.headers["Cache-Control"] = "no-store"  # a new password is on this page
    return response, problem[1] if problem else 200


def _change_colleague(change, colleague_id: int, done_key: str):
    try:  # another organisation's account is "not found", as it is on the page
        changed = change(get_db(), current_user.user, colleague_id)
    except (Conflict, InvalidInput) as error:  # pressed twice, or on oneself
        flash(in_reader_language(error), "bad")
    else:
        flash(t(done_key).format(email=changed.email), "ok")
    return redirect(link("auth.colleagues_page"), 303)


@bp.post("/account/colleagues/<int:colleague_id>/reset-password")
@login_required
def reset_colleague_password(colleague_id: int):
    try:  # another organisation's, or an earlier colleague's, is refused as on the page
        reset = colleagues.reset_colleague_password(get_db(), current_user.user, colleague_id)
    except (Conflict, InvalidInput) as error:  # a stopped account: let it in first
        flash(in_reader_language(error), "bad")
        return redirect(link("auth.colleagues_page"), 303)
    return _colleagues_page(reset=reset)


@bp.post("/account/colleagues/<int:colleague_id>/stop")
@login_required
def stop_colleague(colleague_id: int):
    return _change_colleague(colleagues.stop_colleague, colleague_id, "colleagues.stopped")


@bp.post("/account/colleagues/<int:colleague_id>/restart")
@login_required
def restart_colleague(colleague_id: int):
    return _change_colleague(colleagues.restart_colleague, colleague_id,
                             "colleagues.restarted")


@bp.post("/account/colleagues/<int:colleague_id>/signatory")
@login_required
def signatory(colleague_id: int):
    """A lab colleague made an authorised signatory (授权签字人), or no longer one."""
    signs = request.form.get("signs") == "1"
    return _change_colleague(
        lambda db, user, colleague: colleagues.set_signatory(db, user, colleague, signs),
        colleague_id, "colleagues.signatory_on" if signs else "colleagues.signatory_off")


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    """A supplier or a testing agency (``?as=agency``) signs up: the organisation waits
    for an operator's approval before it can issue codes or sign results, but a
    supplier may set up products and batches meanwhile."""
    kind = "agency" if request.args.get("as") == "agency" else "supplier"
    if current_user.is_authenticated:  # one account a person: sign out to sign up anew
        return redirect(home_of(current_user.user), 303)
    if request.method == "GET":
        return render_template("signup.html", form={}, kind=kind)
    form = request.form
    network = network_hash(current_app.config["HASH_SECRET"], request.remote_addr)
    account = dict(email=form.get("email", ""), password=form.get("password", ""),
                   network=network, per_day=current_app.config["SIGNUPS_PER_NETWORK"])
    try:
        if kind == "agency":
            _agency, user = accounts.sign_up_agency(
                get_db(), name=form.get("name", ""), cma=form.get("cma", ""),
                cnas=form.get("cnas"), address=form.get("address"), scope=form.get("scope"),
                phone=form.get("phone"), **account)
        else:
            _supplier, user = accounts.sign_up_supplier(
                get_db(), name=form.get("name", ""), credit_code=form.get("credit_code", ""),
                contact=catalog.Contact(form.get("phone"), form.get("address"),
                                        form.get("contact_name")),  # checked with the rest
                **account)
    except TraceError as error:  # every problem of the form at once
        return render_template("signup.html", form=form, kind=kind,
                               errors=each_told(error)), error.status
    _sign_in(user)
    return redirect(home_of(user), 303)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        accounts.close_sign_in(get_db(), current_user.sign_in_id)
    logout_user()
    return redirect(link("public.home"), 303)


@bp.app_context_processor
def _account_for_templates():
    """Templates' ``current_user``, in place of Flask-Login's own processor: that one
    loads the account for every page, hashing the browser's address and name first
    (session protection); a browser with an empty session has no account to load."""
    return {"current_user": current_user._get_current_object() if session
            else login_manager.anonymous_user()}


def staff_signed_in() -> bool:
    """True for a signed-in account: their look-ups are not buyers' scans. An empty
    session holds no sign-in: a buyer's phone is not asked to load an account."""
    return bool(session) and bool(current_user and current_user.is_authenticated)


def role_required(role: str) -> Callable:
    """Only a signed-in account of ``role`` may use the view: others are sent to sign
    in, and a signed-in account of another role is refused (403)."""
    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        @login_required
        def guarded(*args, **kwargs):
            if current_user.user.role != role:
                raise Forbidden(f"this page is for {role} accounts",
                                message_zh="您的账号没有权限访问此页面")
            return view(*args, **kwargs)
        return guarded
    return decorate


def signed_in_user() -> accounts.User:
    return current_user.user
