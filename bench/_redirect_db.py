"""Database side of ``bench/redirect.py``, in its own process (Django set up here).

``seed``: migrate, create one post and two tracked links (one for ``/s/``, one for
the raw baseline); print them as JSON. ``count``: drain the Redis stream (when
there is one) and print how many clicks each link has stored, as JSON.
"""

from __future__ import annotations

import io
import json
import sys

import django


def seed() -> dict:
    from django.core.management import call_command
    from django.utils import timezone

    from advocacy.models import BrandPost, Network, TrackedLink
    from advocacy.redirect import link_target_from_db
    from people import services

    call_command("migrate", interactive=False, verbosity=0)
    person = services.employee_create(
        email="bench@example.com",
        full_name="Bench Person",
        start_date=timezone.localdate(),
    )
    post = BrandPost.objects.create(
        title="Bench",
        commentary="Bench",
        url="https://brisa.example/hoteles/cadiz?ref=boletin#reserva",
        live=True,
    )
    link = TrackedLink.objects.create(
        employee=person, post=post, network=Network.LINKEDIN
    )
    raw = TrackedLink.objects.create(employee=person, post=post, network=Network.X)
    return {
        "code": link.code,
        "link_id": link.pk,
        "raw_link_id": raw.pk,
        "location": link_target_from_db(code=link.code).location,
    }


def count() -> dict:
    from django.conf import settings
    from django.core.management import call_command
    from django.db.models import Count

    from advocacy.models import Click

    if settings.REDIS_URL:
        call_command("advocacy_drain_clicks", "--once", stdout=io.StringIO())
    rows = Click.objects.values("link_id").annotate(n=Count("id"))
    return {str(row["link_id"]): row["n"] for row in rows}


def main() -> None:
    django.setup()
    action = {"seed": seed, "count": count}[sys.argv[1]]
    print(json.dumps(action()), flush=True)


if __name__ == "__main__":
    main()
