"""``/s/<code>``: tracked links, answered by a lean ASGI app in front of Django.

A shared link is followed far more often than any page is viewed, and Django's
request cycle (middleware, sessions, URL resolving) costs most of each answer.
So ``config/asgi.py`` wraps the Django app in :class:`TrackedLinkRedirect`,
which answers every HTTP request under ``/s/`` itself and passes the rest on.

The destination is always the post's stored URL plus our UTM parameters:
nothing in the request can change it. Links keep working after their post is
unpublished or expires; the share was made while it was live. Each link's
destination is kept in a small per-process LRU (``LOCAL_SECONDS``) in front of
Django's cache (``SHARED_SECONDS``). Saving a post or campaign clears both
for its links (``advocacy.signals``); other processes' LRUs catch up within
``LOCAL_SECONDS``.

Every visit is answered within ``clicks.CLICK_SECONDS`` whatever Redis and
PostgreSQL do: looking a link up may take ``LOOKUP_SECONDS``, on threads of
its own; when it fails or is late, the destination this process last knew is
used, however old, and a link it never knew gets a 503. A click no store took
in time (``advocacy.clicks``) gets a 503 too, never a redirect.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus, urlencode, urlsplit, urlunsplit

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections
from django.utils import translation
from django.utils.encoding import iri_to_uri
from django.utils.translation import gettext_lazy as _

from . import clicks

logger = logging.getLogger(__name__)

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PREFIX = "/s/"
CODE = re.compile(r"[A-Za-z0-9]{4,16}")
UTM_KEYS = frozenset({"utm_source", "utm_medium", "utm_campaign", "utm_content"})
UTM_MEDIUM = "employee_advocacy"
FALLBACK_CAMPAIGN = "advocacy"
LOCAL_SIZE = 10_000
LOCAL_SECONDS = 30
SHARED_SECONDS = 60
UNKNOWN_SIZE = 1_000
UNKNOWN_SECONDS = 30
# A cold lookup asks the shared cache, then the database: both answer in
# milliseconds when they work.
LOOKUP_SECONDS = 0.4
LOOKUP_THREADS = 4
# What a 503 asks the visitor (or their browser) to wait.
RETRY_AFTER_SECONDS = 5

COMMON_HEADERS = [
    (b"cache-control", b"private, no-store"),
    # The destination learns the visit came from this site, not which link.
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-robots-tag", b"noindex"),
    (b"x-content-type-options", b"nosniff"),
]
NOT_FOUND = _("This link does not exist. Check that it was copied whole.")
NOT_ALLOWED = _("Links can only be followed (GET or HEAD).")
UNAVAILABLE = _("This link cannot be followed right now. Try again in a moment.")


@dataclass(frozen=True, slots=True)
class LinkTarget:
    location: str
    link_id: int
    network: str


class LinkUnavailable(Exception):
    """Where the link leads cannot be known now: the cache and database failed."""


class _Expiring:
    """A small LRU whose entries also expire; used from the event loop only.

    An expired entry stays until it is replaced or pushed out: ``stale`` still
    finds it, for when nothing fresher can be had.
    """

    def __init__(self, size: int, seconds: float) -> None:
        self.size = size
        self.seconds = seconds
        self._entries: OrderedDict[str, tuple[float, Any]] = OrderedDict()

    def get(self, key: str, default: Any = None) -> Any:
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return default
        self._entries.move_to_end(key)
        return entry[1]

    def stale(self, key: str, default: Any = None) -> Any:
        entry = self._entries.get(key)
        return default if entry is None else entry[1]

    def set(self, key: str, value: Any) -> None:
        self._entries[key] = (time.monotonic() + self.seconds, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def delete(self, key: str) -> None:
        self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()


# Unknown codes apart, so a flood of made-up codes cannot push real ones out.
_targets = _Expiring(LOCAL_SIZE, LOCAL_SECONDS)
_unknown = _Expiring(UNKNOWN_SIZE, UNKNOWN_SECONDS)


def link_cache_clear() -> None:
    """Forget every destination this process holds."""
    _targets.clear()
    _unknown.clear()


def _shared_key(code: str) -> str:
    return f"advocacy:link:{code}"


def link_target_forget(*, codes: list[str]) -> None:
    """Forget these links' destinations here and in the shared cache.

    Other processes keep theirs for up to ``LOCAL_SECONDS``.
    """
    for code in codes:
        _targets.delete(code)
        _unknown.delete(code)
    cache.delete_many([_shared_key(code) for code in codes])


def location_with_utm(*, url: str, network: str, campaign: str, post_id: int) -> str:
    """``url`` with our UTM parameters, keeping its own query and fragment.

    Its own ``utm_*`` parameters of the same names give way to ours, so
    analytics never sees two values for one name.
    """
    parts = urlsplit(url)
    kept = [
        pair
        for pair in parts.query.split("&")
        if pair and unquote_plus(pair.partition("=")[0]) not in UTM_KEYS
    ]
    utm = urlencode(
        {
            "utm_source": network,
            "utm_medium": UTM_MEDIUM,
            "utm_campaign": campaign,
            "utm_content": str(post_id),
        }
    )
    return iri_to_uri(urlunsplit(parts._replace(query="&".join([*kept, utm]))))


def default_campaign() -> str:
    """utm_campaign for posts in no campaign: the brand settings say which."""
    from identity.models import BrandSettings

    value = (
        BrandSettings.objects.filter(site__is_default_site=True)
        .values_list("utm_source_default", flat=True)
        .first()
    )
    if value is None:  # never saved: what the settings form shows
        value = BrandSettings._meta.get_field("utm_source_default").default
    return value or FALLBACK_CAMPAIGN


def link_target_from_db(*, code: str) -> LinkTarget | None:
    from .models import TrackedLink

    row = (
        TrackedLink.objects.filter(code=code)
        .values_list("id", "network", "post_id", "post__url", "post__campaign__slug")
        .first()
    )
    if row is None:
        return None
    link_id, network, post_id, url, campaign = row
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return None
    location = location_with_utm(
        url=url,
        network=network,
        campaign=campaign or default_campaign(),
        post_id=post_id,
    )
    return LinkTarget(location=location, link_id=link_id, network=network)


def _link_target_load(code: str) -> LinkTarget | None:
    key = _shared_key(code)
    try:
        cached = cache.get(key)
    except Exception:
        # The shared cache is a shortcut: without it, ask the database.
        logger.exception("Cache unavailable for tracked link %s", code)
        cached = None
    if cached is not None:
        return LinkTarget(*cached)
    close_old_connections()
    try:
        target = link_target_from_db(code=code)
    finally:
        close_old_connections()
    if target is not None:
        value = (target.location, target.link_id, target.network)
        try:
            cache.set(key, value, SHARED_SECONDS)
        except Exception:
            logger.exception("Cache unavailable for tracked link %s", code)
    return target


# Threads of their own: a lookup stuck on a stalled cache or database must not
# hold up the threads that store clicks, or anything else.
_link_target_load_async = sync_to_async(
    _link_target_load,
    thread_sensitive=False,
    executor=ThreadPoolExecutor(LOOKUP_THREADS, thread_name_prefix="link-lookup"),
)


_loading: dict[str, asyncio.Task[LinkTarget | None]] = {}


async def link_target(code: str) -> LinkTarget | None:
    """Where ``code`` leads, from memory when possible.

    Requests for a code that is being looked up wait for that lookup, so a
    burst on a link this process has not seen yet costs one query. A lookup
    that fails or takes more than ``LOOKUP_SECONDS`` falls back on what this
    process knew of the code, however old; knowing nothing, it raises
    :class:`LinkUnavailable`.
    """
    target = _targets.get(code)
    if target is not None:
        return target
    if _unknown.get(code):
        return None
    loading = _loading.get(code)
    if loading is None or loading.get_loop() is not asyncio.get_running_loop():
        loading = asyncio.ensure_future(_link_target_load_async(code))
        _loading[code] = loading
        loading.add_done_callback(
            lambda task: _loading.pop(code) if _loading.get(code) is task else None
        )
    try:
        # Shielded: a visitor who leaves must not cancel the others' lookup.
        target = await asyncio.wait_for(asyncio.shield(loading), LOOKUP_SECONDS)
    except Exception as error:
        logger.warning("Tracked link %s not looked up (%r)", code, error)
        target = _targets.stale(code)
        if target is not None:
            return target
        if _unknown.stale(code):
            return None
        raise LinkUnavailable(code) from error
    if target is None:
        _unknown.set(code, True)
    else:
        _targets.set(code, target)
    return target


async def _respond(
    send: Send,
    status: int,
    *,
    headers: Sequence[tuple[bytes, bytes]] = (),
    body: bytes = b"",
    head: bool = False,
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                *COMMON_HEADERS,
                *headers,
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b"" if head else body})


async def _respond_text(send: Send, status: int, message: str, **kwargs: Any) -> None:
    await _respond(
        send,
        status,
        headers=[
            (b"content-type", b"text/plain; charset=utf-8"),
            *kwargs.pop("headers", ()),
        ],
        body=message.encode() + b"\n",
        **kwargs,
    )


def _message(text: str) -> str:
    """In the site's language: nothing tells us the visitor's."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


