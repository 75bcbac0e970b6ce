"""`BENCH team_dashboard_p95_ms` and `BENCH team_dashboard_queries_growth`.

The manager dashboard (``/insights/team/``) for a line of 500 people in an
organisation of 10,000 with 1,000,000 clicks, on PostgreSQL only: SQLite would
measure another database than the one production runs. The data set is built
in a temporary database ``<name>_team_bench`` beside the one ``DATABASE_URL``
names (``postgres://postgres@127.0.0.1:5432/cimientos`` when it names none or
a SQLite file), which is dropped afterwards. ``bench._team_dashboard`` builds
and measures in a process of its own.

Knobs (environment): ``BENCH_TEAM_REQUESTS`` (100 timed requests),
``BENCH_TEAM_PROFILE=1`` (where a request's time goes, on stderr),
``BENCH_TEAM_EMPLOYEES`` / ``BENCH_TEAM_CLICKS`` / ``BENCH_TEAM_SHARES`` (the
data set's size, for a quicker try).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit, urlunsplit

from bench.asgi_servers import (
    ROOT,
    BenchError,
    helper,
    last_json_line,
    log,
    temporary_database,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/cimientos"
TIMEOUT = 1200


def postgres_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else DEFAULT_URL


def postgres_check(url: str) -> None:
    """Fail early, and say why, when no PostgreSQL server answers."""
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres", scheme="postgresql"))
    try:
        with psycopg.connect(admin, connect_timeout=5):
            pass
    except psycopg.OperationalError as error:
        raise BenchError(
            f"team_dashboard needs PostgreSQL: cannot connect to {parts.hostname}:"
            f"{parts.port or 5432} as {parts.username!r} ({error}). Start PostgreSQL "
            "or point DATABASE_URL at one."
        ) from error


def run() -> list[tuple[str, float]]:
    url = postgres_url()
    postgres_check(url)
    workdir = Path(tempfile.mkdtemp(prefix="cimientos-bench-team-"))
    try:
        with (
            mock.patch.dict(os.environ, {"DATABASE_URL": url}),
            temporary_database(workdir, suffix="team_bench") as database_url,
        ):
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "config.settings.test",
                "DATABASE_URL": database_url,
                "PYTHONUNBUFFERED": "1",
            }
            env.pop("REDIS_URL", None)
            env.pop("BENCH_TEAM_REUSE", None)
            completed = subprocess.run(
                helper("_team_dashboard"),
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=sys.stderr,
                timeout=TIMEOUT,
                check=False,
            )
            if completed.returncode != 0:
                raise BenchError(f"_team_dashboard failed ({completed.returncode})")
            data = last_json_line(completed.stdout)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    log(
        f"team_dashboard: data set built in {data['generate_s']:.0f}s; "
        f"{data['queries_5']} queries for a line of 5, {data['queries_50']} for 50, "
        f"{data['queries_500']} for 500; median {data['median_ms']:.1f} ms, "
        f"of which SQL {data['sql_ms']:.1f} ms"
    )
    return [
        ("team_dashboard_p95_ms", data["p95_ms"]),
        ("team_dashboard_queries_growth", data["queries_50"] - data["queries_5"]),
    ]


if __name__ == "__main__":
    from bench.__main__ import run_alone

    sys.exit(run_alone(run))
