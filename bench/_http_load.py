"""A small HTTP/1.1 load generator: N keep-alive connections for a fixed time.

Run as its own process so its CPU use does not share an event loop (or a GIL)
with the bench that starts the servers::

    python -m bench._http_load 127.0.0.1 8000 /healthz --connections 32 \
        --duration 5 --warmup 1

Plain asyncio streams, no HTTP library, so it costs the client little per request.
Only responses that complete after the warm-up and before the end count. Prints one
JSON line: requests per second, latency percentiles, non-200 answers, errors and the
share of one core the client itself used (close to 1.0 means the client, not the
server, was the limit).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import time
from dataclasses import dataclass, field


@dataclass
class Stats:
    ok: int = 0
    non_200: int = 0
    errors: int = 0
    answered: int = 0
    latencies: list[float] = field(default_factory=list)


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; return its status and whether the server will close."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length = None
    chunked = False
    close = False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        value = value.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value
        elif name == b"connection":
            close = value == b"close"
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length is not None:
        await reader.readexactly(length)
    else:
        await reader.read()
        close = True
    return status, close


async def worker(
    host: str, port: int, request: bytes, warm_end: float, end: float, stats: Stats
) -> None:
    writer: asyncio.StreamWriter | None = None
    reader: asyncio.StreamReader | None = None
    try:
        while time.perf_counter() < end:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            start = time.perf_counter()
            writer.write(request)
            try:
                status, close = await read_response(reader)
            except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
                stats.errors += 1
                writer.close()
                writer = None
                continue
            done = time.perf_counter()
            stats.answered += 1
            if warm_end <= done <= end:
                if status == 200:
                    stats.ok += 1
                    stats.latencies.append(done - start)
                else:
                    stats.non_200 += 1
            if close:
                writer.close()
                writer = None
    finally:
        if writer is not None:
            writer.close()


async def load(args: argparse.Namespace) -> dict[str, float]:
    request = (
        f"GET {args.path} HTTP/1.1\r\n"
        f"Host: {args.host}:{args.port}\r\n"
        "User-Agent: cimientos-bench\r\n"
        "Accept: text/html,application/json\r\n"
        "\r\n"
    ).encode()
    stats = Stats()
    begin = time.perf_counter()
    warm_end = begin + args.warmup
    end = warm_end + args.duration
    tasks = [
        asyncio.create_task(worker(args.host, args.port, request, warm_end, end, stats))
        for _ in range(args.connections)
    ]
    done, pending = await asyncio.wait(tasks, timeout=args.warmup + args.duration + 5)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    stats.errors += sum(1 for task in done if task.exception() is not None)
    return {
        "requests": stats.ok,
        "rps": stats.ok / args.duration,
        "p50_ms": percentile(stats.latencies, 0.50) * 1000,
        "p95_ms": percentile(stats.latencies, 0.95) * 1000,
        "p99_ms": percentile(stats.latencies, 0.99) * 1000,
        "non_200": stats.non_200,
        "errors": stats.errors,
        "unfinished": len(pending),
        "answered_with_warmup": stats.answered,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("path")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    args = parser.parse_args()

    wall = time.perf_counter()
    result = asyncio.run(load(args))
    wall = time.perf_counter() - wall
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["client_cpu"] = (usage.ru_utime + usage.ru_stime) / wall
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
