"""HR's screens in the Wagtail admin: people, invitations and CSV imports.

Writes go through ``people.services`` and ``people.imports``; these views only
check permission, call them and render.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import log

from . import imports, selectors, services
from .admin_forms import PeopleImportForm
from .models import Employee, Invitation, PeopleImport

IMPORT_PERMISSION = "people.add_employee"


def forbidden(request: HttpRequest, message: str = "") -> HttpResponse:
    return TemplateResponse(
        request, "people/admin/forbidden.html", {"message": message}, status=403
    )


def forbidden_as_403(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer 403 where Wagtail would redirect to the dashboard with a message.

    A refused HR screen should say so, not look like a successful visit.
    """

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as refusal:
            return forbidden(request, str(refusal))

    return wrapped


def _form_errors_add(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class _ServiceErrorsAsFormErrors:
    """A ValidationError from a service shows on the form, as a clean() one would."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            _form_errors_add(form, error)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


@reauthentication_required
def _reauthenticated(request: HttpRequest) -> None:
    """Raise allauth's ReauthenticationRequired unless the visitor proved who
    they are (password, code or authenticator) in the last few minutes.

    allauth then asks for it and replays the POST that needed it.
    """


# People ----------------------------------------------------------------------


class _ManageAllowedRequired:
    """Refuses a person with more rights than the visitor (selectors.py)."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if getattr(self, "object", None) is None:
            self.object = self.get_object()
        if not selectors.employee_manage_allowed(
            actor=request.user, employee=self.object
        ):
            raise PermissionDenied(
                selectors.manage_refused_message(employee=self.object)
            )
        return super().dispatch(request, *args, **kwargs)


class EmployeeIndexView(generic.IndexView):
    invite_url_name: str | None = None

    def get_base_queryset(self):
        return (
            super().get_base_queryset().select_related("user", "department", "manager")
        )

    @cached_property
    def beyond_reach(self) -> set[int]:
        """Users of the people this visitor may see but not change."""
        users = selectors.users_beyond_reach(actor=self.request.user)
        return set(users.values_list("pk", flat=True))

    def get_edit_url(self, instance: Employee) -> str | None:
        if instance.user_id in self.beyond_reach:
            return None
        return super().get_edit_url(instance)

    def get_delete_url(self, instance: Employee) -> str | None:
        if instance.user_id in self.beyond_reach:
            return None
        return super().get_delete_url(instance)

    def get_list_more_buttons(self, instance: Employee):
        buttons = super().get_list_more_buttons(instance)
        if instance.user_id in self.beyond_reach:
            return buttons
        if self.invite_url_name and self.request.user.has_perm("people.add_invitation"):
            buttons.append(
                MenuItem(
                    _("Invite"),
                    url=reverse(self.invite_url_name, args=[instance.pk]),
                    icon_name="mail",
                    priority=15,
                )
            )
        return buttons


class EmployeeCreateView(_ServiceErrorsAsFormErrors, generic.CreateView):
    def save_instance(self) -> Employee:
        employee = services.employee_create(
            email=self.form.cleaned_data["email"], **self.form.profile_fields()
        )
        log(instance=employee, action="wagtail.create", user=self.request.user)
        return employee


class EmployeeEditView(
    _ManageAllowedRequired, _ServiceErrorsAsFormErrors, generic.EditView
):
    invite_url_name: str | None = None

    def form_valid(self, form):
        if form.cleaned_data["email"] != self.object.user.email:
            _reauthenticated(self.request)
        return super().form_valid(form)

    def save_instance(self) -> Employee:
        employee = services.employee_update(
            employee=self.object, **self.form.profile_fields()
        )
        services.employee_email_change(
            employee=employee,
            email=self.form.cleaned_data["email"],
            actor=self.request.user,
        )
        log(instance=employee, action="wagtail.edit", user=self.request.user)
        return employee

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if self.invite_url_name and self.request.user.has_perm("people.add_invitation"):
            buttons.append(
                Button(
                    _("Invite"),
                    url=reverse(self.invite_url_name, args=[self.object.pk]),
                    icon_name="mail",
                    priority=15,
                )
            )
        return buttons


class EmployeeDeleteView(_ManageAllowedRequired, generic.DeleteView):
    pass


class EmployeeInviteView(
    _ManageAllowedRequired,
    generic.PermissionCheckedMixin,
    WagtailAdminTemplateMixin,
    TemplateView,
):
    """GET asks for confirmation; POST sends the invitation."""

    model = Invitation
    permission_required = "add"
    template_name = "people/admin/invite_confirm.html"
    page_title = gettext_lazy("Invite")
    header_icon = "mail"
    index_url_name: str | None = None
    invite_url_name: str | None = None

    def setup(self, request: HttpRequest, *args, **kwargs) -> None:
        super().setup(request, *args, **kwargs)
        self.object = get_object_or_404(
            Employee.objects.select_related("user"), pk=kwargs["pk"]
        )

    def get_page_subtitle(self) -> str:
        return str(self.object)

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": _("People")},
            {"url": "", "label": _("Invite %(name)s") % {"name": self.object}},
        ]

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            employee=self.object,
            action_url=reverse(self.invite_url_name, args=[self.object.pk]),
            days=settings.INVITATION_MAX_AGE_DAYS,
            invitations=self.object.invitations.all()[:5],
        )
        return context

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        services.invitation_send(employee=self.object, invited_by=request.user)
        messages.success(
            request,
            _("Invitation sent to %(email)s.") % {"email": self.object.user.email},
        )
        return redirect(self.index_url_name)


# Imports ---------------------------------------------------------------------


class _ImportPermissionRequired:
    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.has_perm(IMPORT_PERMISSION):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)


class _ImportBreadcrumbs:
    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("people_import"), "label": _("Import people")},
        ]


class PeopleImportUploadView(
    _ImportPermissionRequired, _ImportBreadcrumbs, WagtailAdminTemplateMixin, FormView
):
    template_name = "people/admin/import_upload.html"
    form_class = PeopleImportForm
    page_title = gettext_lazy("Import people")
    header_icon = "upload"

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["recent_imports"] = PeopleImport.objects.select_related(
            "uploaded_by"
        ).defer("content")[:10]
        return context

    def form_valid(self, form: PeopleImportForm) -> HttpResponse:
        people_import = imports.people_import_start(
            content=form.cleaned_data["file"],
            file_name=self.request.FILES["file"].name.replace("\x00", ""),
            uploaded_by=self.request.user,
        )
        return redirect("people_import_status", pk=people_import.pk)


class _ImportContext:
    def setup(self, request: HttpRequest, *args, **kwargs) -> None:
        super().setup(request, *args, **kwargs)
        self.people_import = get_object_or_404(
            PeopleImport.objects.defer("content"), pk=kwargs["pk"]
        )

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        progress = imports.people_import_progress(people_import=self.people_import)
        context.update(
            people_import=self.people_import,
            progress=progress,
            progress_url=reverse(
                "people_import_progress", kwargs={"pk": self.people_import.pk}
            ),
        )
        return context


class PeopleImportStatusView(
    _ImportPermissionRequired,
    _ImportContext,
    _ImportBreadcrumbs,
    WagtailAdminTemplateMixin,
    TemplateView,
):
    template_name = "people/admin/import_status.html"
    page_title = gettext_lazy("Import people")
    header_icon = "upload"

    def get_page_subtitle(self) -> str:
        return self.people_import.file_name


class PeopleImportProgressView(_ImportPermissionRequired, _ImportContext, TemplateView):
    """The fragment the status page polls with htmx until the import finishes."""

    template_name = "people/admin/import_progress.html"
