from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class PeopleConfig(AppConfig):
    default = True
    name = "people"
    verbose_name = _("People")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import adapters, roles

        # Runs after every migrate, once all apps' permissions exist, so a role
        # picks up the permissions of models added by later apps too.
        post_migrate.connect(roles.sync_on_migrate, dispatch_uid="people_roles_sync")
        user_logged_in.connect(
            adapters.session_outside_allauth_refuse,
            dispatch_uid="people_session_outside_allauth_refuse",
        )


class WagtailUsersConfig(WagtailUsersAppConfig):
    """Wagtail's Users screens, with our rule of who may change whom."""

    user_viewset = "people.users_admin.UserViewSet"
