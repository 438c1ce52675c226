"""Sign-in and sign-out for staff (suppliers, agencies, streamers, operators).

Flask-Login keeps the signed-in account in the signed session cookie (HttpOnly,
SameSite=Lax, Secure under https); Flask-WTF's CSRF token guards both forms;
failed sign-ins are throttled per account and per network::

    GET/POST /login      GET /account      POST /logout
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, render_template, request
from flask_login import (LoginManager, UserMixin, current_user, login_required, login_user,
                         logout_user)

from .. import accounts
from ..errors import TraceError
from ..scans import network_hash
from . import get_db, link

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"


class SignedIn(UserMixin):
    """The account as Flask-Login holds it for one request."""

    def __init__(self, user: accounts.User):
        self.user = user
        self.id = user.id

    @property
    def is_active(self) -> bool:
        return self.user.active


@login_manager.user_loader
def _load(user_id: str):
    user = accounts.get_user(get_db(), int(user_id)) if user_id.isdigit() else None
    return SignedIn(user) if user and user.active else None


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("login.html", email="")
    email = request.form.get("email", "")
    network = network_hash(current_app.config["HASH_SECRET"], request.remote_addr)
    try:
        user = accounts.sign_in(get_db(), email, request.form.get("password", ""), network)
    except TraceError as error:
        message = error.message_zh if g.lang == "zh" else error.message
        return render_template("login.html", email=email, error=message), error.status
    login_user(SignedIn(user))
    return redirect(link("auth.account"), 303)


@bp.get("/account")
@login_required
def account():
    return render_template("account.html", user=current_user.user)


@bp.post("/logout")
def logout():
    logout_user()
    return redirect(link("public.home"), 303)


def staff_signed_in() -> bool:
    """True for a signed-in account: their look-ups are not buyers' scans."""
    return bool(current_user and current_user.is_authenticated)
