"""HR's people screens and the CSV import, in the Wagtail admin."""

from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet

from . import admin_views, users_admin
from .admin_forms import EmployeeAdminForm
from .models import Employee
from .viewsets import employee_chooser_viewset


class EmployeeViewSet(ModelViewSet):
    """People, for HR: needs the people.*_employee permissions (HR editors)."""

    model = Employee
    icon = "group"
    menu_label = _("People")
    menu_order = 150
    add_to_admin_menu = True
    # The site already uses the "people" namespace (invitation links).
    url_prefix = "people"
    url_namespace = "people_admin"

    index_view_class = admin_views.EmployeeIndexView
    add_view_class = admin_views.EmployeeCreateView
    edit_view_class = admin_views.EmployeeEditView
    delete_view_class = admin_views.EmployeeDeleteView
    copy_view_enabled = False

    list_display = [
        "full_name",
        Column(
            "email", label=_("Email"), accessor="user.email", sort_key="user__email"
        ),
        "department",
        Column("manager", label=_("Manager"), accessor="manager"),
        "start_date",
        "status",
    ]
    list_filter = ["department", "status"]
    search_fields = ["full_name", "preferred_name", "user__email"]
    search_backend_name = None

    def get_form_class(self, for_update: bool = False):
        return EmployeeAdminForm

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            invite_url_name=self.get_url_name("invite"), **kwargs
        )

    def construct_view(self, view_class, **kwargs):
        return admin_views.forbidden_as_403(
            super().construct_view(view_class, **kwargs)
        )

    @property
    def invite_view(self):
        return self.construct_view(admin_views.EmployeeInviteView)

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("invite/<int:pk>/", self.invite_view, name="invite"),
        ]


@hooks.register("register_admin_viewset")
def register_people_viewset():
    return EmployeeViewSet()


hooks.register("before_bulk_action", users_admin.user_bulk_action_check)


@hooks.register("register_admin_viewset")
def register_employee_chooser_viewset():
    return employee_chooser_viewset


@hooks.register("register_admin_urls")
def register_people_import_urls():
    return [
        path(
            "people-import/",
            admin_views.PeopleImportUploadView.as_view(),
            name="people_import",
        ),
        path(
            "people-import/<int:pk>/",
            admin_views.PeopleImportStatusView.as_view(),
            name="people_import_status",
        ),
        path(
            "people-import/<int:pk>/progress/",
            admin_views.PeopleImportProgressView.as_view(),
            name="people_import_progress",
        ),
    ]


class PeopleImportMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return request.user.has_perm(admin_views.IMPORT_PERMISSION)


@hooks.register("register_admin_menu_item")
def register_people_import_menu_item():
    return PeopleImportMenuItem(
        _("Import people"),
        reverse("people_import"),
        name="people-import",
        icon_name="upload",
        order=160,
    )
