"""Daphne or uvicorn in production? Measured on this machine, not assumed.

For each server in turn this starts ``config.asgi:application`` as one process on a
free port of 127.0.0.1 (dev settings, a temporary migrated SQLite database, Redis for
cache and channel layer), waits for ``GET /healthz`` to answer 200, then measures:

- HTTP: requests per second and p95 latency for ``/healthz`` (database, cache and
  channel layer round trip) and ``/accounts/login/`` (an anonymous page render),
  driven by ``bench._http_load`` in its own process over keep-alive connections.
- WebSocket fan-out: ``bench._ws_fanout`` (its own process) opens many hub sockets
  signed in as one person; this process publishes messages to that person's group
  with channels_redis, as ``advocacy.services.person_event_publish`` does, and the
  client reports deliveries per second and delivery latency. At most
  ``BENCH_WS_WINDOW`` messages are in flight: channels_redis keeps one queue per
  server process with room for 100 messages (``capacity``) and silently drops group
  messages beyond that, so an unpaced burst of 200 measures the drop, not the server.
- Server CPU time per request and per delivery, read from /proc: it moves much less
  than the rates do when other work shares the machine. Each stretch also logs how
  many cores the rest of the machine used; when that is high, rates are suspect.

Everything is bounded: fixed durations, fixed counts and a timeout on every wait.
Every process started here is stopped again, also on error, Ctrl+C or SIGTERM.

Knobs (environment): ``BENCH_ASGI_SERVERS`` (``daphne,uvicorn``),
``BENCH_ASGI_ROUNDS`` (1; more rounds alternate the order and report medians),
``BENCH_HTTP_CONNECTIONS`` (32), ``BENCH_HTTP_DURATION`` (5), ``BENCH_HTTP_WARMUP``
(1), ``BENCH_WS_CONNECTIONS`` (200), ``BENCH_WS_MESSAGES`` (200),
``BENCH_WS_WINDOW`` (1), ``BENCH_REDIS_URL`` (``redis://127.0.0.1:6379/5``). Other
variables, such as ``DJANGO_DEBUG=0``, pass through to the servers.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import logging
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
APP = "config.asgi:application"
HOST = "127.0.0.1"
SERVERS = ("daphne", "uvicorn")
HTTP_PAGES = {"healthz": "/healthz", "login": "/accounts/login/"}
STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


@dataclass(frozen=True)
class Config:
    servers: tuple[str, ...]
    rounds: int
    http_connections: int
    http_duration: float
    http_warmup: float
    ws_connections: int
    ws_messages: int
    ws_window: int
    redis_url: str

    @classmethod
    def from_env(cls) -> Config:
        servers = os.environ.get("BENCH_ASGI_SERVERS", ",".join(SERVERS))
        return cls(
            servers=tuple(s.strip() for s in servers.split(",") if s.strip()),
            rounds=max(1, _env_int("BENCH_ASGI_ROUNDS", 1)),
            http_connections=_env_int("BENCH_HTTP_CONNECTIONS", 32),
            http_duration=_env_float("BENCH_HTTP_DURATION", 5.0),
            http_warmup=_env_float("BENCH_HTTP_WARMUP", 1.0),
            ws_connections=_env_int("BENCH_WS_CONNECTIONS", 200),
            ws_messages=_env_int("BENCH_WS_MESSAGES", 200),
            ws_window=max(1, _env_int("BENCH_WS_WINDOW", 1)),
            redis_url=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5"),
        )


class BenchError(RuntimeError):
    pass


def log(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_command(server: str, port: int, app: str = APP) -> list[str]:
    if server == "daphne":
        return [str(BIN / "daphne"), "-b", HOST, "-p", str(port), app]
    if server == "uvicorn":
        return [
            str(BIN / "uvicorn"),
            app,
            "--host",
            HOST,
            "--port",
            str(port),
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--ws",
            "websockets",
            "--lifespan",
            "off",
            "--no-access-log",
            "--log-level",
            "warning",
        ]
    raise BenchError(f"unknown server {server!r}; expected one of {SERVERS}")


def http_status(port: int, path: str, timeout: float = 5.0) -> int:
    """One GET without any proxy settings from the environment."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU time all cores spent not idle since boot, from /proc/stat."""
    try:
        fields = [int(f) for f in Path("/proc/stat").read_text().split()[1:9]]
    except OSError:
        return 0.0
    idle = fields[3] + fields[4]
    return (sum(fields) - idle) / os.sysconf("SC_CLK_TCK")


