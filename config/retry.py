"""Capped exponential back-off for long-running processes that outlive outages."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Backoff:
    """How long a worker waits between tries while a dependency is down.

    The wait doubles from ``initial`` up to ``maximum``, each one shortened by a
    random part of itself so that workers that lost the database together do not
    all come back in the same instant. The outage is logged twice: when it starts
    (with the error) and when it ends (with its length). A line per try would
    bury everything else during a long outage.
    """

    def __init__(
        self,
        *,
        what: str,
        logger: logging.Logger,
        initial: float = 0.5,
        maximum: float = 30.0,
    ) -> None:
        self.what = what
        self.logger = logger
        self.initial = initial
        self.maximum = maximum
        self._failures = 0
        self._since: float | None = None

    @property
    def failing(self) -> bool:
        return self._since is not None

    def failed(self, error: BaseException) -> float:
        """Count one failed try; return the seconds to wait before the next one."""
        if self._since is None:
            self._since = time.monotonic()
            detail = str(error).strip().splitlines()
            self.logger.warning(
                "%s unavailable (%s%s); retrying with back-off up to %g s",
                self.what,
                type(error).__name__,
                f": {detail[0]}" if detail else "",
                self.maximum,
            )
        ceiling = min(self.maximum, self.initial * 2 ** min(self._failures, 32))
        self._failures += 1
        return ceiling * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not secrets

    def succeeded(self) -> None:
        """Count one successful try: close the outage, if any, in the log."""
        if self._since is not None:
            self.logger.info(
                "%s back after %.1f s", self.what, time.monotonic() - self._since
            )
        self._failures = 0
        self._since = None


def retry_until_success(
    attempt: Callable[[], T],
    *,
    errors: tuple[type[BaseException], ...],
    backoff: Backoff,
    sleep: Callable[[float], object] = time.sleep,
) -> T:
    """Call ``attempt`` until it returns without raising one of ``errors``.

    Any other exception (a bug, ``SystemExit`` from a stop signal) goes through
    at once: only the listed, transient errors are waited out.
    """
    while True:
        try:
            result = attempt()
        except errors as error:
            sleep(backoff.failed(error))
        else:
            backoff.succeeded()
            return result


class Breaker:
    """Stop calling a dependency for a while after it failed; thread-safe.

    While it is down, one caller per pause tries it again (the others go
    without at once); the pause doubles with each failure in a row, from
    ``shortest`` up to ``longest``. The start and the end of an outage are
    logged once each, as ``down % (error type, error)`` and ``up``, never a
    line per call in between.
    """

    def __init__(
        self,
        *,
        logger: logging.Logger,
        down: str,
        up: str,
        shortest: float = 5.0,
        longest: float = 5.0,
    ) -> None:
        self.logger = logger
        self.down_message = down
        self.up_message = up
        self.shortest = shortest
        self.longest = longest
        self.lock = threading.Lock()
        self.down = False
        self.pause = shortest
        self.until = 0.0

    def ready(self) -> bool:
        """Whether this caller should call the dependency now."""
        with self.lock:
            if not self.down:
                return True
            now = time.monotonic()
            if now < self.until:
                return False
            self.until = now + self.pause  # the others wait for this probe
            return True

    def failed(self, error: BaseException) -> None:
        with self.lock:
            self.until = time.monotonic() + self.pause
            self.pause = min(self.pause * 2, self.longest)
            if self.down:
                return
            self.down = True
        self.logger.warning(self.down_message, type(error).__name__, error)

    def succeeded(self) -> None:
        if not self.down:
            return
        with self.lock:
            if not self.down:
                return
            self.down = False
            self.pause = self.shortest
        self.logger.warning(self.up_message)
