from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = _("People")

    def ready(self) -> None:
        from . import roles

        # Runs after every migrate, once all apps' permissions exist, so a role
        # picks up the permissions of models added by later apps too.
        post_migrate.connect(roles.sync_on_migrate, dispatch_uid="people_roles_sync")
