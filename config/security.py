"""Security headers on every answer: Content-Security-Policy, Permissions-Policy.

Two layers put them on, so that nothing leaves the server without them:

- :class:`SecurityHeadersMiddleware`, first in ``MIDDLEWARE``, gives each Django
  request a fresh nonce (``{% csp_nonce %}`` prints it into the few inline
  scripts Wagtail's admin needs) and sets the headers on Django's answers,
  static files served by WhiteNoise, errors and redirects included.
- :class:`SecurityHeadersASGI`, around the whole HTTP app in ``config/asgi.py``,
  adds whichever of them is still missing: the tracked-link redirects
  (``advocacy.redirect`` answers ``/s/`` in front of Django) and the static
  files of ``make run``.

Scripts run only from our own origin or with the request's nonce: an injected
``<script>`` or ``onclick=`` does not run. Styles allow ``'unsafe-inline'``:
progress bars are ``style="width: …"`` attributes, and Wagtail's admin sets
styles inline everywhere; a style cannot run code. A download (any answer with
``Content-Disposition: attachment``) gets ``default-src 'none'; sandbox``, so a
file opened from it cannot run anything either.
"""

from __future__ import annotations

import math
import secrets
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

CSP_NONCE: ContextVar[str] = ContextVar("csp_nonce", default="")

# Video blocks embed players from these (identity.blocks.VideoBlock).
EMBED_FRAME_SOURCES = (
    "https://www.youtube.com",
    "https://www.youtube-nocookie.com",
    "https://player.vimeo.com",
)
DOWNLOAD_POLICY = "default-src 'none'; sandbox"
# Powerful browser features the site never uses, refused to it and to any frame.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)
# When a 429 does not say how long its limit lasts.
DEFAULT_RETRY_AFTER_SECONDS = 60


def csp_nonce() -> str:
    """The nonce of the request being answered ("" outside a request)."""
    return CSP_NONCE.get()