@dataclass
class CpuUse:
    """Cores used by the server and by the whole machine over a stretch of time.

    Other work on a shared machine shows up as machine minus server minus the
    load generator; when it is large the numbers of that stretch are suspect.
    """

    pid: int
    server: float = 0.0
    machine: float = 0.0
    server_seconds: float = 0.0

    def __enter__(self) -> CpuUse:
        self._start = (
            time.monotonic(),
            cpu_seconds(self.pid),
            machine_busy_seconds(),
        )
        return self

    def __exit__(self, *exc_info: object) -> None:
        wall = max(time.monotonic() - self._start[0], 1e-9)
        self.server_seconds = cpu_seconds(self.pid) - self._start[1]
        self.server = self.server_seconds / wall
        self.machine = (machine_busy_seconds() - self._start[2]) / wall

    def describe(self, client: float) -> str:
        others = max(0.0, self.machine - self.server - client)
        return (
            f"cores: server {self.server:.2f}, client {client:.2f}, "
            f"rest of machine {others:.2f} of {os.cpu_count()}"
        )


@contextmanager
def running_server(
    server: str, env: dict[str, str], workdir: Path, app: str = APP
) -> Iterator[tuple[int, subprocess.Popen[bytes], Path]]:
    """``app`` served by ``server`` on a free port, once /healthz answers 200."""
    port = free_port()
    log_path = workdir / f"{server}-{port}.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            server_command(server, port, app),
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        started = time.monotonic()
        while True:
            if process.poll() is not None:
                raise BenchError(f"{server} exited early:\n{tail(log_path)}")
            try:
                if http_status(port, "/healthz") == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise BenchError(f"{server} /healthz never answered 200")
            time.sleep(0.2)
        log(
            f"{server} pid {process.pid} on :{port}, healthy after "
            f"{time.monotonic() - started:.1f}s"
        )
        yield port, process, log_path
    finally:
        stop(process)
        report_log_problems(server, log_path)


def report_log_problems(server: str, log_path: Path) -> None:
    """Surface tracebacks, errors and warnings the server logged during the run."""
    try:
        lines = log_path.read_text(errors="replace").splitlines()
    except OSError:
        return
    markers = ("Traceback", "ERROR", "Error", "WARNING", "Warning")
    problems = [line for line in lines if any(m in line for m in markers)]
    if problems:
        log(f"  {server} logged {len(problems)} problem line(s), e.g.:")
        for line in problems[:3]:
            log(f"    {line.strip()[:200]}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    started = time.monotonic()
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        log(f"pid {process.pid} ignored SIGTERM for {STOP_TIMEOUT:.0f}s; killing it")
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)
    if time.monotonic() - started > 1:
        log(f"pid {process.pid} took {time.monotonic() - started:.1f}s to stop")


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def helper(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", f"bench.{module}", *args]


def last_json_line(output: bytes) -> dict[str, Any]:
    lines = [line for line in output.decode().splitlines() if line.startswith("{")]
    if not lines:
        raise BenchError(f"no JSON result in output:\n{output.decode()[-2000:]}")
    return json.loads(lines[-1])


@contextmanager
def temporary_database(workdir: Path, *, suffix: str) -> Iterator[str]:
    """A database URL for one bench run: PostgreSQL when DATABASE_URL says so.

    On PostgreSQL a database ``<name>_<suffix>`` is created afresh and dropped
    afterwards; otherwise a SQLite file in ``workdir``.
    """
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{workdir / 'db.sqlite3'}"
        return
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'cimientos'}_{suffix}"
    admin = urlunsplit(parts._replace(path="/postgres", scheme="postgresql"))

    def execute(sql: str) -> None:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(sql)

    execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare_database(env: dict[str, str]) -> dict[str, Any]:
    started = time.monotonic()
    completed = subprocess.run(
        helper("_prepare_db"),
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=180,
        check=False,
    )
    if completed.returncode != 0:
        raise BenchError(f"preparing the database failed:\n{completed.stderr.decode()}")
    prepared = last_json_line(completed.stdout)
    log(
        f"database migrated, user {prepared['user_id']} signed in "
        f"({time.monotonic() - started:.1f}s)"
    )
    if prepared["layer_backend"] != "channels_redis.core.RedisChannelLayer":
        raise BenchError(f"servers would use {prepared['layer_backend']}, not Redis")
    return prepared


def http_load(port: int, path: str, config: Config) -> dict[str, Any]:
    completed = subprocess.run(
        helper(
            "_http_load",
            HOST,
            str(port),
            path,
            "--connections",
            str(config.http_connections),
            "--duration",
            str(config.http_duration),
            "--warmup",
            str(config.http_warmup),
        ),
        cwd=ROOT,
        capture_output=True,
        timeout=config.http_warmup + config.http_duration + 30,
        check=False,
    )
    if completed.returncode != 0:
        raise BenchError(f"load generator failed:\n{completed.stderr.decode()}")
    return last_json_line(completed.stdout)


