"""The outage harness: the site on a real ASGI server, a click load, and the tally.

Shared by ``tests/faults`` and ``bench/outage.py``, so the scripted outage the
bench reports on is the one the tests assert on. The site runs as it does in
production: uvicorn serving ``config.asgi:application`` plus
``manage.py advocacy_drain_clicks``, both subprocesses whose ``DATABASE_URL``
and ``REDIS_URL`` point at a :class:`~tests.faults.services.PrivatePostgres`
and a :class:`~tests.faults.services.PrivateRedis` that the script stops,
freezes and restarts.

Each request of the load carries its own number in its ``Referer``
(``https://r<n>.fault.example/``); the redirect stores the referring host, so
the tally can tell, request by request, which answered visits were stored, how
many times, and which were lost.
"""

from __future__ import annotations

import http.client
import itertools
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import redis

from .services import PrivatePostgres, PrivateRedis

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
BIN = Path(sys.executable).parent
BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
REFERRER_DOMAIN = "fault.example"
STREAM = "cimientos:clicks"


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def http_get(
    port: int, path: str, *, headers: dict[str, str] | None = None, timeout=10.0
) -> int:
    """One GET on a new connection; its status."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


# Main pages of a signed-in employee, which must not fail while Redis is down.
SIGNED_IN_PAGES = ("/", "/onboarding/", "/hub/", "/insights/me/")


def pages_visit(port: int, cookie: str) -> dict[str, int]:
    """Each of ``SIGNED_IN_PAGES`` with this session cookie: its status."""
    return {
        path: http_get(port, path, headers={"Cookie": cookie})
        for path in SIGNED_IN_PAGES
    }


def sign_in(port: int, *, email: str, password: str) -> tuple[int, str]:
    """Sign in through allauth's form as a browser would: its answer and cookies.

    The status is the POST's (302 when signed in); the cookies are what the
    browser would send next.
    """
    cookies: dict[str, str] = {}

    def remember(response: http.client.HTTPResponse) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            cookies[name.strip()] = rest.split(";", 1)[0]

    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request("GET", "/accounts/login/")
        response = connection.getresponse()
        page = response.read().decode(errors="replace")
        remember(response)
        if response.status >= 500:
            return response.status, ""
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        form = urlencode(
            {
                "login": email,
                "password": password,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            }
        )
        connection.request(
            "POST",
            "/accounts/login/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            },
        )
        response = connection.getresponse()
        response.read()
        remember(response)
        return response.status, "; ".join(f"{k}={v}" for k, v in cookies.items())
    finally:
        connection.close()


class Site:
    """uvicorn and the click drain on the private servers; ``stop`` ends both.

    ``config.settings.test``: debug off, a fixed secret key, the same settings
    the test process has, so cookies made there are valid here.
    """

    def __init__(
        self,
        *,
        workdir: Path,
        database_url: str,
        redis_url: str,
        settings: str = "config.settings.test",
        drain: bool = True,
    ) -> None:
        from .services import free_port

        self.workdir = workdir
        self.port = free_port()
        self.spool = workdir / "click-spool"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "ADVOCACY_CLICK_STREAM": STREAM,
            "ADVOCACY_CLICK_SPOOL_DIR": str(self.spool),
            "PYTHONUNBUFFERED": "1",
        }
        self.with_drain = drain
        self.processes: dict[str, subprocess.Popen] = {}

    def _spawn(self, name: str, command: list[str]) -> None:
        log = self.workdir / f"{name}.log"
        with log.open("ab") as out:
            self.processes[name] = subprocess.Popen(  # noqa: S603 - fixed commands
                command,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def start(self) -> Site:
        self._spawn(
            "uvicorn",
            [
                str(BIN / "uvicorn"),
                "config.asgi:application",
                "--host",
                HOST,
                "--port",
                str(self.port),
                "--lifespan",
                "off",
                "--no-access-log",
                "--log-level",
                "warning",
            ],
        )
        if self.with_drain:
            self._spawn(
                "drain",
                [sys.executable, "manage.py", "advocacy_drain_clicks", "--sleep=0.2"],
            )
        deadline = time.monotonic() + 90
        while True:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited:\n{self.log(name)}")
            try:
                if http_get(self.port, "/healthz", timeout=5) == 200:
                    return self
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the site never became healthy:\n{self.log()}")
            time.sleep(0.2)

    def log(self, name: str = "uvicorn") -> str:
        return _tail(self.workdir / f"{name}.log")

    def alive(self) -> dict[str, bool]:
        return {name: p.poll() is None for name, p in self.processes.items()}

    def stop(self) -> None:
        for process in self.processes.values():
            _stop(process)


@dataclass(frozen=True, slots=True)
class Answer:
    """One request of the load: its number, when it started, how it ended."""

    number: int
    started: float
    seconds: float
    status: int  # 0: no answer at all (connection refused, reset, timed out)


class ClickLoad:
    """Threads following one tracked link at about ``rate`` requests a second.

    ``http.client`` over keep-alive connections, a new one after any error.
    """

    def __init__(
        self, *, port: int, path: str, threads: int = 8, rate: float = 150.0
    ) -> None:
        self.port = port
        self.path = path
        self.threads = threads
        self.interval = threads / rate
        self.numbers = itertools.count(1)
        self.answers: list[Answer] = []
        self._stopping = threading.Event()
        self._workers: list[threading.Thread] = []

    def _follow(self) -> None:
        connection: http.client.HTTPConnection | None = None
        due = time.monotonic()
        while not self._stopping.is_set():
            number = next(self.numbers)
            headers = {
                "User-Agent": BROWSER,
                "Referer": f"https://r{number}.{REFERRER_DOMAIN}/",
            }
            started = time.monotonic()
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
                connection.request("GET", self.path, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
                if response.will_close:
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException):
                status = 0
                if connection is not None:
                    connection.close()
                connection = None
            # list.append is atomic: the threads share one list.
            self.answers.append(
                Answer(number, started, time.monotonic() - started, status)
            )
            due = max(due + self.interval, time.monotonic() - self.interval)
            self._stopping.wait(max(0.0, due - time.monotonic()))
        if connection is not None:
            connection.close()

    def start(self) -> ClickLoad:
        for n in range(self.threads):
            worker = threading.Thread(target=self._follow, name=f"click-load-{n}")
            worker.start()
            self._workers.append(worker)
        return self

    def stop(self) -> list[Answer]:
        self._stopping.set()
        for worker in self._workers:
            worker.join(timeout=60)
        return sorted(self.answers, key=lambda a: a.number)


@dataclass(frozen=True, slots=True)
class Phase:
    name: str
    started: float
    ended: float


class Script:
    """Runs faults one after another and remembers when each phase was."""

    def __init__(self) -> None:
        self.phases: list[Phase] = []

    @contextmanager
    def phase(self, name: str, *, settle: float = 1.5) -> Iterator[None]:
        """Time from the fault's start to ``settle`` seconds after it is undone."""
        started = time.monotonic()
        yield
        time.sleep(settle)
        self.phases.append(Phase(name, started, time.monotonic()))

    def phase_of(self, answer: Answer) -> str:
        for phase in self.phases:
            if phase.started <= answer.started < phase.ended:
                return phase.name
        return "steady"


