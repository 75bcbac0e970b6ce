"""How much does answering ``/s/<code>`` in front of Django gain, and is any click lost?

Starts the production ASGI server (uvicorn when installed, as ``make bench`` does;
else daphne) as one process on a free port of 127.0.0.1, serving
``bench._redirect_app``: the site's own ``config.asgi.application`` plus two
baselines in the same process (see that module). The database is a temporary
migrated one: PostgreSQL (a ``<name>_bench`` database beside the one
``DATABASE_URL`` names, dropped afterwards) and a Redis stream of the run's own
when ``DATABASE_URL`` / ``REDIS_URL`` are set, else SQLite with clicks written
straight to it. With Redis, ``manage.py advocacy_drain_clicks`` runs beside the
server, as in production. One post and two links are seeded; then, with
``bench._redirect_load`` (``bench._http_load`` counting 302s) in its own process,
each of these is loaded in turn for a few seconds:

- ``/s/<code>``: the tracked-link redirect, storing a click per request;
- ``/bench/bare/<code>``: an async Django view answering the same 302, storing
  nothing: Django's request cycle alone;
- ``/bench/raw/<code>``: a bare ASGI app storing the click the same way and
  answering the same 302: the floor.

Reports ``redirect_throughput_ratio`` (``/s/`` req/s over the bare Django view's),
``redirect_vs_raw_ratio`` (``/s/`` over the raw app's) and ``redirect_clicks_lost``
(``/s/`` requests answered minus clicks stored once the stream is drained; 0 is
right), with the rates, p95 latencies and server CPU per request behind them.

Knobs (environment): ``BENCH_REDIRECT_SERVER`` (uvicorn or daphne),
``BENCH_REDIRECT_ROUNDS`` (1; more report medians), ``BENCH_REDIRECT_DURATION``
(3 seconds per measurement), ``BENCH_HTTP_CONNECTIONS`` (32), ``BENCH_HTTP_WARMUP``
(1). Every process started here is stopped again, also on error or Ctrl+C.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.asgi_servers import (
    BIN,
    HOST,
    ROOT,
    BenchError,
    CpuUse,
    helper,
    last_json_line,
    log,
    running_server,
    stop,
    temporary_database,
)

BENCH_APP = "bench._redirect_app:application"
SETTINGS = "bench._redirect_settings"


def _env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def choose_server() -> str:
    wanted = os.environ.get("BENCH_REDIRECT_SERVER")
    if wanted:
        return wanted
    return "uvicorn" if (BIN / "uvicorn").exists() else "daphne"


def get(port: int, path: str) -> tuple[int, str]:
    """One GET without any proxy settings; its status and Location."""
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request("GET", path, headers={"User-Agent": "cimientos-bench"})
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location", "")
    finally:
        connection.close()


def db_helper(action: str, env: dict[str, str]) -> dict[str, Any]:
    completed = subprocess.run(
        helper("_redirect_db", action),
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=300,
        check=False,
    )
    if completed.returncode != 0:
        raise BenchError(f"_redirect_db {action} failed:\n{completed.stderr.decode()}")
    return last_json_line(completed.stdout)


@contextmanager
def background(
    command: list[str], env: dict[str, str], log_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        stop(process)


def load(port: int, path: str) -> dict[str, Any]:
    duration = _env_float("BENCH_REDIRECT_DURATION", 3.0)
    warmup = _env_float("BENCH_HTTP_WARMUP", 1.0)
    completed = subprocess.run(
        helper(
            "_redirect_load",
            HOST,
            str(port),
            path,
            "--connections",
            os.environ.get("BENCH_HTTP_CONNECTIONS", "32"),
            "--duration",
            str(duration),
            "--warmup",
            str(warmup),
        ),
        cwd=ROOT,
        capture_output=True,
        timeout=duration + warmup + 30,
        check=False,
    )
    if completed.returncode != 0:
        raise BenchError(f"load generator failed:\n{completed.stderr.decode()}")
    return last_json_line(completed.stdout)


def measure(
    port: int, pid: int, paths: dict[str, str], rounds: int
) -> tuple[dict[str, dict[str, list[float]]], dict[str, int]]:
    samples: dict[str, dict[str, list[float]]] = {name: {} for name in paths}
    answered = dict.fromkeys(paths, 0)
    for round_index in range(rounds):
        order = list(paths) if round_index % 2 == 0 else list(paths)[::-1]
        for name in order:
            with CpuUse(pid) as cpu:
                result = load(port, paths[name])
            answered[name] += result["answered_with_warmup"]
            log(
                f"  {name:8} GET {paths[name]}: {result['rps']:.1f} req/s, p50 "
                f"{result['p50_ms']:.1f} p95 {result['p95_ms']:.1f} ms, "
                f"not 302 {result['non_200']}, errors {result['errors']}; "
                + cpu.describe(result["client_cpu"])
            )
            if result["non_200"] or result["errors"]:
                log(f"  WARNING: {paths[name]} had failures")
            values = {
                "rps": result["rps"],
                "p95_ms": result["p95_ms"],
                "cpu_ms_per_req": cpu.server_seconds
                * 1000
                / max(result["answered_with_warmup"], 1),
            }
            for metric, value in values.items():
                samples[name].setdefault(metric, []).append(value)
    return samples, answered


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run() -> list[tuple[str, float]]:
    server = choose_server()
    if not (BIN / server).exists():
        log(f"SKIP redirect: {BIN / server} is missing")
        return []
    rounds = max(1, int(os.environ.get("BENCH_REDIRECT_ROUNDS", "1")))
    redis_url = os.environ.get("REDIS_URL", "")
    stream = f"cimientos-bench-clicks-{uuid.uuid4().hex[:12]}"

    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    workdir = Path(tempfile.mkdtemp(prefix="cimientos-bench-redirect-"))
    try:
        with temporary_database(workdir, suffix="bench") as database_url:
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": SETTINGS,
                "DJANGO_DEBUG": "0",
                "DATABASE_URL": database_url,
                "ADVOCACY_CLICK_STREAM": stream,
                "PYTHONUNBUFFERED": "1",
            }
            if not redis_url:
                env.pop("REDIS_URL", None)
            started = time.monotonic()
            seeded = db_helper("seed", env)
            log(
                f"redirect: {server}, {database_url.split(':')[0]}, clicks "
                f"{'through a Redis stream' if redis_url else 'straight to the db'}; "
                f"seeded in {time.monotonic() - started:.1f}s"
            )
            env["BENCH_REDIRECT_LOCATION"] = seeded["location"]
            env["BENCH_RAW_LINK_ID"] = str(seeded["raw_link_id"])
            code = seeded["code"]
            paths = {
                "redirect": f"/s/{code}",
                "bare": f"/bench/bare/{code}",
                "raw": f"/bench/raw/{code}",
            }
            drain = [sys.executable, "manage.py", "advocacy_drain_clicks"]
            with (
                background(drain, env, workdir / "drain.log")
                if redis_url
                else _nothing(),
                running_server(server, env, workdir, app=BENCH_APP) as (
                    port,
                    process,
                    _log,
                ),
            ):
                for path in paths.values():
                    status, location = get(port, path)
                    if (status, location) != (302, seeded["location"]):
                        raise BenchError(f"GET {path}: {status} {location!r}")
                samples, answered = measure(port, process.pid, paths, rounds)
            stored = db_helper("count", env)
    finally:
        signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(workdir, ignore_errors=True)
        if redis_url:
            import redis

            redis.Redis.from_url(redis_url).delete(stream)

    medians = {
        name: {metric: statistics.median(v) for metric, v in metrics.items()}
        for name, metrics in samples.items()
    }
    sent = answered["redirect"] + 1  # and the check before the load
    kept = stored.get(str(seeded["link_id"]), 0)
    log(f"  /s/ clicks: {sent} answered, {kept} stored")
    results = [
        (
            "redirect_throughput_ratio",
            medians["redirect"]["rps"] / max(medians["bare"]["rps"], 1e-9),
        ),
        (
            "redirect_vs_raw_ratio",
            medians["redirect"]["rps"] / max(medians["raw"]["rps"], 1e-9),
        ),
        ("redirect_clicks_lost", sent - kept),
    ]
    labels = {
        "redirect": "redirect",
        "bare": "redirect_bare_django",
        "raw": "redirect_raw",
    }
    for name, label in labels.items():
        for metric, value in medians[name].items():
            results.append((f"{label}_{metric}", value))
    return results


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


if __name__ == "__main__":
    from bench.__main__ import run_alone

    sys.exit(run_alone(run))
