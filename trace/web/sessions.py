"""The signed-cookie session, built only for a browser that sent one."""

from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface


class CookieFirstSessions(SecureCookieSessionInterface):
    """Flask's own interface builds its cookie signer on every request before it
    looks for the cookie. A buyer's phone scanning a label carries no session at all:
    look for the cookie first, and keep one signer while the keys stay the same."""

    _signer = None
    _signer_keys: tuple | None = None

    def get_signing_serializer(self, app):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if keys != self._signer_keys:
            self._signer = super().get_signing_serializer(app)
            self._signer_keys = keys
        return self._signer

    def open_session(self, app, request):
        if app.secret_key and self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)
