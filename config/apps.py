"""The project package as an app: its template tag, template overrides, patches.

``config/templates/`` holds Wagtail's and wagtail-localize's templates that have
inline scripts, with the request's CSP nonce added. They live in an app folder,
not in ``templates/``, because form widgets (Wagtail's date pickers) are
rendered by Django's form renderer, which reads app folders only.
"""

from __future__ import annotations

from django.apps import AppConfig


class ConfigConfig(AppConfig):
    name = "config"
    verbose_name = "Cimientos"

    def ready(self) -> None:
        from . import badinput, security

        security.rate_limit_retry_after_patch()
        security.chooser_nonce_patch()
        badinput.lookups_register()
        badinput.wagtail_patch()
