"""Visits and pages while Redis stops or stalls and PostgreSQL restarts.

The site runs in real processes (uvicorn and the click drain, see
``tests.faults.harness``) on private PostgreSQL and Redis servers cloned from
this test's database, so the faults touch nothing else on the machine.
Timings are reported (run with ``-s`` to see them), never asserted: the
answers must be 302 or 503, every visit answered 302 stored, none twice.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from advocacy.models import BrandPost, Network, TrackedLink
from tests.factories import PASSWORD, EmployeeFactory, UserFactory

from .harness import (
    ClickLoad,
    Outage,
    Site,
    http_get,
    pages_visit,
    settle,
    sign_in,
    tally,
)
from .services import PrivatePostgres, PrivateRedis, django_database_url

pytestmark = pytest.mark.django_db(transaction=True)


def report(message: str) -> None:
    """Shown with ``pytest -s``: what was measured, never asserted."""
    sys.stdout.write(f"\n{message}\n")


@dataclass
class Served:
    site: Site
    postgres: PrivatePostgres
    redis: PrivateRedis
    database_url: str


@pytest.fixture
def serve(transactional_db, tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """Clone this test's rows into private servers and start the site on them."""
    started: list[Callable[[], None]] = []

    def start(*, drain: bool = True) -> Served:
        started_at = time.monotonic()
        postgres = PrivatePostgres()
        started.append(postgres.close)
        postgres.start()
        redis = PrivateRedis(persistent=True)
        started.append(redis.close)
        redis.start()
        cloning = time.monotonic()
        database_url = postgres.clone_from(django_database_url(), dbname="cimientos")
        cloned = time.monotonic() - cloning
        site = Site(workdir=tmp_path, database_url=database_url, redis_url=redis.url())
        site.with_drain = drain
        started.append(site.stop)
        site.start()
        report(
            f"site up on private servers in {time.monotonic() - started_at:.1f}s "
            f"(database cloned in {cloned:.1f}s)"
        )
        return Served(site, postgres, redis, database_url)

    try:
        yield start
    finally:
        for close in reversed(started):
            close()


def test_every_visit_answered_302_is_stored_once_through_outages(serve):
    post = BrandPost.objects.create(
        title="Abrimos en Cádiz", url="https://brisa.example/cadiz", live=True
    )
    link = TrackedLink.objects.create(
        employee=EmployeeFactory(), post=post, network=Network.LINKEDIN
    )
    served = serve()

    load = ClickLoad(port=served.site.port, path=f"/s/{link.code}").start()
    try:
        script = Outage(postgres=served.postgres, redis=served.redis).run(log=report)
    finally:
        answers = load.stop()
    stored = settle(
        database_url=served.database_url,
        redis_url=served.redis.url(),
        spool=served.site.spool,
        link_id=link.pk,
    )

    tallies = tally(answers, stored, script)
    lines = "\n".join(f"  {name}: {t.line()}" for name, t in tallies.items())
    report(f"visits through the outage:\n{lines}")
    assert served.site.alive() == {"uvicorn": True, "drain": True}, lines
    for name, counted in tallies.items():
        assert counted.failed == 0, f"{name}: not 302 or 503\n{lines}"
        assert counted.lost == 0, f"{name}: answered 302, never stored\n{lines}"
        assert counted.duplicated == 0, f"{name}: stored twice\n{lines}"
    assert tallies["all"].answered > len(answers) / 2, lines


def test_signing_in_and_signed_in_pages_work_while_redis_is_down(serve):
    EmployeeFactory(user=UserFactory(email="lucia@example.com"))
    served = serve(drain=False)
    port = served.site.port

    served.redis.stop()
    signed_in, cookie = sign_in(port, email="lucia@example.com", password=PASSWORD)
    during = [pages_visit(port, cookie) for _ in range(2)]
    health = http_get(port, "/healthz")

    seen = f"sign-in {signed_in}, pages {during}, healthz {health}"
    report(f"Redis down: {seen}")
    assert signed_in == 302, seen
    errors = [p for answers in during for p, s in answers.items() if s >= 500]
    assert errors == [], seen
    assert all(s == 200 for answers in during for s in answers.values()), seen
    assert health == 503, seen
