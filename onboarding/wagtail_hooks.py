"""HR's onboarding screens in the Wagtail admin: enrolments and certificates."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import LogFormatter

from people.admin_views import forbidden_as_403

from . import admin_views, services
from .models import Enrolment


class EnrolmentViewSet(ModelViewSet):
    """Enrolments, for HR: enrol by hand and withdraw; never edited or deleted.

    Needs the onboarding.*_enrolment permissions (HR editors, HR leads and
    administrators).
    """

    model = Enrolment
    icon = "clipboard-list"
    menu_label = _("Enrolments")
    menu_order = 170
    add_to_admin_menu = True
    url_prefix = "enrolments"
    url_namespace = "enrolments_admin"

    index_view_class = admin_views.EnrolmentIndexView
    add_view_class = admin_views.EnrolmentCreateView
    inspect_view_class = admin_views.EnrolmentInspectView
    inspect_view_enabled = True
    inspect_view_fields = [
        "employee",
        "path",
        "status",
        "source",
        "reason",
        "enrolled_by",
        "enrolled_at",
        "completed_at",
        "withdrawn_at",
        "withdrawal_reason",
        "certificates",
    ]
    copy_view_enabled = False
    add_to_reference_index = False

    ordering = "-enrolled_at"
    filterset_class = admin_views.EnrolmentFilterSet
    search_fields = ["employee__full_name", "employee__preferred_name"]
    search_backend_name = None

    def get_form_class(self, for_update: bool = False):
        return admin_views.EnrolmentCreateForm

    def get_common_view_kwargs(self, **kwargs):
        view_kwargs = super().get_common_view_kwargs(
            withdraw_url_name=self.get_url_name("withdraw"),
            attempt_grant_url_name=self.get_url_name("attempt_grant"),
            **kwargs,
        )
        # No edit, delete, history or usage screens: the details view and
        # "Withdraw" take their place.
        view_kwargs.update(
            edit_url_name=None,
            delete_url_name=None,
            history_url_name=None,
            usage_url_name=None,
        )
        return view_kwargs

    def construct_view(self, view_class, **kwargs):
        return forbidden_as_403(super().construct_view(view_class, **kwargs))

    @property
    def withdraw_view(self):
        return self.construct_view(admin_views.EnrolmentWithdrawView)

    @property
    def attempt_grant_view(self):
        return self.construct_view(admin_views.EnrolmentAttemptGrantView)

    @property
    def url_finder_class(self):
        return type(
            "_EnrolmentAdminURLFinder",
            (ModelAdminURLFinder,),
            {"edit_url_name": self.get_url_name("inspect")},
        )

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("new/", self.add_view, name="add"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("withdraw/<int:pk>/", self.withdraw_view, name="withdraw"),
            path(
                "attempt-grant/<int:pk>/",
                self.attempt_grant_view,
                name="attempt_grant",
            ),
        ]


@hooks.register("register_admin_viewset")
def register_enrolment_viewset():
    return EnrolmentViewSet()


# Verify a certificate ----------------------------------------------------------


@hooks.register("register_admin_urls")
def register_certificate_verify_urls():
    return [
        path(
            "certificate-verify/",
            forbidden_as_403(admin_views.CertificateVerifyView.as_view()),
            name="certificate_verify",
        ),
    ]


class CertificateVerifyMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return request.user.has_perm(admin_views.VERIFY_PERMISSION)


@hooks.register("register_admin_menu_item")
def register_certificate_verify_menu_item():
    return CertificateVerifyMenuItem(
        _("Verify a certificate"),
        reverse("certificate_verify"),
        name="certificate-verify",
        icon_name="success",
        order=180,
    )


@hooks.register("register_permissions")
def register_certificate_permissions():
    """Lets administrators grant "verify certificates" in the group editor."""
    return Permission.objects.filter(
        content_type__app_label="onboarding", codename="view_certificate"
    )


# Audit log ---------------------------------------------------------------------


class _ReasonLogFormatter(LogFormatter):
    def format_comment(self, log_entry) -> str:
        return (log_entry.data or {}).get("reason", "")


@hooks.register("register_log_actions")
def register_enrolment_log_actions(actions):
    @actions.register_action(admin_views.WITHDRAW_ACTION)
    class WithdrawFormatter(_ReasonLogFormatter):
        label = _("Withdraw from path")
        message = _("Withdrawn from the path")

    @actions.register_action(admin_views.REOPEN_ACTION)
    class ReopenFormatter(_ReasonLogFormatter):
        label = _("Re-open enrolment")
        message = _("Enrolment re-opened")

    @actions.register_action(services.ATTEMPT_GRANT_ACTION)
    class AttemptGrantFormatter(LogFormatter):
        label = _("Give another knowledge-check attempt")

        def format_message(self, log_entry) -> str:
            return _("Another attempt at the knowledge check in “%(module)s”") % {
                "module": (log_entry.data or {}).get("title", "")
            }
