"""Through a scripted outage, is any click lost or stored twice, and does any page fail?

The site runs as in production, on private servers of the bench's own (so the
machine's PostgreSQL and Redis are never touched): a ``PrivatePostgres``
migrated afresh and a ``PrivateRedis`` that keeps what it acknowledged
(``appendfsync always``), uvicorn serving ``config.asgi:application`` and
``manage.py advocacy_drain_clicks`` beside it. The harness is the fault tests'
(``tests/faults/harness.py``), so the bench measures what they assert.

While threads follow one tracked link (``BENCH_OUTAGE_RATE`` requests a second,
each carrying its own number), the script stops and restarts Redis, freezes it
(SIGSTOP) for ``BENCH_OUTAGE_FREEZE`` seconds, restarts PostgreSQL (0.2 s down)
and takes it away for ``BENCH_OUTAGE_LONG`` seconds, then does both PostgreSQL
faults again with Redis down. Once the drain and the spool are done, each
answered visit is looked up in the click table. Then, with Redis stopped, a
signed-in person opens the main pages twice.

Reports ``outage_clicks_lost`` (answered 302, never stored),
``outage_clicks_duplicated`` (rows beyond the first for one visit) and
``outage_pages_5xx`` (goal 0 each), with the visits answered 302 and 503, those
that failed otherwise, and the slowest answer in seconds. Needs PostgreSQL's
server binaries and ``redis-server``; skipped without them.

Knobs (environment): ``BENCH_OUTAGE_RATE`` (150), ``BENCH_OUTAGE_FREEZE`` (10),
``BENCH_OUTAGE_LONG`` (10), ``BENCH_OUTAGE_KEEP_LOGS`` (keep the servers' logs).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.asgi_servers import ROOT, BenchError, helper, last_json_line, log
from tests.faults.harness import (
    SIGNED_IN_PAGES,
    ClickLoad,
    Outage,
    Site,
    pages_visit,
    settle,
    tally,
)
from tests.faults.services import PG_BIN, REDIS_SERVER, PrivatePostgres, PrivateRedis

SETTINGS = "config.settings.test"


def _env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def seed(database_url: str, redis_url: str) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
    }
    completed = subprocess.run(  # noqa: S603 - our own helper
        helper("_outage_db"),
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=600,
        check=False,
    )
    if completed.returncode != 0:
        raise BenchError(f"_outage_db failed:\n{completed.stderr.decode()[-3000:]}")
    return last_json_line(completed.stdout)


def run() -> list[tuple[str, float]]:
    if not (PG_BIN / "initdb").exists() or not Path(REDIS_SERVER).exists():
        log("SKIP outage: PostgreSQL server binaries or redis-server missing")
        return []
    workdir = Path(tempfile.mkdtemp(prefix="cimientos-bench-outage-"))
    postgres = redis = site = None
    try:
        postgres = PrivatePostgres().start()
        redis = PrivateRedis(persistent=True).start()
        postgres.psql('CREATE DATABASE "cimientos"')
        database_url = postgres.url("cimientos")
        seeded = seed(database_url, redis.url())
        log(f"outage: private database migrated in {seeded['migrated_seconds']:.1f}s")
        site = Site(
            workdir=workdir, database_url=database_url, redis_url=redis.url()
        ).start()

        load = ClickLoad(
            port=site.port,
            path=f"/s/{seeded['code']}",
            rate=_env_float("BENCH_OUTAGE_RATE", 150.0),
        ).start()
        outage = Outage(
            postgres=postgres,
            redis=redis,
            long=_env_float("BENCH_OUTAGE_LONG", 10.0),
            freeze=_env_float("BENCH_OUTAGE_FREEZE", 10.0),
        )
        try:
            script = outage.run(log=lambda message: log(f"  {message}"))
        finally:
            answers = load.stop()
        stored = settle(
            database_url=database_url,
            redis_url=redis.url(),
            spool=site.spool,
            link_id=seeded["link_id"],
        )
        tallies = tally(answers, stored, script)
        for name, counted in tallies.items():
            log(f"  {name}: {counted.line()}")
        alive = site.alive()
        if not all(alive.values()):
            log(f"  WARNING: processes died during the outage: {alive}")

        redis.stop()
        pages = [pages_visit(site.port, seeded["cookie"]) for _ in range(2)]
        redis.start()
        pages_5xx = sum(status >= 500 for visit in pages for status in visit.values())
        log(f"  pages with Redis down ({', '.join(SIGNED_IN_PAGES)}): {pages}")
    finally:
        if site is not None:
            site.stop()
        for server in (redis, postgres):
            if server is not None:
                server.close()
        if os.environ.get("BENCH_OUTAGE_KEEP_LOGS"):
            log(f"  logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    every = tallies["all"]
    return [
        ("outage_clicks_lost", every.lost),
        ("outage_clicks_duplicated", every.duplicated),
        ("outage_pages_5xx", pages_5xx),
        ("outage_clicks_answered", every.answered),
        ("outage_clicks_refused", every.refused),
        ("outage_clicks_failed", every.failed),
        ("outage_clicks_slowest_s", every.slowest),
    ]


if __name__ == "__main__":
    from bench.__main__ import run_alone

    sys.exit(run_alone(run))
