from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: connecting fails at once, like a Redis that is down.
DOWN_REDIS = "redis://127.0.0.1:1/0"


def test_healthz_reports_every_part_reachable(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert set(body["checks"]) == {"database", "cache", "channel_layer"}
    assert all(check["ok"] for check in body["checks"].values())


def test_healthz_needs_no_sign_in(client):
    assert client.get("/healthz").status_code == 200


def test_healthz_names_a_cache_that_is_down(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DOWN_REDIS,
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["redis"]
    assert body["checks"]["cache"] == {
        "ok": False,
        "service": "redis",
        "error": "ConnectionError",
    }
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["channel_layer"]["ok"] is True


def test_healthz_names_a_channel_layer_that_is_down(client, settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [DOWN_REDIS]},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["redis"]
    assert body["checks"]["channel_layer"]["ok"] is False
    assert body["checks"]["cache"]["ok"] is True
