"""Stopping the production server (SIGTERM) lets the requests in flight finish.

uvicorn runs for real, as in production, on ``tests.config.slow_asgi`` (the
site plus a slow path). A request is in flight when the server is told to
stop; it must get its whole answer, nothing that arrives afterwards may get a
broken one, and the process must end cleanly before its stop timeout.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from tests.faults.services import free_port

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
GRACE_SECONDS = 20
# Hang guards, not timing assertions.
START_DEADLINE_SECONDS = 60
SLOW_REQUEST_SECONDS = 3
# What tests/config/slow_asgi.py answers (not imported: it sets up the site).
BODY = b"slow answer " * 10_000 + b"complete"


def _production_environment() -> dict[str, str]:
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))
    }
    # Valid but never used: the slow path is answered before Django.
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="gr4ceful-stop-test-secret-key-9Fq2Lw7Xc3Vb8Nm1Zk5Hd6Js",
        DJANGO_ALLOWED_HOSTS=HOST,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/cimientos",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    return environment


def _get(port: int, path: str, *, timeout: float = 10) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _probe(port: int) -> str:
    """What a visitor arriving now gets: an answer, a refusal, or nothing at all."""
    try:
        status, body = _get(port, "/__slow__?seconds=0", timeout=GRACE_SECONDS)
    except ConnectionRefusedError:
        return "refused"
    except (ConnectionResetError, http.client.RemoteDisconnected, TimeoutError):
        return "no answer"
    except http.client.IncompleteRead:
        return "broken answer"
    if status == 200 and body == BODY:
        return "answered"
    return f"broken answer ({status}, {len(body)} bytes)"


def _wait_until_serving(process: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + START_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        try:
            if _get(port, "/__slow__?seconds=0", timeout=2)[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail("the server did not start")


@pytest.mark.parametrize("workers", [2, 1], ids=["workers-2", "single-process"])
def test_sigterm_lets_the_request_in_flight_finish(workers):
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - our own fixed command line
        [
            str(VENV_BIN / "uvicorn"),
            "tests.config.slow_asgi:application",
            "--host",
            HOST,
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--timeout-graceful-shutdown",
            str(GRACE_SECONDS),
        ],
        cwd=ROOT,
        env=_production_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _wait_until_serving(process, port)
        started = Path(tempfile.mkdtemp()) / "started"
        in_flight: dict[str, object] = {}

        def slow_request() -> None:
            in_flight["answer"] = _get(
                port,
                f"/__slow__?seconds={SLOW_REQUEST_SECONDS}&started={started}",
                timeout=GRACE_SECONDS + 10,
            )

        request = threading.Thread(target=slow_request)
        request.start()
        while not started.exists() and request.is_alive():
            time.sleep(0.02)

        process.send_signal(signal.SIGTERM)
        arrivals = []
        while process.poll() is None and request.is_alive():
            arrivals.append(_probe(port))
            time.sleep(0.1)
        request.join(timeout=GRACE_SECONDS + 10)
        returncode = process.wait(timeout=GRACE_SECONDS + 10)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    stderr = process.communicate()[1]

    assert in_flight.get("answer") == (200, BODY), stderr
    # Who came after the stop got a whole answer or none, never a broken one.
    assert set(arrivals) <= {"answered", "refused", "no answer"}, arrivals
    if workers == 1:
        # The listening socket is closed at once: the proxy tries elsewhere.
        assert arrivals and set(arrivals[1:]) == {"refused"}, arrivals
    # uvicorn's supervisor exits 0; a single server re-raises the SIGTERM it
    # handled, which service managers count as a clean stop too.
    assert returncode in {0, -signal.SIGTERM}, stderr
    if workers > 1:
        assert returncode == 0, stderr
    assert _probe(port) == "refused"
