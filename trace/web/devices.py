"""The buyer's browser: its first-party device cookie, the keyed hashes a scan is
counted by, and the claim form's token bound to that cookie::

    seen = observer()            # network, device and visitor hashes; sets the cookie
    token = claim_token()        # the claim form's hidden field
    check_claim_token()          # on the claim's POST; raises CSRFError

Why the claim form has its own token: Flask-WTF keeps its token in a server-signed
session, so every buyer who scanned got a session cookie, and building and signing
it was a tenth of a verify page's time (measured: 1,085 against 951 µs). The claim
token is a keyed hash of this browser's cookie, made for this purpose alone, signed
and dated with itsdangerous. Only a page served to this browser carries it, and
only this browser's cookie (HttpOnly, SameSite=Lax, never readable by another
site) matches it. So another site can make no claim in the buyer's name, which
is what a CSRF token is for. Every other form keeps Flask-WTF's token.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from flask import current_app, g, request
from flask_wtf.csrf import CSRFError
from itsdangerous import BadSignature, TimestampSigner

from ..scans import Observer, device_hash, network_hash, visitor_hash

DEVICE_COOKIE = "trace_device"
CLAIM_TOKEN_AGE = 24 * 3600  # a page left open overnight still claims


def _cookie_token() -> str | None:
    token = request.cookies.get(DEVICE_COOKIE, "")
    valid = 20 <= len(token) <= 64 and token.replace("-", "").replace("_", "").isalnum()
    return token if valid else None


def _device_token() -> str:
    """The browser's cookie token, or a new one it gets with this response."""
    token = _cookie_token()
    if token is None:
        token = g.get("new_device_token") or secrets.token_urlsafe(16)
        g.new_device_token = token
    return token


def observer() -> Observer:
    """This browser and network as keyed hashes; a new browser gets its cookie."""
    secret = current_app.config["HASH_SECRET"]
    returning = _cookie_token() is not None
    return Observer(network=network_hash(secret, request.remote_addr),
                    device=device_hash(secret, _device_token()), returning=returning,
                    visitor=visitor_hash(secret, request.remote_addr, request.user_agent.string))


def opened_as_page() -> bool:
    """Whether a person opened this address as a page. Browsers say what a fetch is
    for (Sec-Fetch-Dest), so an <img> on another site pointing at a code's address
    cannot add scans from each of its visitors and make the item look copied.
    Browsers too old to say count, as before."""
    return request.headers.get("Sec-Fetch-Dest", "document") == "document"


def set_device_cookie(response):
    token = g.get("new_device_token")
    if token:
        response.set_cookie(DEVICE_COOKIE, token, max_age=400 * 86400, httponly=True,
                            samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def _signer() -> TimestampSigner:
    return TimestampSigner(current_app.config["SECRET_KEY"], salt="trace.claim-form")


def _claim_id(token: str) -> str:
    """What the claim token signs: a keyed hash of the cookie for this purpose alone,
    so the page shows neither the cookie nor the device hash scans are stored by."""
    return device_hash(current_app.config["HASH_SECRET"], f"claim-form|{token}")


def claim_token() -> str:
    """The claim form's hidden token: this browser's claim id, signed and dated."""
    return _signer().sign(_claim_id(_device_token())).decode()


def check_claim_token() -> None:
    """Refuse a claim unless its token was made for the cookie it comes with, within
    CLAIM_TOKEN_AGE, from a page of ours (Origin or Referer, when sent, is ours)."""
    cookie = _cookie_token()
    try:
        signed = _signer().unsign(request.form.get("csrf_token", ""),
                                  max_age=CLAIM_TOKEN_AGE).decode()
    except BadSignature:
        raise CSRFError("The claim form's token is missing or expired.") from None
    if not (cookie and hmac.compare_digest(signed, _claim_id(cookie))):
        raise CSRFError("The claim form's token is not this browser's.")
    if not _from_our_pages():
        raise CSRFError("The claim did not come from our page.")


def _from_our_pages() -> bool:
    """The Origin (or, without one, the Referer) is ours: the official address, or
    the host this request came to. The official one counts even when a proxy that
    ends TLS does not say so, where the request's own would read http. A claim
    with neither header is decided by its token alone."""
    sent = request.headers.get("Origin") or request.referrer
    if sent is None:
        return True
    theirs = urlsplit(sent)
    return any((theirs.scheme, theirs.netloc.lower()) == (ours.scheme, ours.netloc.lower())
               for ours in (urlsplit(current_app.config["BASE_URL"]), urlsplit(request.host_url)))
