"""Insights for the person themself: their own numbers and their own data."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from people.models import Employee

from . import selectors
from .export import employee_data_json, export_filename


def _employee(request: HttpRequest) -> Employee:
    """Only ever the signed-in person: no URL names anyone else."""
    employee = getattr(request.user, "employee", None)
    if employee is None:
        raise Http404
    return employee


@require_GET
def my_numbers(request: HttpRequest) -> HttpResponse:
    employee = _employee(request)
    return render(
        request,
        "insights/my_numbers.html",
        {
            "paths": selectors.employee_onboarding_numbers(employee=employee),
            "advocacy": selectors.employee_advocacy_numbers(employee=employee),
        },
    )


@require_GET
@never_cache
def my_data_export(request: HttpRequest) -> HttpResponse:
    """Everything stored about the person, as a JSON download."""
    employee = _employee(request)
    response = HttpResponse(
        employee_data_json(employee=employee),
        content_type="application/json; charset=utf-8",
    )
    filename = export_filename(today=timezone.localdate())
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
