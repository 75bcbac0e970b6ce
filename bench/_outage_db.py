"""Database side of ``bench/outage.py``, in its own process (Django set up here).

``seed``: migrate the (private, empty) database named by ``DATABASE_URL``, create
one person signed in, one post and one tracked link; print what the bench needs
as one JSON line.
"""

from __future__ import annotations

import json
import time

import django


def seed() -> dict:
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from advocacy.models import BrandPost, Network, TrackedLink
    from people import services

    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    migrated = time.monotonic() - started
    person = services.employee_create(
        email="outage@example.com",
        full_name="Outage Person",
        start_date=timezone.localdate(),
    )
    post = BrandPost.objects.create(
        title="Outage", commentary="Outage", url="https://brisa.example/", live=True
    )
    link = TrackedLink.objects.create(
        employee=person, post=post, network=Network.LINKEDIN
    )
    browser = Client()
    browser.force_login(person.user)
    name = settings.SESSION_COOKIE_NAME
    return {
        "code": link.code,
        "link_id": link.pk,
        "cookie": f"{name}={browser.cookies[name].value}",
        "migrated_seconds": migrated,
    }


def main() -> None:
    django.setup()
    print(json.dumps(seed()), flush=True)


if __name__ == "__main__":
    main()
