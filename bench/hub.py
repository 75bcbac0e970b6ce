"""Does the live hub reach thousands of open sockets quickly, and lose nothing?

Starts the production ASGI server, daphne, as one process on a free port of
127.0.0.1 serving ``bench._hub_app``: the site's own ``config.asgi.application``
plus a baseline socket in the same process, ``/ws/bare/``, a plain Channels
consumer with a channel-layer channel of its own joined to one group. The database
is a temporary migrated one (PostgreSQL, a ``<name>_hub_bench`` database beside
the one ``DATABASE_URL`` names, dropped afterwards, when ``DATABASE_URL`` is
PostgreSQL; else SQLite) holding ``BENCH_HUB_CONNECTIONS`` people, each signed in.
The channel layer is Redis (``REDIS_URL``, else ``BENCH_REDIS_URL``, else
``redis://127.0.0.1:6379/5``), with a key prefix of this run's own: this process
publishes from outside the server, as another worker process would.

``bench._hub_clients`` (its own process) opens one socket per person, first on
``/ws/bare/``, then on ``/ws/hub/``; this process then sends ``BENCH_HUB_MESSAGES``
events one at a time (the next once every socket has the last): a plain
``group_send`` to the baseline's group, and a ``post.published`` event to the
hub's group shaped as ``advocacy.services.group_event_publish`` sends it. Each
carries the time it was sent, and the client times its arrival on every socket.

Then two daphne processes share the layer, the sockets split between them, and
``BENCH_HUB_BURST`` events go to the hub's group at once, unpaced: every socket
should get every one, once.

Reports ``hub_broadcast_p95_ratio`` (the hub's p95 delivery latency over the
baseline's, same server, same run; lower is better), ``hub_messages_lost`` (hub
deliveries missing, in both stretches; 0 is right) and the numbers behind them.

Knobs (environment): ``BENCH_HUB_CONNECTIONS`` (2000), ``BENCH_HUB_MESSAGES``
(20), ``BENCH_HUB_BURST`` (50), ``BENCH_HUB_ROUNDS`` (1; more alternate the order
and report medians), ``BENCH_HUB_PUBSUB`` (set: measure on channels_redis's pub/sub
layer instead of the configured one). Everything waits with a timeout; every
process started here is stopped again, also on error, Ctrl+C or SIGTERM.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench.asgi_servers import (
    BIN,
    HOST,
    ROOT,
    BenchError,
    cpu_seconds,
    helper,
    last_json_line,
    log,
    redis_reachable,
    running_server,
    temporary_database,
)

APP = "bench._hub_app:application"
SETTINGS = "bench._hub_settings"
SERVER = "daphne"
HUB_GROUP = "hub"
BARE_GROUP = "bench.bare"  # as in bench._hub_app
DONE_TIMEOUT = 15.0


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def raise_open_file_limit() -> None:
    """Servers started from here inherit it: each socket is a file on both ends."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def make_layer(config: dict[str, Any]) -> Any:
    """The servers' channel layer, built from their settings, for publishing."""
    from importlib import import_module

    module, _, name = config["BACKEND"].rpartition(".")
    return getattr(import_module(module), name)(**config.get("CONFIG", {}))


def event_message(group: str, i: int) -> dict[str, Any]:
    """What ``group_event_publish`` sends, with the send time in ``data``."""
    return {
        "type": "advocacy.event",
        "group": group,
        "id": i + 1,
        "event": "post.published",
        "data": {"post": i + 1, "i": i, "t": time.time()},
    }


async def broadcast(
    urls: list[str],
    group: str,
    layer_config: dict[str, Any],
    cookies: Path,
    connections: int,
    messages: int,
    paced: bool,
    pids: list[int],
) -> dict[str, Any]:
    """Open the sockets, publish, and return what the client measured."""
    layer = make_layer(layer_config)
    client = await asyncio.create_subprocess_exec(
        *helper(
            "_hub_clients",
            *urls,
            "--cookies",
            str(cookies),
            "--connections",
            str(connections),
            "--messages",
            str(messages),
        ),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stderr_task = asyncio.create_task(client.stderr.read())
    pump_task = None
    try:
        line = await asyncio.wait_for(client.stdout.readline(), timeout=300)
        if not line:
            stderr = await asyncio.wait_for(stderr_task, timeout=10)
            raise BenchError(f"hub client failed:\n{stderr.decode()[-2000:]}")
        ready = json.loads(line)
        log(
            f"  {group}: {ready['connected']} sockets open ({ready['failed']} failed)"
            f" in {ready['open_seconds']:.1f}s, handshake p95 "
            f"{ready['handshake_p95_ms']:.0f} ms"
        )
        if ready["failed"]:
            log(f"  first failure: {ready['first_failure'][:300]}")
        if not ready["connected"]:
            raise BenchError("no socket connected")

        done: set[int] = set()
        progressed = asyncio.Event()
        result: dict[str, Any] = {}

        async def pump() -> None:
            async for raw in client.stdout:
                if not raw.startswith(b"{"):
                    continue
                item = json.loads(raw)
                if "done" in item:
                    done.add(item["done"])
                    progressed.set()
                else:
                    result.update(item)

        async def wait_for(index: int) -> bool:
            deadline = time.monotonic() + DONE_TIMEOUT
            while index not in done:
                progressed.clear()
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                try:
                    await asyncio.wait_for(progressed.wait(), timeout=remaining)
                except TimeoutError:
                    return False
            return True

        pump_task = asyncio.create_task(pump())
        await asyncio.sleep(0.5)  # let the last joins settle on the layer
        incomplete = 0
        cpu_start = sum(cpu_seconds(pid) for pid in pids)
        for i in range(messages):
            await layer.group_send(group, event_message(group, i))
            if paced and not await wait_for(i):
                incomplete += 1
        if not paced:
            for i in range(messages):
                if not await wait_for(i):
                    incomplete += 1
        result["server_cpu_seconds"] = sum(cpu_seconds(p) for p in pids) - cpu_start
        if incomplete:
            log(f"  WARNING: {incomplete} message(s) did not reach every socket")
        await asyncio.wait_for(client.wait(), timeout=120)
        await asyncio.wait_for(pump_task, timeout=10)
        if client.returncode != 0 or "received" not in result:
            stderr = await asyncio.wait_for(stderr_task, timeout=10)
            raise BenchError(f"hub client failed:\n{stderr.decode()[-2000:]}")
    finally:
        if client.returncode is None:
            client.kill()
            await client.wait()
        for task in (pump_task, stderr_task):
            if task is not None:
                task.cancel()
        if hasattr(layer, "close_pools"):
            await layer.close_pools()
        elif hasattr(layer, "flush"):
            await layer.flush()
    result["ready"] = ready
    result["lost"] = result["expected"] - result["received"]
    return result


def describe(label: str, result: dict[str, Any]) -> str:
    return (
        f"  {label}: {result['received']}/{result['expected']} delivered, "
        f"{result['duplicates']} duplicate(s), latency p50 {result['p50_ms']:.0f} "
        f"p95 {result['p95_ms']:.0f} p99 {result['p99_ms']:.0f} max "
        f"{result['max_ms']:.0f} ms; server CPU {result['server_cpu_seconds']:.1f}s"
        f", client used {result['client_cpu']:.2f} core"
    )


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run() -> list[tuple[str, float]]:
    if not (BIN / SERVER).exists():
        log(f"SKIP hub: {BIN / SERVER} is missing")
        return []
    try:
        import websockets  # noqa: F401 - the client needs it
    except ImportError:
        log("SKIP hub: the websockets package is missing (make bench installs it)")
        return []
    redis_url = (
        os.environ.get("REDIS_URL")
        or os.environ.get("BENCH_REDIS_URL")
        or "redis://127.0.0.1:6379/5"
    )
    if not redis_reachable(redis_url):
        log(f"SKIP hub: Redis is not reachable at {redis_url}")
        return []
    connections = _env_int("BENCH_HUB_CONNECTIONS", 2000)
    messages = _env_int("BENCH_HUB_MESSAGES", 20)
    burst = _env_int("BENCH_HUB_BURST", 50)
    rounds = max(1, _env_int("BENCH_HUB_ROUNDS", 1))
    raise_open_file_limit()

    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    workdir = Path(tempfile.mkdtemp(prefix="cimientos-bench-hub-"))
    prefix = f"cimientos-bench-hub-{uuid.uuid4().hex[:8]}"
    samples: dict[str, list[float]] = {}
    lost = duplicates = 0
    try:
        with temporary_database(workdir, suffix="hub_bench") as database_url:
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": SETTINGS,
                "DATABASE_URL": database_url,
                "REDIS_URL": redis_url,
                "BENCH_HUB_LAYER_PREFIX": prefix,
                "PYTHONUNBUFFERED": "1",
            }
            cookies = workdir / "cookies.txt"
            started = time.monotonic()
            completed = subprocess.run(
                helper("_hub_db", str(connections), str(cookies)),
                cwd=ROOT,
                env=env,
                capture_output=True,
                timeout=600,
                check=False,
            )
            if completed.returncode != 0:
                raise BenchError(f"_hub_db failed:\n{completed.stderr.decode()}")
            layer_config = last_json_line(completed.stdout)["layer"]
            log(
                f"hub: {SERVER}, {database_url.split(':')[0]}, "
                f"{layer_config['BACKEND']}, {connections} people signed in "
                f"({time.monotonic() - started:.1f}s)"
            )

            with running_server(SERVER, env, workdir, app=APP) as (port, process, _):
                urls = {
                    "bare": [f"ws://{HOST}:{port}/ws/bare/"],
                    "hub": [f"ws://{HOST}:{port}/ws/hub/"],
                }
                groups = {"bare": BARE_GROUP, "hub": HUB_GROUP}
                for round_index in range(rounds):
                    order = ["hub", "bare"] if round_index % 2 == 0 else ["bare", "hub"]
                    for name in order:
                        result = asyncio.run(
                            broadcast(
                                urls[name],
                                groups[name],
                                layer_config,
                                cookies,
                                connections,
                                messages,
                                paced=True,
                                pids=[process.pid],
                            )
                        )
                        log(describe(name, result))
                        prefix = "hub" if name == "hub" else "hub_bare"
                        for metric, value in {
                            "broadcast_p95_ms": result["p95_ms"],
                            "broadcast_p50_ms": result["p50_ms"],
                            "open_seconds": result["ready"]["open_seconds"],
                            "server_cpu_ms_per_broadcast": result["server_cpu_seconds"]
                            * 1000
                            / max(messages, 1),
                        }.items():
                            samples.setdefault(f"{prefix}_{metric}", []).append(value)
                        if name == "hub":
                            lost += result["lost"]
                            duplicates += result["duplicates"]

            log(f"hub: two {SERVER} processes, a burst of {burst} events")
            with ExitStack() as stack:
                servers = [
                    stack.enter_context(running_server(SERVER, env, workdir, app=APP))
                    for _ in range(2)
                ]
                result = asyncio.run(
                    broadcast(
                        [f"ws://{HOST}:{port}/ws/hub/" for port, _p, _l in servers],
                        HUB_GROUP,
                        layer_config,
                        cookies,
                        connections,
                        burst,
                        paced=False,
                        pids=[process.pid for _port, process, _log in servers],
                    )
                )
                log(describe("hub on two processes", result))
                lost += result["lost"]
                duplicates += result["duplicates"]
    finally:
        signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(workdir, ignore_errors=True)
        # Servers stopped with sockets open leave their groups behind.
        import redis

        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(match=f"{prefix}*", count=1000):
            client.delete(key)

    medians = {name: statistics.median(values) for name, values in samples.items()}
    if duplicates:
        log(f"  WARNING: {duplicates} duplicate deliveries")
    results = [
        (
            "hub_broadcast_p95_ratio",
            medians["hub_broadcast_p95_ms"]
            / max(medians["hub_bare_broadcast_p95_ms"], 1e-9),
        ),
        ("hub_messages_lost", lost),
        ("hub_messages_duplicated", duplicates),
    ]
    results += sorted(medians.items())
    return results


if __name__ == "__main__":
    from bench.__main__ import run_alone

    sys.exit(run_alone(run))
