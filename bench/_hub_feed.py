"""Count the queries of the hub's feed page in a process of its own.

A throwaway SQLite database; one certified, opted-in advocate reads ``/hub/`` with
5 live posts and then with 50, each post suggested by someone and illustrated, as
the feed's cards show both. Prints one JSON object: the query count at each size
and the SQL of the larger page, for finding a query that repeats per post.
"""

from __future__ import annotations

import io
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    workdir = tempfile.mkdtemp(prefix="cimientos-bench-feed-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from datetime import timedelta

    from django.core.files.images import ImageFile
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from PIL import Image as PillowImage
    from wagtail.images.models import Image

    from advocacy.models import BrandPost
    from advocacy.services import consent_opt_in
    from identity.models import HomePage
    from onboarding.models import Certificate, Enrolment, PathIndexPage, PathPage
    from people import services

    call_command("migrate", verbosity=0)

    home = HomePage.objects.get(locale__language_code="es")
    index = home.add_child(instance=PathIndexPage(title="Itinerarios", slug="it"))
    path = index.add_child(
        instance=PathPage(
            title="Embajador", slug="embajador", grants_certification=True
        )
    )
    now = timezone.now()
    reader = services.employee_create(
        email="bench@example.com",
        full_name="Bench Reader",
        start_date=timezone.localdate() - timedelta(days=40),
    )
    enrolment, _ = Enrolment.objects.get_or_create(employee=reader, path=path)
    Certificate.objects.create(
        enrolment=enrolment,
        issued_at=now - timedelta(days=1),
        expires_at=now + timedelta(days=30),
        advocate=True,
    )
    consent_opt_in(employee=reader)

    def add_posts(up_to: int) -> None:
        while (n := BrandPost.objects.count()) < up_to:
            author = services.employee_create(
                email=f"author-{n}@example.com",
                full_name=f"Author {n}",
                start_date=timezone.localdate() - timedelta(days=40),
            )
            picture = io.BytesIO()
            PillowImage.new("RGB", (16, 9), (n % 255, 80, 120)).save(picture, "PNG")
            image = Image.objects.create(
                title=f"Picture {n}", file=ImageFile(picture, name=f"post-{n}.png")
            )
            post = BrandPost.objects.create(
                title=f"Post {n}",
                commentary="Nuestro nuevo hotel: cuéntalo con tus palabras.",
                url=f"https://brisa.example/{n}",
                language="es",
                caption_linkedin="Ya abrimos.",
                caption_x="Ya abrimos.",
                live=False,
                image=image,
                suggested_by=author,
            )
            post.save_revision().publish()

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(reader.user)

    def queries() -> tuple[int, list[str]]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/hub/")
        assert response.status_code == 200, response.status_code
        return len(captured), [q["sql"] for q in captured.captured_queries]

    add_posts(5)
    client.get("/hub/")  # per-process caches (site, settings, renditions) first
    small, _ = queries()
    add_posts(50)
    client.get("/hub/")
    large, sql = queries()
    print(json.dumps({"queries_5": small, "queries_50": large, "sql_50": sql}))


if __name__ == "__main__":
    main()
