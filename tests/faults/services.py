"""Private Redis and PostgreSQL servers that fault tests may stop, freeze and restart.

The machine's own PostgreSQL and Redis serve the rest of the suite (and anyone
else working on the machine), so a test that breaks a dependency gets servers
of its own: real ``redis-server`` and ``postgres`` processes on free loopback
ports, in a temporary folder, gone when the test ends.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import redis

PG_BIN = next(
    iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), Path("/nonexistent")
)
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int, *, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


def _wait(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not happen within {timeout} s")
        time.sleep(0.05)


class PrivateRedis:
    """A ``redis-server`` of the test's own: stop it, freeze it (SIGSTOP), start it.

    ``persistent`` makes it keep what it was sent as production's should
    (``appendonly yes``, ``appendfsync always``): what it acknowledged is still
    there after ``stop()`` and ``start()``.
    """

    def __init__(self, *, persistent: bool = False) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="cimientos-redis-"))
        self.persistent = persistent
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> PrivateRedis:
        self.process = subprocess.Popen(  # noqa: S603 - our own fixed command line
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes" if self.persistent else "no",
                "--appendfsync",
                "always",
                "--dir",
                str(self.dir),
                "--daemonize",
                "no",
                "--logfile",
                str(self.dir / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_timeout=0.5)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        try:
            _wait(answers, timeout=10, what="redis-server start")
        finally:
            client.close()
        return self

    def stop(self) -> None:
        """Stop the server as an outage would: every connection drops."""
        if self.process is None:
            return
        self.thaw()
        self.process.kill()
        self.process.wait(timeout=10)
        self.process = None
        _wait(lambda: not port_open(self.port), timeout=5, what="redis-server stop")

    def freeze(self) -> None:
        """Stall the server: connections stay open, nothing is answered."""
        if self.process is not None:
            self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root; the tests run as root on CI."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


class PrivatePostgres:
    """A PostgreSQL cluster of the test's own, on a free port, trust authentication.

    ``restart()`` is a real fast shutdown and start: every connection is
    terminated, as on a production restart. ``clone_from`` copies a database
    (schema and committed rows) from another server with pg_dump, which is much
    quicker than migrating a new one.
    """

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="cimientos-pg-"))
        self.data = self.dir / "data"
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        subprocess.run(  # noqa: S603
            _as_postgres(
                [
                    str(PG_BIN / "initdb"),
                    "-D",
                    str(self.data),
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def url(self, dbname: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(  # noqa: S603
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), *args]),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def start(self) -> PrivatePostgres:
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c max_connections=200"
        )
        self._pg_ctl("-o", options, "-l", str(self.dir / "server.log"), "-w", "start")
        return self

    def stop(self, *, mode: str = "fast") -> None:
        """``fast`` ends every session and shuts down cleanly; ``immediate`` aborts."""
        self._pg_ctl("-m", mode, "-w", "stop")

    def restart(self, *, down_for: float = 0.0, mode: str = "fast") -> None:
        self.stop(mode=mode)
        if down_for:
            time.sleep(down_for)
        self.start()

    def is_up(self) -> bool:
        return port_open(self.port)

    def psql(self, sql: str, *, dbname: str = "postgres") -> str:
        return subprocess.run(  # noqa: S603
            [
                str(PG_BIN / "psql"),
                self.url(dbname),
                "-v",
                "ON_ERROR_STOP=1",
                "-tAc",
                sql,
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def clone_from(self, source_url: str, *, dbname: str) -> str:
        """Create ``dbname`` here as a copy of ``source_url``; return its URL."""
        self.psql(f'CREATE DATABASE "{dbname}"')
        dump = subprocess.Popen(  # noqa: S603
            [str(PG_BIN / "pg_dump"), "--no-owner", "--no-privileges", source_url],
            stdout=subprocess.PIPE,
        )
        subprocess.run(  # noqa: S603
            [str(PG_BIN / "psql"), "-q", "-v", "ON_ERROR_STOP=1", self.url(dbname)],
            stdin=dump.stdout,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        if dump.wait() != 0:
            raise RuntimeError("pg_dump failed")
        return self.url(dbname)

    def close(self) -> None:
        if self.is_up():
            try:
                self.stop(mode="immediate")
            except subprocess.CalledProcessError:
                pass
        shutil.rmtree(self.dir, ignore_errors=True)


def django_database_url() -> str:
    """The URL of the database the test process is using right now (PostgreSQL)."""
    from django.db import connection

    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{s['NAME']}"
