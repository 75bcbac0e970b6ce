"""The Redis cache falls back to memory during an outage and forgets what changed."""

from __future__ import annotations

import logging
import shutil

import pytest
from django.core.cache import cache

from config import cache as fallback_cache
from tests.faults.services import REDIS_SERVER, PrivateRedis

pytestmark = pytest.mark.skipif(
    shutil.which(REDIS_SERVER) is None, reason="needs redis-server"
)


@pytest.fixture
def redis_server(settings):
    server = PrivateRedis().start()
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.FallbackRedisCache",
            "LOCATION": server.url(),
            "KEY_PREFIX": "cimientos",
        }
    }
    yield server
    server.close()


def test_a_stalled_redis_is_replaced_by_memory_then_left_without_stale_values(
    redis_server, monkeypatch, caplog
):
    # Probe Redis at every call rather than every few seconds: no waiting here.
    monkeypatch.setattr(fallback_cache, "RETRY_SECONDS", 0.0)
    cache.set("greeting", "before the outage", 60)
    redis_server.freeze()
    with caplog.at_level(logging.WARNING, logger="config.cache"):
        cache.set("greeting", "during the outage", 60)
        assert cache.get("greeting") == "during the outage"
        assert cache.add("once", "yes") is True
        assert cache.add("once", "again") is False  # one-time codes still hold
        redis_server.thaw()
        # Redis is back: what changed meanwhile is gone from it, not stale.
        assert cache.get("greeting") is None
        assert cache.get("once") is None
    messages = [r.getMessage() for r in caplog.records]
    assert sum("is unreachable" in m for m in messages) == 1
    assert sum(m.endswith("answers again.") for m in messages) == 1
    cache.set("greeting", "after the outage", 60)
    assert cache.get("greeting") == "after the outage"


@pytest.mark.django_db
def test_healthz_sees_the_outage_the_pages_do_not(redis_server, client):
    redis_server.stop()
    assert client.get("/healthz").json()["failing"] == ["redis"]
    cache.set("still", "works")
    assert cache.get("still") == "works"
