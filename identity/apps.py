from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = _("Identity")

    def ready(self) -> None:
        from . import setup

        # Connected after people's roles sync (people is listed first), so the
        # HR lead group exists when the workflow is set up.
        post_migrate.connect(
            setup.ensure_on_migrate, dispatch_uid="identity_site_ensure"
        )
