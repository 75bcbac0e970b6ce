"""Hold many hub sockets open, each signed in as its own person, and time deliveries.

Run as its own process by ``bench.hub``::

    python -m bench._hub_clients --cookies cookies.txt --connections 2000 \
        --messages 20 --event post.published ws://127.0.0.1:8000/ws/hub/ [more urls]

Socket ``n`` opens on url ``n % len(urls)`` with cookie line ``n % len(cookies)``,
so with two servers half the sockets sit on each. Protocol with the parent, one
JSON line each on stdout: once every socket is open (or has failed)
``{"ready": true, ...}``; the parent then publishes messages whose ``data`` holds
``i`` (0 to ``--messages`` - 1) and ``t`` (``time.time()`` when sent). Each time
message ``i`` has reached every open socket: ``{"done": i}``. A socket reads until
it has every index, or nothing arrives for ``--idle-timeout`` seconds, or
``--timeout`` passes; then all sockets close and a last line reports what arrived:
distinct and duplicate deliveries, sockets that missed some, and latency
percentiles (receive time minus ``t``, same host and clock).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import time
from collections import Counter
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect

from bench._http_load import percentile


def raise_open_file_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        wanted = hard if hard != resource.RLIM_INFINITY else 65536
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        soft = wanted
    return soft


async def open_socket(
    url: str, cookie: str, gate: asyncio.Semaphore
) -> tuple[ClientConnection, float]:
    origin = "http://" + url.split("://", 1)[1].split("/", 1)[0]
    async with gate:
        start = time.perf_counter()
        socket = await connect(
            url,
            origin=origin,
            additional_headers={"Cookie": cookie},
            compression=None,
            proxy=None,
            open_timeout=30,
            ping_interval=None,
            max_queue=None,
        )
        return socket, time.perf_counter() - start


class Tally:
    def __init__(self, sockets: int, messages: int) -> None:
        self.sockets = sockets
        self.messages = messages
        self.arrivals: Counter[int] = Counter()
        self.latencies: list[float] = []
        self.duplicates = 0
        self.last = 0.0

    def record(self, seen: set[int], message: dict, now: float) -> None:
        index = message["data"]["i"]
        if index in seen:
            self.duplicates += 1
            return
        seen.add(index)
        self.latencies.append(now - message["data"]["t"])
        self.last = max(self.last, now)
        self.arrivals[index] += 1
        if self.arrivals[index] == self.sockets:
            print(json.dumps({"done": index}), flush=True)


async def listen(
    socket: ClientConnection, args: argparse.Namespace, deadline: float, tally: Tally
) -> int:
    seen: set[int] = set()
    while len(seen) < args.messages:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        try:
            # A timeout scope, not wait_for: no extra task per frame received.
            async with asyncio.timeout(min(args.idle_timeout, remaining)):
                raw = await socket.recv()
        except (TimeoutError, ConnectionError):
            break
        except Exception:  # noqa: BLE001 - a closed socket just stops counting
            break
        now = time.time()
        message = json.loads(raw)
        if message.get("event") == args.event and "i" in message.get("data", {}):
            tally.record(seen, message, now)
    return len(seen)


async def main_async(args: argparse.Namespace) -> dict[str, object]:
    cookies = [
        line.strip()
        for line in Path(args.cookies).read_text().splitlines()
        if line.strip()
    ]
    gate = asyncio.Semaphore(args.handshake_concurrency)
    opening = time.perf_counter()
    opened = await asyncio.gather(
        *(
            open_socket(args.urls[n % len(args.urls)], cookies[n % len(cookies)], gate)
            for n in range(args.connections)
        ),
        return_exceptions=True,
    )
    open_seconds = time.perf_counter() - opening
    sockets = [item[0] for item in opened if not isinstance(item, BaseException)]
    handshakes = [item[1] for item in opened if not isinstance(item, BaseException)]
    failures = [repr(item) for item in opened if isinstance(item, BaseException)]
    print(
        json.dumps(
            {
                "ready": True,
                "connected": len(sockets),
                "failed": len(failures),
                "first_failure": failures[0] if failures else "",
                "open_seconds": open_seconds,
                "handshake_p95_ms": percentile(handshakes, 0.95) * 1000,
            }
        ),
        flush=True,
    )

    tally = Tally(len(sockets), args.messages)
    deadline = time.monotonic() + args.timeout
    try:
        counts = await asyncio.gather(
            *(listen(s, args, deadline, tally) for s in sockets)
        )
    finally:
        await asyncio.gather(*(s.close() for s in sockets), return_exceptions=True)
    return {
        "received": sum(counts),
        "expected": len(sockets) * args.messages,
        "duplicates": tally.duplicates,
        "short_sockets": sum(1 for c in counts if c < args.messages),
        "last_receive": tally.last,
        "p50_ms": percentile(tally.latencies, 0.50) * 1000,
        "p95_ms": percentile(tally.latencies, 0.95) * 1000,
        "p99_ms": percentile(tally.latencies, 0.99) * 1000,
        "max_ms": max(tally.latencies, default=0.0) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--cookies", required=True, help="file, one cookie a line")
    parser.add_argument("--connections", type=int, default=2000)
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--event", default="post.published")
    parser.add_argument("--handshake-concurrency", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--idle-timeout", type=float, default=15.0)
    args = parser.parse_args()

    raise_open_file_limit()
    wall = time.perf_counter()
    result = asyncio.run(main_async(args))
    wall = time.perf_counter() - wall
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["client_cpu"] = (usage.ru_utime + usage.ru_stime) / wall
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
