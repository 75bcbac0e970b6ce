"""Migrate the bench database and sign one person in, then print what the bench needs.

Run as its own process (``python -m bench._prepare_db``) with
``DJANGO_SETTINGS_MODULE`` and ``DATABASE_URL`` pointing at the temporary database,
so the bench process itself never sets Django up. Prints one JSON line last.
"""

from __future__ import annotations

import json
from importlib import import_module

import django


def main() -> None:
    django.setup()

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.core.management import call_command

    from advocacy.services import person_group_name

    call_command("migrate", interactive=False, verbosity=0)

    user = get_user_model().objects.create_user(email="bench@example.com")
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()

    layer_config = settings.CHANNEL_LAYERS["default"]
    print(
        json.dumps(
            {
                "user_id": user.pk,
                "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
                "group": person_group_name(user_id=user.pk),
                "layer_backend": layer_config["BACKEND"],
                "layer_prefix": layer_config.get("CONFIG", {}).get("prefix", "asgi"),
            }
        )
    )


if __name__ == "__main__":
    main()
