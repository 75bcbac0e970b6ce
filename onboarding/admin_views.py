"""HR's onboarding screens in the Wagtail admin: enrolments and certificates.

Writes go through ``onboarding.services``; these views only check permission,
call them and render.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import (
    ButtonsColumnMixin,
    Column,
    DateColumn,
    StatusTagColumn,
    TitleColumn,
)
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import log

from people.inputs import id_parse

from . import services
from .forms import (
    CertificateVerifyForm,
    EnrolmentCreateForm,
    EnrolmentWithdrawForm,
    enrolment_paths,
)
from .models import Certificate, Enrolment, ModulePage
from .selectors import enrolment_checks

VERIFY_PERMISSION = "onboarding.view_certificate"

WITHDRAW_ACTION = "onboarding.enrolment.withdraw"
REOPEN_ACTION = "onboarding.enrolment.reopen"


# Status ------------------------------------------------------------------------


class EnrolmentStatus:
    ACTIVE = "active"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"

    LABELS = {
        ACTIVE: gettext_lazy("Active"),
        COMPLETED: gettext_lazy("Completed"),
        WITHDRAWN: gettext_lazy("Withdrawn"),
    }
    FILTERS = {
        ACTIVE: Q(withdrawn_at__isnull=True, completed_at__isnull=True),
        COMPLETED: Q(withdrawn_at__isnull=True, completed_at__isnull=False),
        WITHDRAWN: Q(withdrawn_at__isnull=False),
    }

    @classmethod
    def of(cls, enrolment: Enrolment) -> str:
        """Withdrawn wins over completed: a withdrawn person no longer follows it."""
        if enrolment.withdrawn_at is not None:
            return cls.WITHDRAWN
        if enrolment.completed_at is not None:
            return cls.COMPLETED
        return cls.ACTIVE

    @classmethod
    def label(cls, enrolment: Enrolment) -> str:
        return str(cls.LABELS[cls.of(enrolment)])


def _can_withdraw(enrolment: Enrolment) -> bool:
    return EnrolmentStatus.of(enrolment) == EnrolmentStatus.ACTIVE


# Listing -----------------------------------------------------------------------


class EnrolmentFilterSet(WagtailFilterSet):
    path = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Path"),
        queryset=lambda request: enrolment_paths(),
        empty_label=gettext_lazy("All"),
    )
    source = django_filters.ChoiceFilter(
        label=gettext_lazy("Source"),
        choices=Enrolment.Source.choices,
        empty_label=gettext_lazy("All"),
        widget=forms.RadioSelect,
    )
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"),
        choices=list(EnrolmentStatus.LABELS.items()),
        empty_label=gettext_lazy("All"),
        widget=forms.RadioSelect,
        method="filter_status",
    )

    class Meta:
        model = Enrolment
        fields: list[str] = []

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        condition = EnrolmentStatus.FILTERS.get(value)
        return queryset.filter(condition) if condition is not None else queryset


class _PersonColumn(ButtonsColumnMixin, TitleColumn):
    """The person, linking to the enrolment's details, with the row's actions."""

    def __init__(self, *args, get_buttons, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._get_buttons = get_buttons

    def get_buttons(self, instance, parent_context):
        return self._get_buttons(instance)


class _StatusColumn(StatusTagColumn):
    def get_value(self, instance: Enrolment) -> str:
        return EnrolmentStatus.label(instance)


class EnrolmentIndexView(generic.IndexView):
    withdraw_url_name: str | None = None

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("employee", "path", "enrolled_by")
        )

    @cached_property
    def columns(self):
        return [
            _PersonColumn(
                "employee",
                label=gettext_lazy("Person"),
                accessor="employee.full_name",
                sort_key="employee__full_name",
                get_url=self.get_inspect_url,
                get_buttons=self.get_list_buttons,
            ),
            Column(
                "path",
                label=gettext_lazy("Path"),
                accessor="path.title",
                sort_key="path__title",
            ),
            Column(
                "source",
                label=gettext_lazy("Source"),
                accessor="get_source_display",
                sort_key="source",
            ),
            DateColumn(
                "enrolled_at",
                label=gettext_lazy("Enrolled at"),
                sort_key="enrolled_at",
            ),
            _StatusColumn(
                "status",
                label=gettext_lazy("Status"),
                primary=_can_withdraw,
            ),
        ]

    @cached_property
    def add_item_label(self) -> str:
        return _("Enrol someone")

    def get_list_more_buttons(self, instance: Enrolment):
        buttons = super().get_list_more_buttons(instance)
        if (
            self.withdraw_url_name
            and _can_withdraw(instance)
            and self.user_has_permission("change")
        ):
            buttons.append(
                MenuItem(
                    _("Withdraw"),
                    url=reverse(self.withdraw_url_name, args=[instance.pk]),
                    icon_name="circle-xmark",
                    priority=40,
                )
            )
        return buttons


# Details -----------------------------------------------------------------------


class EnrolmentInspectView(generic.InspectView):
    """What HR sees instead of an edit form: enrolments are never edited.

    Below the details, the path's knowledge checks, with "Give another
    attempt" where the person has used every attempt without passing.
    """

    template_name = "onboarding/admin/enrolment_inspect.html"
    withdraw_url_name: str | None = None
    attempt_grant_url_name: str | None = None

    def get_object(self, queryset=None):
        return get_object_or_404(
            Enrolment.objects.select_related("employee", "path", "enrolled_by"),
            pk=self.pk,
        )

    def get_field_label(self, field_name, field):
        labels = {
            "employee": _("Person"),
            "status": _("Status"),
            "certificates": _("Certificates"),
        }
        if field_name in labels:
            return labels[field_name]
        return super().get_field_label(field_name, field)

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        return "—" if value is None or value == "" else value

    def get_status_display_value(self) -> str:
        return EnrolmentStatus.label(self.object)

    def get_path_display_value(self) -> str:
        return self.object.path.title

    def get_enrolled_by_display_value(self) -> str:
        user = self.object.enrolled_by
        if user is None:
            return "—"
        employee = getattr(user, "employee", None)
        return employee.full_name if employee else str(user)

    def get_certificates_display_value(self) -> str:
        codes = [c.code for c in self.object.certificates.all()]
        return ", ".join(codes) or "—"

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            checks=enrolment_checks(enrolment=self.object),
            can_grant_attempts=bool(
                self.attempt_grant_url_name
                and self.object.withdrawn_at is None
                and self.user_has_permission("change")
            ),
            attempt_grant_url=(
                reverse(self.attempt_grant_url_name, args=[self.object.pk])
                if self.attempt_grant_url_name
                else ""
            ),
        )
        return context

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if (
            self.withdraw_url_name
            and _can_withdraw(self.object)
            and self.user_has_permission("change")
        ):
            buttons.append(
                Button(
                    _("Withdraw"),
                    url=reverse(self.withdraw_url_name, args=[self.object.pk]),
                    icon_name="circle-xmark",
                    priority=40,
                )
            )
        return buttons


# Enrol -------------------------------------------------------------------------


class EnrolmentCreateView(generic.CreateView):
    """Manual enrolment by HR, through ``services.enrolment_create``."""

    form_class = EnrolmentCreateForm
    inspect_url_name: str | None = None
    page_title = gettext_lazy("Enrol someone")
    submit_button_label = gettext_lazy("Enrol")
    submit_button_active_label = gettext_lazy("Enrolling…")
    error_message = gettext_lazy("Nobody was enrolled. Fix the errors below.")

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)  # a plain form: the service saves
        return kwargs

    def save_instance(self) -> Enrolment:
        data = self.form.cleaned_data
        before = Enrolment.objects.filter(
            employee=data["employee"], path=data["path"]
        ).first()
        enrolment, created = services.enrolment_create(
            employee=data["employee"],
            path=data["path"],
            source=Enrolment.Source.MANUAL,
            reason=data["reason"],
            enrolled_by=self.request.user,
        )
        if created:
            self.outcome = "created"
            log(
                instance=enrolment,
                action="wagtail.create",
                user=self.request.user,
                data={"reason": enrolment.reason},
            )
        elif before is not None and before.withdrawn_at and not enrolment.withdrawn_at:
            self.outcome = "reopened"
            log(
                instance=enrolment,
                action=REOPEN_ACTION,
                user=self.request.user,
                data={"reason": enrolment.reason},
            )
        else:
            # Enrolled by someone else between the form's check and now.
            self.outcome = "unchanged"
        return enrolment

    def get_edit_url(self) -> str:
        return reverse(self.inspect_url_name, args=[self.object.pk])

    def save_action(self) -> HttpResponse:
        if self.outcome == "unchanged":
            messages.warning(
                self.request,
                _("%(name)s is already enrolled in “%(path)s”. Nothing was changed.")
                % self._names(self.object),
            )
            return redirect(self.get_success_url())
        return super().save_action()

    def _names(self, instance: Enrolment) -> dict[str, str]:
        return {"name": instance.employee.full_name, "path": instance.path.title}

    def get_success_message(self, instance: Enrolment) -> str:
        if self.outcome == "reopened":
            return _("%(name)s’s enrolment in “%(path)s” was re-opened.") % (
                self._names(instance)
            )
        return _("%(name)s was enrolled in “%(path)s”.") % self._names(instance)

    def get_success_buttons(self):
        return [messages.button(self.get_edit_url(), _("View"))]


# Withdraw ----------------------------------------------------------------------


class EnrolmentWithdrawView(
    generic.PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView
):
    """GET asks for confirmation and a reason; POST withdraws."""

    model = Enrolment
    permission_required = "change"
    form_class = EnrolmentWithdrawForm
    template_name = "onboarding/admin/withdraw_confirm.html"
    page_title = gettext_lazy("Withdraw")
    header_icon = "circle-xmark"
    index_url_name: str | None = None
    inspect_url_name: str | None = None
    withdraw_url_name: str | None = None

    def setup(self, request: HttpRequest, *args, **kwargs) -> None:
        super().setup(request, *args, **kwargs)
        self.object = get_object_or_404(
            Enrolment.objects.select_related("employee", "path"), pk=kwargs["pk"]
        )

    def get_page_subtitle(self) -> str:
        return str(self.object)

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse(self.index_url_name),
                "label": capfirst(Enrolment._meta.verbose_name_plural),
            },
            {
                "url": reverse(self.inspect_url_name, args=[self.object.pk]),
                "label": str(self.object),
            },
            {"url": "", "label": _("Withdraw")},
        ]

    def _refused(self) -> HttpResponse | None:
        if _can_withdraw(self.object):
            return None
        messages.warning(
            self.request,
            _("Only an active enrolment can be withdrawn; this one is %(status)s.")
            % {"status": EnrolmentStatus.label(self.object).lower()},
        )
        return redirect(self.inspect_url_name, pk=self.object.pk)

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return self._refused() or super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return self._refused() or super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            enrolment=self.object,
            action_url=reverse(self.withdraw_url_name, args=[self.object.pk]),
            cancel_url=reverse(self.inspect_url_name, args=[self.object.pk]),
        )
        return context

    def form_valid(self, form: EnrolmentWithdrawForm) -> HttpResponse:
        enrolment = services.enrolment_withdraw(
            enrolment=self.object, reason=form.cleaned_data["reason"]
        )
        log(
            instance=enrolment,
            action=WITHDRAW_ACTION,
            user=self.request.user,
            data={"reason": enrolment.withdrawal_reason},
        )
        messages.success(
            self.request,
            _("%(name)s was withdrawn from “%(path)s”.")
            % {"name": enrolment.employee.full_name, "path": enrolment.path.title},
        )
        return redirect(self.index_url_name)


# Give another knowledge-check attempt ------------------------------------------


class EnrolmentAttemptGrantView(generic.PermissionCheckedMixin, View):
    """POST only, from the enrolment's details: one more attempt at a check."""

    model = Enrolment
    permission_required = "change"
    http_method_names = ["post"]
    inspect_url_name: str | None = None

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        enrolment = get_object_or_404(
            Enrolment.objects.select_related("employee", "path"), pk=pk
        )
        back = redirect(self.inspect_url_name, pk=enrolment.pk)
        module_id = id_parse(request.POST.get("module", ""))
        module = (
            ModulePage.objects.filter(pk=module_id).first()
            if module_id is not None
            else None
        )
        if module is None:
            messages.error(request, _("Choose a module with a knowledge check."))
            return back
        try:
            services.attempt_grant(enrolment=enrolment, module=module, by=request.user)
        except services.ActivityRefused as refused:
            messages.error(request, str(refused))
            return back
        messages.success(
            request,
            _("%(name)s can now try the knowledge check in “%(module)s” once more.")
            % {"name": enrolment.employee.full_name, "module": module.title},
        )
        return back


# Verify a certificate ----------------------------------------------------------


class CertificateVerifyView(WagtailAdminTemplateMixin, TemplateView):
    """Look a certificate up by its code (GET: nothing changes)."""

    template_name = "onboarding/admin/certificate_verify.html"
    page_title = gettext_lazy("Verify a certificate")
    header_icon = "success"

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.has_perm(VERIFY_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("certificate_verify"), "label": self.page_title},
        ]

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        searched = "code" in self.request.GET
        form = CertificateVerifyForm(self.request.GET if searched else None)
        context.update(form=form, searched=False, certificate=None)
        if searched and form.is_valid():
            code = form.cleaned_data["code"]
            certificate = (
                Certificate.objects.select_related(
                    "enrolment__employee", "enrolment__path"
                )
                .filter(code=code)
                .first()
            )
            context.update(searched=True, code=code, certificate=certificate)
            if certificate is not None:
                now = timezone.now()
                context.update(
                    path=certificate.enrolment.path.localized,
                    valid=certificate.expires_at is None
                    or certificate.expires_at > now,
                )
        return context