class _CountRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


@contextmanager
def counting_over_capacity() -> Iterator[_CountRecords]:
    """Count channels_redis's "channels over capacity" notes: dropped messages."""
    logger = logging.getLogger("channels_redis.core")
    handler = _CountRecords()
    handler.addFilter(lambda record: "over capacity" in record.getMessage())
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


async def ws_fanout(
    port: int, pid: int, prepared: dict[str, Any], config: Config
) -> dict[str, Any]:
    from channels_redis.core import RedisChannelLayer

    group = prepared["group"]
    layer = RedisChannelLayer(hosts=[config.redis_url], prefix=prepared["layer_prefix"])
    # A run that died without closing its sockets leaves members behind; start clean.
    group_key = layer._group_key(group)
    group_connection = layer.connection(layer.consistent_hash(group))
    await group_connection.delete(group_key)

    client = await asyncio.create_subprocess_exec(
        *helper(
            "_ws_fanout",
            f"ws://{HOST}:{port}/ws/hub/",
            "--origin",
            f"http://{HOST}:{port}",
            "--cookie",
            prepared["cookie"],
            "--connections",
            str(config.ws_connections),
            "--messages",
            str(config.ws_messages),
        ),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stderr_task = asyncio.create_task(client.stderr.read())
    pump_task = None
    try:
        line = await asyncio.wait_for(client.stdout.readline(), timeout=90)
        if not line:
            stderr = await asyncio.wait_for(stderr_task, timeout=10)
            raise BenchError(f"websocket client failed:\n{stderr.decode()[-2000:]}")
        ready = json.loads(line)
        members = await group_connection.zcard(group_key)
        log(
            f"  ws: {ready['connected']} sockets open ({ready['failed']} failed) in "
            f"{ready['open_seconds']:.2f}s, handshake p95 "
            f"{ready['handshake_p95_ms']:.1f} ms, group members {members}, "
            f"extensions {ready['extensions'] or 'none'}"
        )
        if ready["failed"]:
            log(f"  ws: first failure: {ready['first_failure']}")
        if not ready["connected"]:
            raise BenchError("no websocket connected")

        completed = 0
        progressed = asyncio.Event()
        result: dict[str, Any] = {}

        async def pump() -> None:
            nonlocal completed
            async for raw in client.stdout:
                if not raw.startswith(b"{"):
                    continue
                item = json.loads(raw)
                if "done" in item:
                    completed += 1
                    progressed.set()
                else:
                    result.update(item)

        pump_task = asyncio.create_task(pump())
        stalled = False
        published = 0
        server_cpu_start = cpu_seconds(pid)
        first_send = time.time()
        with counting_over_capacity() as over_capacity:
            for i in range(config.ws_messages):
                # Keep the server's queue (capacity 100 by default) from overflowing.
                while i - completed >= config.ws_window and not stalled:
                    progressed.clear()
                    try:
                        await asyncio.wait_for(progressed.wait(), timeout=10)
                    except TimeoutError:
                        stalled = True
                if stalled:
                    log(f"  WARNING: fan-out stalled after {i} messages")
                    break
                await layer.group_send(
                    group,
                    {
                        "type": "advocacy.event",
                        "group": group,
                        "event": "bench",
                        "data": {"i": i, "t": time.time()},
                    },
                )
                published += 1
        publish_seconds = time.time() - first_send
        while completed < published and not stalled:
            progressed.clear()
            try:
                await asyncio.wait_for(progressed.wait(), timeout=10)
            except TimeoutError:
                stalled = True
        server_cpu = cpu_seconds(pid) - server_cpu_start

        await asyncio.wait_for(client.wait(), timeout=120)
        await asyncio.wait_for(pump_task, timeout=10)
        if client.returncode != 0 or "received" not in result:
            stderr = await asyncio.wait_for(stderr_task, timeout=10)
            raise BenchError(f"websocket client failed:\n{stderr.decode()[-2000:]}")
    finally:
        if client.returncode is None:
            client.kill()
            await client.wait()
        for task in (pump_task, stderr_task):
            if task is not None:
                task.cancel()
        await group_connection.delete(group_key)
        await layer.close_pools()

    elapsed = max(result["last_receive"] - first_send, 1e-9)
    result.update(
        ready=ready,
        publish_seconds=publish_seconds,
        over_capacity=over_capacity.count,
        server_cpu_seconds=server_cpu,
        elapsed=elapsed,
        msgs_per_s=result["received"] / elapsed,
        delivered=result["received"] / max(result["expected"], 1),
    )
    return result


def measure(
    server: str,
    env: dict[str, str],
    prepared: dict[str, Any],
    config: Config,
    workdir: Path,
) -> dict[str, float]:
    metrics: dict[str, float] = {}
    with running_server(server, env, workdir) as (port, process, log_path):
        for label, path in HTTP_PAGES.items():
            status = http_status(port, path)
            if status != 200:
                raise BenchError(f"{server} GET {path} answered {status}, not 200")
            with CpuUse(process.pid) as cpu:
                result = http_load(port, path, config)
            log(
                f"  GET {path}: {result['rps']:.1f} req/s, p50 {result['p50_ms']:.1f}"
                f" p95 {result['p95_ms']:.1f} p99 {result['p99_ms']:.1f} ms, "
                f"non-200 {result['non_200']}, errors {result['errors']}; "
                + cpu.describe(result["client_cpu"])
            )
            if result["non_200"] or result["errors"]:
                log(f"  WARNING: GET {path} had failures; see {log_path}")
            metrics[f"http_{label}_rps"] = result["rps"]
            metrics[f"http_{label}_p95_ms"] = result["p95_ms"]
            metrics[f"http_{label}_cpu_ms_per_req"] = (
                cpu.server_seconds * 1000 / max(result["answered_with_warmup"], 1)
            )

        with CpuUse(process.pid) as cpu:
            fanout = asyncio.run(ws_fanout(port, process.pid, prepared, config))
        log(
            f"  ws fan-out: {fanout['received']}/{fanout['expected']} delivered in "
            f"{fanout['elapsed']:.2f}s ({fanout['msgs_per_s']:.0f}/s; published in "
            f"{fanout['publish_seconds']:.2f}s), latency p50 {fanout['p50_ms']:.1f} "
            f"p95 {fanout['p95_ms']:.1f} max {fanout['max_ms']:.1f} ms; "
            + cpu.describe(fanout["client_cpu"])
        )
        if fanout["delivered"] < 1 or fanout["over_capacity"]:
            log(
                f"  WARNING: {fanout['short_sockets']} sockets got fewer messages; "
                f"{fanout['over_capacity']} group sends hit a full channel"
            )
        metrics["ws_fanout_msgs_per_s"] = fanout["msgs_per_s"]
        metrics["ws_fanout_p95_ms"] = fanout["p95_ms"]
        metrics["ws_fanout_delivered_fraction"] = fanout["delivered"]
        metrics["ws_fanout_cpu_us_per_msg"] = (
            fanout["server_cpu_seconds"] * 1e6 / max(fanout["received"], 1)
        )
    return metrics


def redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run() -> list[tuple[str, float]]:
    config = Config.from_env()
    for server in config.servers:
        if not (BIN / server).exists():
            log(
                f"SKIP asgi_servers: {BIN / server} is missing (make bench installs it)"
            )
            return []
    if not redis_reachable(config.redis_url):
        log(f"SKIP asgi_servers: Redis is not reachable at {config.redis_url}")
        return []

    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    workdir = Path(tempfile.mkdtemp(prefix="cimientos-bench-"))
    try:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
            "REDIS_URL": config.redis_url,
            "PYTHONUNBUFFERED": "1",
        }
        prepared = prepare_database(env)
        samples: dict[str, dict[str, list[float]]] = {s: {} for s in config.servers}
        for round_index in range(config.rounds):
            order = config.servers if round_index % 2 == 0 else config.servers[::-1]
            for server in order:
                log(f"round {round_index + 1}/{config.rounds}: {server}")
                for name, value in measure(
                    server, env, prepared, config, workdir
                ).items():
                    samples[server].setdefault(name, []).append(value)
    finally:
        signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(workdir, ignore_errors=True)

    results: list[tuple[str, float]] = []
    medians: dict[str, dict[str, float]] = {}
    for server, metrics in samples.items():
        medians[server] = {}
        for name, values in metrics.items():
            medians[server][name] = statistics.median(values)
            results.append((f"asgi_{server}_{name}", medians[server][name]))
            if len(values) > 1:
                log(f"{server} {name}: " + ", ".join(f"{v:.1f}" for v in values))
    if "uvicorn" in medians and "daphne" in medians:
        for name, value in medians["uvicorn"].items():
            base = medians["daphne"].get(name)
            if base:
                results.append((f"asgi_uvicorn_over_daphne_{name}", value / base))
    return results


if __name__ == "__main__":
    from bench.__main__ import run_alone

    sys.exit(run_alone(run))
