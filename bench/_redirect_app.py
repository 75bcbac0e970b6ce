"""The site's ASGI app and two baselines for ``bench/redirect.py``, in one process.

- ``/s/<code>``: the site itself (``config.asgi.application``), what is measured.
- ``/bench/bare/<code>``: an async Django view through Django's whole request cycle
  (every middleware, URL resolving) answering the same 302, storing nothing.
- ``/bench/raw/<code>``: a bare ASGI callable that stores a click exactly as
  ``/s/`` does (``advocacy.clicks``) and answers the same 302: the floor for a
  redirect with durable click capture.

Both baselines send ``BENCH_REDIRECT_LOCATION``; the raw one counts its clicks on
``BENCH_RAW_LINK_ID``, a link of its own. Serve with
``DJANGO_SETTINGS_MODULE=bench._redirect_settings``, which makes this module the
URLconf too.
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench._redirect_settings")

from config.asgi import application as site  # noqa: E402 - sets Django up

# isort: split
from django.contrib.auth.decorators import login_not_required  # noqa: E402
from django.http import HttpResponseRedirect  # noqa: E402
from django.urls import include, path  # noqa: E402

from advocacy import clicks, redirect  # noqa: E402

RAW_PREFIX = "/bench/raw/"
LOCATION = os.environ.get("BENCH_REDIRECT_LOCATION", "https://example.com/")
RAW_LINK_ID = int(os.environ.get("BENCH_RAW_LINK_ID", "0"))
HEADERS = [(b"location", LOCATION.encode())]


@login_not_required
async def bare_redirect(request, code: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(LOCATION)
    for name, value in redirect.COMMON_HEADERS:
        response[name.decode()] = value.decode()
    return response


urlpatterns = [
    path("bench/bare/<str:code>", bare_redirect),
    path("", include("config.urls")),
]


async def raw(scope, send) -> None:
    deadline = time.monotonic() + clicks.CLICK_SECONDS
    record = clicks.click_record(scope=scope, link_id=RAW_LINK_ID, network="linkedin")
    await clicks.click_store(record=record, deadline=deadline)
    await send(
        {
            "type": "http.response.start",
            "status": 302,
            "headers": [
                *redirect.COMMON_HEADERS,
                *HEADERS,
                (b"content-length", b"0"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b""})


async def application(scope, receive, send) -> None:
    if scope["type"] == "http" and scope["path"].startswith(RAW_PREFIX):
        await raw(scope, send)
    else:
        await site(scope, receive, send)
