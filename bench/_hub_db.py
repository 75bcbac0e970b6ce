"""Migrate the hub bench's database and sign many people in; print what it needs.

Run as its own process (``python -m bench._hub_db <count> <cookies file>``) with
``DJANGO_SETTINGS_MODULE`` and ``DATABASE_URL`` pointing at the temporary database,
so the bench process itself never sets Django up. Writes one session cookie a line
and prints one JSON line last: the channel layer the servers will use.
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path

import django


def main() -> None:
    count, cookies_path = int(sys.argv[1]), Path(sys.argv[2])
    django.setup()

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.core.management import call_command
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    call_command("migrate", interactive=False, verbosity=0)

    User = get_user_model()
    unusable = make_password(None)
    users = User.objects.bulk_create(
        [
            User(email=f"hub-bench-{n}@example.com", password=unusable)
            for n in range(count)
        ]
    )
    store = SessionStore()
    expires = timezone.now() + timedelta(days=1)
    sessions = [
        Session(
            session_key=get_random_string(32),
            session_data=store.encode(
                {
                    SESSION_KEY: str(user.pk),
                    BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                    HASH_SESSION_KEY: user.get_session_auth_hash(),
                }
            ),
            expire_date=expires,
        )
        for user in users
    ]
    Session.objects.bulk_create(sessions, batch_size=500)
    cookies_path.write_text(
        "".join(f"{settings.SESSION_COOKIE_NAME}={s.session_key}\n" for s in sessions)
    )
    layer = settings.CHANNEL_LAYERS["default"]
    print(json.dumps({"people": len(users), "layer": layer}))


if __name__ == "__main__":
    main()
