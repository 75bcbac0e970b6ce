"""Run the same call from several threads at once, for race tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


def run_at_once(call: Callable[[], Any], *, times: int = 4) -> tuple[list, list]:
    """Start ``times`` threads that wait for each other, then all ``call()``.

    Returns what the calls returned and what they raised. Each thread closes
    its own database connection.
    """
    barrier = threading.Barrier(times)
    results: list = []
    errors: list = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(call())
        except Exception as error:  # noqa: BLE001 - the test reports it
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors
