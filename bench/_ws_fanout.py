"""Hold N hub sockets open and time the messages they receive.

Run as its own process by ``bench.asgi_servers``::

    python -m bench._ws_fanout ws://127.0.0.1:8000/ws/hub/ \
        --origin http://127.0.0.1:8000 --cookie sessionid=... \
        --connections 200 --messages 200

Protocol with the parent, one JSON line each on stdout: once every socket is open
(or has failed) it prints ``{"ready": true, ...}``; the parent then publishes. Each
time message ``i`` has reached every open socket it prints ``{"done": i}``, so the
parent can keep a bounded number of messages in flight. Each socket reads until it
has ``--messages`` messages, or nothing arrives for ``--idle-timeout`` seconds, or
``--timeout`` passes. Then every socket is closed (so the consumers leave their
group) and a last line reports counts, latencies and timestamps. Latency is receive
time minus the ``t`` the publisher put in the message (``time.time()``; same host,
same clock).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import time
from collections import Counter

from websockets.asyncio.client import ClientConnection, connect

from bench._http_load import percentile


async def open_socket(
    args: argparse.Namespace, gate: asyncio.Semaphore
) -> tuple[ClientConnection, float]:
    async with gate:
        start = time.perf_counter()
        socket = await connect(
            args.url,
            origin=args.origin,
            additional_headers={"Cookie": args.cookie},
            compression=None if args.no_compression else "deflate",
            proxy=None,
            open_timeout=15,
            ping_interval=None,
            max_queue=None,
        )
        return socket, time.perf_counter() - start


async def listen(
    socket: ClientConnection,
    args: argparse.Namespace,
    deadline: float,
    latencies: list[float],
    last: list[float],
    arrivals: Counter[int],
    everyone: int,
) -> int:
    received = 0
    while received < args.messages:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        try:
            raw = await asyncio.wait_for(
                socket.recv(), timeout=min(args.idle_timeout, remaining)
            )
        except TimeoutError:
            break
        now = time.time()
        message = json.loads(raw)
        if message.get("event") != "bench":
            continue
        received += 1
        latencies.append(now - message["data"]["t"])
        last[0] = max(last[0], now)
        index = message["data"]["i"]
        arrivals[index] += 1
        if arrivals[index] == everyone:
            print(json.dumps({"done": index}), flush=True)
    return received


async def fan_out(args: argparse.Namespace) -> dict[str, object]:
    gate = asyncio.Semaphore(args.handshake_concurrency)
    opening = time.perf_counter()
    opened = await asyncio.gather(
        *(open_socket(args, gate) for _ in range(args.connections)),
        return_exceptions=True,
    )
    open_seconds = time.perf_counter() - opening
    sockets = [item[0] for item in opened if not isinstance(item, BaseException)]
    handshakes = [item[1] for item in opened if not isinstance(item, BaseException)]
    failures = [repr(item) for item in opened if isinstance(item, BaseException)]
    extensions = sorted(
        {
            ext.name
            for socket in sockets
            for ext in getattr(socket.protocol, "extensions", [])
        }
    )
    ready = {
        "ready": True,
        "connected": len(sockets),
        "failed": len(failures),
        "first_failure": failures[0] if failures else "",
        "open_seconds": open_seconds,
        "handshake_p95_ms": percentile(handshakes, 0.95) * 1000,
        "extensions": extensions,
    }
    print(json.dumps(ready), flush=True)

    latencies: list[float] = []
    last = [0.0]
    arrivals: Counter[int] = Counter()
    deadline = time.monotonic() + args.timeout
    try:
        counts = await asyncio.gather(
            *(
                listen(s, args, deadline, latencies, last, arrivals, len(sockets))
                for s in sockets
            )
        )
    finally:
        await asyncio.gather(*(s.close() for s in sockets), return_exceptions=True)
    return {
        "received": sum(counts),
        "expected": len(sockets) * args.messages,
        "short_sockets": sum(1 for c in counts if c < args.messages),
        "last_receive": last[0],
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "max_ms": max(latencies, default=0.0) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--origin", required=True)
    parser.add_argument("--cookie", required=True)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--handshake-concurrency", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--idle-timeout", type=float, default=5.0)
    parser.add_argument("--no-compression", action="store_true")
    args = parser.parse_args()

    wall = time.perf_counter()
    result = asyncio.run(fan_out(args))
    wall = time.perf_counter() - wall
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["client_cpu"] = (usage.ru_utime + usage.ru_stime) / wall
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