@dataclass
class Tally:
    """What happened to the visits of one phase (or of the whole run)."""

    answered: int = 0  # 302: the visitor was sent on
    refused: int = 0  # 503: "try again shortly", allowed when nothing else works
    failed: int = 0  # any other status, or no answer at all
    lost: int = 0  # answered 302, never stored
    duplicated: int = 0  # rows beyond the first for one visit
    slowest: float = 0.0  # seconds
    statuses: dict[int, int] = field(default_factory=dict)

    def add(self, answer: Answer, rows: int) -> None:
        self.statuses[answer.status] = self.statuses.get(answer.status, 0) + 1
        self.slowest = max(self.slowest, answer.seconds)
        if answer.status == 302:
            self.answered += 1
            self.lost += rows == 0
        elif answer.status == 503:
            self.refused += 1
        else:
            self.failed += 1
        self.duplicated += max(0, rows - 1)

    def line(self) -> str:
        return (
            f"{self.answered} answered 302, {self.refused} 503, {self.failed} "
            f"failed {dict(sorted(self.statuses.items()))}, lost {self.lost}, "
            f"duplicated {self.duplicated}, slowest {self.slowest:.2f}s"
        )


def stored_per_visit(database_url: str, link_id: int) -> dict[int, int]:
    """How many rows each request number left in the click table."""
    with psycopg.connect(database_url, connect_timeout=5) as connection:
        rows = connection.execute(
            "SELECT referrer_host, count(*) FROM advocacy_click "
            "WHERE link_id = %s GROUP BY referrer_host",
            [link_id],
        ).fetchall()
    stored = {}
    suffix = f".{REFERRER_DOMAIN}"
    for host, count in rows:
        if host.startswith("r") and host.endswith(suffix):
            stored[int(host[1 : -len(suffix)])] = count
    return stored


