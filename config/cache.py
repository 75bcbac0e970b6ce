"""The shared cache: Redis while it answers, this process's memory while it does not.

Django's ``RedisCache`` raises on every call when Redis is unreachable, and
callers outside our code (Wagtail's site root paths behind every page URL,
allauth's rate limits and used TOTP codes) assume the cache never fails: one
Redis outage turned every page into a 500. Here a Redis error switches the
process to a local-memory cache until Redis answers again, so pages keep
working and rate limits and one-time codes keep applying (per process: each
worker counts on its own), and the outage is logged once.

After a failure Redis is not asked again for ``RETRY_SECONDS`` (one probe per
process then), and short socket timeouts bound what a stalled Redis costs a
request. Keys written during the outage are deleted from Redis when it comes
back, so a value Redis kept from before the outage does not outlive a change
made meanwhile.
"""

from __future__ import annotations

import logging
import re
import threading
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

from .retry import Breaker

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
# A Redis that works answers in milliseconds; without a timeout a stalled one
# holds the request until the kernel gives up on the connection.
SOCKET_TIMEOUT_SECONDS = 0.5
FALLBACK_MAX_ENTRIES = 10_000
# Keys written during an outage, remembered to be deleted from Redis afterwards.
PENDING_MAX_KEYS = 10_000


class _Outage(Breaker):
    """Whether one Redis location is down for this process; shared by its threads."""

    def __init__(self, location: str) -> None:
        # Named without a password the URL may carry, and safe for %-formatting.
        shown = re.sub(r"//[^/@]*@", "//", location).replace("%", "%%")
        super().__init__(
            logger=logger,
            down=f"Redis cache at {shown} is unreachable (%s: %s). Using this "
            "process's memory until it answers again; rate limits count per "
            "process meanwhile.",
            up=f"Redis cache at {shown} answers again.",
            shortest=RETRY_SECONDS,
            longest=RETRY_SECONDS,
        )
        self.pending: set[str] = set()
        self.overflowed = False

    def remember(self, keys: Iterable[str]) -> None:
        with self.lock:
            for key in keys:
                if len(self.pending) >= PENDING_MAX_KEYS:
                    self.overflowed = True
                    return
                self.pending.add(key)

    def take_pending(self) -> tuple[list[str], bool]:
        with self.lock:
            keys, overflowed = list(self.pending), self.overflowed
            self.pending, self.overflowed = set(), False
            return keys, overflowed

    def give_back(self, keys: list[str], overflowed: bool) -> None:
        with self.lock:
            self.pending.update(keys)
            self.overflowed |= overflowed


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def _outage_for(location: str) -> _Outage:
    with _outages_lock:
        return _outages.setdefault(location, _Outage(location))


class FallbackRedisCache(RedisCache):
    """``RedisCache`` that answers from local memory while Redis is unreachable."""

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        options = {
            "socket_connect_timeout": SOCKET_TIMEOUT_SECONDS,
            "socket_timeout": SOCKET_TIMEOUT_SECONDS,
            **params.get("OPTIONS", {}),
        }
        super().__init__(server, {**params, "OPTIONS": options})
        location = server if isinstance(server, str) else ",".join(server)
        self._outage = _outage_for(location)
        local_params = {
            name: params[name]
            for name in ("TIMEOUT", "KEY_PREFIX", "VERSION", "KEY_FUNCTION")
            if name in params
        }
        # Every instance in the process shares one store: LocMemCache keeps
        # its entries per name.
        self._local = LocMemCache(
            f"cimientos-fallback:{location}",
            {**local_params, "OPTIONS": {"MAX_ENTRIES": FALLBACK_MAX_ENTRIES}},
        )

    def _redis_usable(self) -> bool:
        outage = self._outage
        if not outage.down:
            return True
        if not outage.ready():
            return False
        keys, overflowed = outage.take_pending()
        try:
            if keys:
                self._cache.delete_many(keys)
            else:
                self._cache.get_client().ping()
        except RedisError as error:
            outage.give_back(keys, overflowed)
            outage.failed(error)
            return False
        if overflowed:
            logger.warning(
                "More than %d cache keys were written during the Redis outage: "
                "some values from before it may be served until they expire.",
                PENDING_MAX_KEYS,
            )
        self._local.clear()
        outage.succeeded()
        return True

    def _either(
        self,
        call_redis: Callable[[], Any],
        call_local: Callable[[], Any],
        written: Callable[[], Iterable[str]] | None = None,
    ) -> Any:
        if self._redis_usable():
            try:
                return call_redis()
            except RedisError as error:
                self._outage.failed(error)
        if written is not None:
            self._outage.remember(written())
        return call_local()

    def _keys(self, keys: Iterable[Any], version: int | None) -> Callable[[], list]:
        return lambda: [self.make_key(key, version=version) for key in keys]

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._either(
            lambda: RedisCache.add(self, key, value, timeout, version),
            lambda: self._local.add(key, value, timeout, version),
            self._keys([key], version),
        )

    def get(self, key, default=None, version=None):
        return self._either(
            lambda: RedisCache.get(self, key, default, version),
            lambda: self._local.get(key, default, version),
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._either(
            lambda: RedisCache.set(self, key, value, timeout, version),
            lambda: self._local.set(key, value, timeout, version),
            self._keys([key], version),
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._either(
            lambda: RedisCache.touch(self, key, timeout, version),
            lambda: self._local.touch(key, timeout, version),
            self._keys([key], version),
        )

    def delete(self, key, version=None):
        return self._either(
            lambda: RedisCache.delete(self, key, version),
            lambda: self._local.delete(key, version),
            self._keys([key], version),
        )

    def get_many(self, keys, version=None):
        keys = list(keys)
        return self._either(
            lambda: RedisCache.get_many(self, keys, version),
            lambda: self._local.get_many(keys, version),
        )

    def has_key(self, key, version=None):
        return self._either(
            lambda: RedisCache.has_key(self, key, version),
            lambda: self._local.has_key(key, version),
        )

    def incr(self, key, delta=1, version=None):
        return self._either(
            lambda: RedisCache.incr(self, key, delta, version),
            lambda: self._local.incr(key, delta, version),
            self._keys([key], version),
        )

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._either(
            lambda: RedisCache.set_many(self, data, timeout, version),
            lambda: self._local.set_many(data, timeout, version),
            self._keys(list(data), version),
        )

    def delete_many(self, keys, version=None):
        keys = list(keys)
        return self._either(
            lambda: RedisCache.delete_many(self, keys, version),
            lambda: self._local.delete_many(keys, version),
            self._keys(keys, version),
        )

    def clear(self):
        return self._either(lambda: RedisCache.clear(self), self._local.clear)

    def health_check(self) -> None:
        """Store, read and delete a key in Redis itself, never in the fallback.

        ``/healthz`` calls this: the fallback keeps pages up, and so would hide
        the outage from the load balancer and from monitoring.
        """
        key = f"healthz:{uuid.uuid4().hex}"
        try:
            RedisCache.set(self, key, "ok", 10)
            if RedisCache.get(self, key) != "ok":
                raise RuntimeError("Redis did not return what was stored")
            RedisCache.delete(self, key)
        except RedisError as error:
            self._outage.failed(error)
            raise
