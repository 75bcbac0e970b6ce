"""Measure "My path" in a process of its own, on a throwaway SQLite database.

Prints one JSON object: the query counts at 5 and 50 modules and the p95
render time over repeated requests at 50 modules.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    workdir = tempfile.mkdtemp(prefix="cimientos-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    call_command("migrate", verbosity=0)

    from identity.models import HomePage
    from onboarding.models import ModulePage, PathIndexPage, PathPage
    from onboarding.services import enrolment_create
    from people import services

    home = HomePage.objects.get(locale__language_code="es")
    index = home.add_child(instance=PathIndexPage(title="Itinerarios", slug="it"))
    path = index.add_child(instance=PathPage(title="Bienvenida", slug="bienvenida"))
    person = services.employee_create(
        email="bench@example.com",
        full_name="Bench Person",
        start_date=timezone.localdate() - timedelta(days=40),
    )
    enrolment_create(employee=person, path=path)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(person.user)

    def add_modules(up_to: int) -> None:
        while ModulePage.objects.child_of(path).count() < up_to:
            n = ModulePage.objects.child_of(path).count()
            module = path.add_child(
                instance=ModulePage(title=f"Module {n}", release_day=n * 3 - 7)
            )
            module.save_revision().publish()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/onboarding/")
        assert response.status_code == 200, response.status_code
        return len(captured)

    add_modules(5)
    client.get("/onboarding/")  # per-process caches (site, settings) warm up first
    small = queries()
    add_modules(50)
    large = queries()
    for _ in range(10):  # warm-up
        client.get("/onboarding/")
    timings = []
    for _ in range(int(os.environ.get("BENCH_MY_PATH_REQUESTS", "200"))):
        started = time.perf_counter()
        client.get("/onboarding/")
        timings.append((time.perf_counter() - started) * 1000)
    p95 = statistics.quantiles(timings, n=100)[94]
    print(
        json.dumps(
            {
                "queries_5": small,
                "queries_50": large,
                "p95_ms": p95,
                "median_ms": statistics.median(timings),
            }
        )
    )


if __name__ == "__main__":
    main()
