from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .models import ModulePage


def my_path(request: HttpRequest) -> HttpResponse:
    """ "My path": every enrolment as a timeline by week, the next step first."""
    employee = getattr(request.user, "employee", None)
    overviews = selectors.employee_paths(employee=employee) if employee else []
    return render(
        request,
        "onboarding/my_path.html",
        {
            "overviews": overviews,
            "next_step": selectors.employee_next_step(overviews=overviews),
        },
    )


@require_POST
def module_complete(request: HttpRequest, pk: int) -> HttpResponse:
    module = get_object_or_404(ModulePage.objects.live(), pk=pk)
    employee = getattr(request.user, "employee", None)
    if employee is None:
        raise Http404
    try:
        services.module_complete(employee=employee, module=module)
    except services.ModuleNotOpen:
        return render(
            request,
            "onboarding/module_not_open.html",
            {"page": module, "state": None},
            status=403,
        )
    messages.success(
        request, _("Well done: “%(title)s” is complete.") % {"title": module.title}
    )
    return redirect("onboarding:my_path")
