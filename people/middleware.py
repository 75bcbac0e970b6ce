"""Request-wide rules about people: their language and who may enter /admin/."""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _


def _employee(request: HttpRequest):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return getattr(user, "employee", None)


class PreferredLanguageMiddleware:
    """A signed-in person sees the interface in the language of their profile."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        employee = _employee(request)
        if employee is not None and employee.preferred_language:
            translation.activate(employee.preferred_language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class AdminAccessMiddleware:
    """Only admin roles reach /admin/, and only after setting up MFA.

    Anonymous visitors are sent to the one sign-in page by
    ``LoginRequiredMiddleware`` before this runs.
    """

    prefix = "/admin/"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(self.prefix) and request.user.is_authenticated:
            user = request.user
            if not user.has_perm("wagtailadmin.access_admin"):
                return render(request, "people/admin_refused.html", status=403)
            if not is_mfa_enabled(user):
                messages.warning(
                    request,
                    _(
                        "The administration area needs two-factor authentication. "
                        "Set up an authenticator app to continue."
                    ),
                )
                return redirect("mfa_activate_totp")
        return self.get_response(request)