def tally(
    answers: list[Answer], stored: dict[int, int], script: Script | None = None
) -> dict[str, Tally]:
    """Per phase and ``"all"``: answered, refused, lost, duplicated, slowest."""
    result: dict[str, Tally] = {"all": Tally()}
    for answer in answers:
        rows = stored.get(answer.number, 0)
        result["all"].add(answer, rows)
        if script is not None:
            result.setdefault(script.phase_of(answer), Tally()).add(answer, rows)
    return result


def settle(
    *, database_url: str, redis_url: str, spool: Path, link_id: int, timeout=90.0
) -> dict[int, int]:
    """Wait for the drain and any spool to be done; then what is stored.

    Done means: nothing waits in the Redis stream, no spool file is left, and
    the count of stored clicks has not moved for two seconds.
    """
    deadline = time.monotonic() + timeout
    client = redis.Redis.from_url(redis_url, socket_timeout=2)
    last, since = -1, time.monotonic()
    try:
        while True:
            try:
                waiting = client.xlen(STREAM) if client.exists(STREAM) else 0
            except redis.RedisError:
                waiting = -1
            spooled = list(spool.glob("*.jsonl")) if spool.exists() else []
            try:
                stored = stored_per_visit(database_url, link_id)
            except psycopg.Error:
                stored = None
            count = -1 if stored is None else sum(stored.values())
            if count != last:
                last, since = count, time.monotonic()
            if (
                stored is not None
                and waiting == 0
                and not spooled
                and time.monotonic() - since >= 2
            ):
                return stored
            # A drain that died leaves the stream as it is: stop waiting.
            if time.monotonic() > deadline or time.monotonic() - since > 20:
                if stored is None:
                    raise TimeoutError("the database never came back")
                return stored
            time.sleep(0.25)
    finally:
        client.close()


@dataclass
class Outage:
    """The scripted outage of the issue, with the servers it breaks."""

    postgres: PrivatePostgres
    redis: PrivateRedis
    short: float = 0.2  # a PostgreSQL restart
    long: float = 10.0  # a PostgreSQL outage
    freeze: float = 6.0  # a Redis stall
    redis_down: float = 3.0  # a Redis restart
    steady: float = 1.5  # between faults
    script: Script = field(default_factory=Script)

    def run(self, log: Callable[[str], None] = lambda _message: None) -> Script:
        script = self.script
        time.sleep(self.steady)
        log("Redis stops and starts again")
        with script.phase("redis restart"):
            self.redis.stop()
            time.sleep(self.redis_down)
            self.redis.start()
        log(f"Redis frozen for {self.freeze:g}s")
        with script.phase("redis stall"):
            self.redis.freeze()
            time.sleep(self.freeze)
            self.redis.thaw()
        log(f"PostgreSQL restart ({self.short:g}s down)")
        with script.phase("postgres restart"):
            self.postgres.restart(down_for=self.short)
        log(f"PostgreSQL outage ({self.long:g}s down)")
        with script.phase("postgres outage"):
            self.postgres.restart(down_for=self.long)
        log("Redis down, PostgreSQL restart and outage")
        with script.phase("no redis, postgres restart"):
            self.redis.stop()
            time.sleep(self.steady)
            self.postgres.restart(down_for=self.short)
        with script.phase("no redis, postgres outage"):
            self.postgres.restart(down_for=self.long)
            time.sleep(self.steady)
            self.redis.start()
        time.sleep(self.steady)
        return script
