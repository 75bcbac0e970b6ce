"""``/healthz``: is each part the site depends on reachable right now?

The answer names the services that are down (``"failing": ["redis"]``): the
site keeps serving pages without Redis (config/cache.py), so only this check
tells the load balancer and monitoring that it is gone.
"""

from __future__ import annotations

import asyncio
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache, caches
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

LAYER_TIMEOUT_SECONDS = 3


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    # The Redis cache answers from memory while Redis is down: ask Redis itself.
    health_check = getattr(cache, "health_check", None)
    if health_check is not None:
        health_check()
        return
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", 10)
    if cache.get(key) != "ok":
        raise RuntimeError("cache did not return what was stored")
    cache.delete(key)


async def _layer_roundtrip() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")
    channel = await layer.new_channel("healthz.")
    await layer.send(channel, {"type": "healthz.ping"})
    message = await layer.receive(channel)
    if message.get("type") != "healthz.ping":
        raise RuntimeError("channel layer returned another message")


def _channel_layer() -> None:
    async def bounded() -> None:
        # A stalled Redis would otherwise hold the check (and the prober) forever.
        await asyncio.wait_for(_layer_roundtrip(), timeout=LAYER_TIMEOUT_SECONDS)

    async_to_sync(bounded)()


def _is_redis(backend: object) -> bool:
    return any("Redis" in klass.__name__ for klass in type(backend).__mro__)


def _service(name: str) -> str:
    """The service a check depends on, as the people who run it call it."""
    if name == "database":
        return connection.vendor
    if name == "cache":
        return "redis" if _is_redis(caches["default"]) else "local memory"
    layer = get_channel_layer()
    return "redis" if layer is not None and _is_redis(layer) else "in-memory layer"


CHECKS = {"database": _database, "cache": _cache, "channel_layer": _channel_layer}


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    results = {}
    for name, check in CHECKS.items():
        service = _service(name)
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - any failure means "down"
            results[name] = {
                "ok": False,
                "service": service,
                "error": exc.__class__.__name__,
            }
        else:
            results[name] = {"ok": True, "service": service}
    healthy = all(r["ok"] for r in results.values())
    failing = sorted({r["service"] for r in results.values() if not r["ok"]})
    return JsonResponse(
        {"status": "ok" if healthy else "error", "failing": failing, "checks": results},
        status=200 if healthy else 503,
    )
