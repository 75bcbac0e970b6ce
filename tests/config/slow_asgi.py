"""Test-only ASGI entry point: the real site plus ``/__slow__``, a slow request.

Graceful-stop tests need a request still in flight when the server is told to
stop. No page of the product is reliably slow, and a test view must not enter
the product's URLconf, so the slow path is answered here, in front of the site.
``?seconds=`` says how long it takes; ``?started=<path>`` names a file created
when the request arrives, so a test knows it is in flight without guessing.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import parse_qs

from config.asgi import application as site

SLOW_PATH = "/__slow__"
BODY = b"slow answer " * 10_000 + b"complete"


async def application(scope, receive, send):
    if scope["type"] != "http" or scope["path"] != SLOW_PATH:
        return await site(scope, receive, send)
    query = parse_qs(scope["query_string"].decode())
    if started := query.get("started"):
        Path(started[0]).touch()
    await asyncio.sleep(float(query.get("seconds", ["2"])[0]))
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"text/plain"),
                (b"content-length", str(len(BODY)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": BODY})
