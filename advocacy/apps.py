from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AdvocacyConfig(AppConfig):
    name = "advocacy"
    verbose_name = _("Advocacy")

    def ready(self) -> None:
        from . import setup, signals  # noqa: F401 - signals connects receivers

        post_migrate.connect(
            setup.ensure_on_migrate, dispatch_uid="advocacy_workflow_ensure"
        )