def content_security_policy(*, nonce: str = "", x_frame_options: str = "") -> str:
    """The policy of pages; ``frame-ancestors`` follows ``X-Frame-Options``.

    Browsers that know CSP ignore ``X-Frame-Options``, so the two must agree:
    ``DENY`` in production stays "no frames at all", and Wagtail's previews,
    answered ``SAMEORIGIN``, still show in the admin's preview panel.
    """
    scripts = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
    directives = [
        "default-src 'self'",
        f"script-src {scripts}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "media-src 'self'",
        f"frame-src 'self' {' '.join(EMBED_FRAME_SOURCES)}",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
    ancestors = {"DENY": "'none'", "SAMEORIGIN": "'self'"}.get(x_frame_options.upper())
    if ancestors:
        directives.append(f"frame-ancestors {ancestors}")
    return "; ".join(directives)


def _is_download(response: HttpResponse) -> bool:
    disposition = response.get("Content-Disposition", "")
    return disposition.lstrip().lower().startswith("attachment")


def _is_html(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").lower().startswith("text/html")


class SecurityHeadersMiddleware:
    """A nonce per request; CSP, Permissions-Policy and Retry-After on the answer.

    First in ``MIDDLEWARE``, so it also sees what the middleware after it answer
    by themselves (WhiteNoise's static files, the admin-access refusals).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(18)
        request.csp_nonce = nonce
        token = CSP_NONCE.set(nonce)
        try:
            response = self.get_response(request)
        finally:
            CSP_NONCE.reset(token)
        if _is_download(response):
            # Stricter than any policy a view set (Wagtail's documents say
            # only "default-src 'none'"): nothing in a download may run.
            response["Content-Security-Policy"] = DOWNLOAD_POLICY
        elif "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = content_security_policy(
                nonce=nonce if _is_html(response) else "",
                x_frame_options=response.get("X-Frame-Options", ""),
            )
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if response.status_code == 429 and "Retry-After" not in response:
            seconds = getattr(request, "rate_limit_retry_after", None)
            response["Retry-After"] = str(seconds or DEFAULT_RETRY_AFTER_SECONDS)
        return response


Scope = dict[str, Any]
Message = dict[str, Any]


class SecurityHeadersASGI:
    """Add the headers an answer lacks, for answers Django never sees."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app
        self._headers: list[tuple[bytes, bytes]] | None = None

    def _defaults(self) -> list[tuple[bytes, bytes]]:
        if self._headers is None:
            frames = settings.X_FRAME_OPTIONS
            self._headers = [
                (
                    b"content-security-policy",
                    content_security_policy(x_frame_options=frames).encode(),
                ),
                (b"permissions-policy", PERMISSIONS_POLICY.encode()),
                (b"x-content-type-options", b"nosniff"),
                (b"x-frame-options", frames.encode()),
            ]
        return self._headers

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _value in headers}
                headers.extend(
                    header for header in self._defaults() if header[0] not in present
                )
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


# --- Patches, applied once by config.apps.ConfigConfig.ready -----------------


def rate_limit_retry_after_patch() -> None:
    """Let every 429 of allauth say when the limit frees up (``Retry-After``).

    allauth (65) decides each rate in ``_consume_single_rate`` and answers 429
    in several places (login, login by code, password reset, our adapter's
    failed-login limit) without saying for how long. Wrapping that one function
    records, on the request, when the refusing rate's oldest counted attempt
    leaves its window; :class:`SecurityHeadersMiddleware` turns it into the
    header. ``consume`` looks the function up in its module at each call, so
    replacing the module attribute is enough.
    """
    from allauth.core.exceptions import RateLimited
    from allauth.core.internal import ratelimit

    original = ratelimit._consume_single_rate
    if getattr(original, "records_retry_after", False):
        return

    def consume_single_rate(request: HttpRequest, **kwargs: Any) -> Any:
        try:
            usage = original(request, **kwargs)
        except RateLimited:
            _retry_after_record(request, ratelimit, **kwargs)
            raise
        if usage is None:
            _retry_after_record(request, ratelimit, **kwargs)
        return usage

    consume_single_rate.records_retry_after = True  # type: ignore[attr-defined]
    ratelimit._consume_single_rate = consume_single_rate


def _retry_after_record(
    request: HttpRequest, ratelimit: Any, *, rate: Any, **kwargs: Any
) -> None:
    from django.core.cache import cache

    key = ratelimit.get_cache_key(
        request,
        app=kwargs["app"],
        action=kwargs["action"],
        rate=rate,
        key=kwargs.get("key"),
        user=kwargs.get("user"),
    )
    try:
        history = sorted(cache.get(key, []), reverse=True)
    except Exception:  # noqa: BLE001 - without the cache, fall back to the default
        return
    if len(history) < rate.amount:
        return  # refused for another reason (the cache lock was busy)
    frees_at = history[rate.amount - 1] + rate.duration
    seconds = max(1, math.ceil(frees_at - time.time()))
    previous = getattr(request, "rate_limit_retry_after", 0) or 0
    request.rate_limit_retry_after = max(previous, seconds)


def chooser_nonce_patch() -> None:
    """Give the inline script of Wagtail's chooser widgets the request's nonce.

    ``BaseChooser.render`` (page, image, document, snippet and our employee
    choosers, outside StreamField) appends ``<script>new …Chooser(…)</script>``
    built in Python, where no template can be overridden. This renders the same
    three parts, with the nonce on the script tag.
    """
    from django.utils.safestring import mark_safe
    from wagtail.admin.widgets.chooser import BaseChooser

    if getattr(BaseChooser.render, "adds_nonce", False):
        return

    def render(self, name, value, attrs=None, renderer=None):
        if not attrs or "id" not in attrs:
            raise TypeError("BaseChooser cannot be rendered without an 'id' attribute")
        value_data = self.get_value_data(value)
        widget_html = self.render_html(name, value_data, attrs)
        js = self.render_js_init(attrs["id"], name, value_data)
        nonce = csp_nonce()  # URL-safe base64: nothing to escape
        # As Wagtail's own render: its widget HTML, then its JSON-encoded call.
        return mark_safe(  # noqa: S308
            f'{widget_html}<script nonce="{nonce}">{js}</script>'
        )

    render.adds_nonce = True  # type: ignore[attr-defined]
    BaseChooser.render = render