async def _respond_unavailable(send: Send, head: bool) -> None:
    await _respond_text(
        send,
        503,
        _message(UNAVAILABLE),
        headers=[(b"retry-after", str(RETRY_AFTER_SECONDS).encode())],
        head=head,
    )


async def tracked_link_serve(scope: Scope, send: Send) -> None:
    deadline = time.monotonic() + clicks.CLICK_SECONDS
    method = scope["method"]
    if method not in ("GET", "HEAD"):
        await _respond_text(
            send,
            405,
            _message(NOT_ALLOWED),
            headers=[(b"allow", b"GET, HEAD")],
        )
        return
    head = method == "HEAD"
    code = scope["path"][len(PREFIX) :]
    if code.endswith("/"):
        code = code[:-1]
    try:
        target = await link_target(code) if CODE.fullmatch(code) else None
    except LinkUnavailable:
        await _respond_unavailable(send, head)
        return
    if target is None:
        await _respond_text(
            send,
            404,
            _message(NOT_FOUND),
            head=head,
        )
        return
    record = clicks.click_record(
        scope=scope, link_id=target.link_id, network=target.network
    )
    if not await clicks.click_store(record=record, deadline=deadline):
        await _respond_unavailable(send, head)
        return
    await _respond(
        send, 302, headers=[(b"location", target.location.encode("ascii"))], head=head
    )


class TrackedLinkRedirect:
    """Answer ``/s/…`` here; hand every other request to ``app`` (Django)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(PREFIX):
            await tracked_link_serve(scope, send)
        else:
            await self.app(scope, receive, send)
