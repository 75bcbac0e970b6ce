from __future__ import annotations

from allauth.account.utils import perform_login
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import services
from .forms import LanguageForm


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure(),
    ):
        return candidate
    return "/"


@login_not_required
@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; saved on the profile when signed in."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    language = form.cleaned_data["language"]
    employee = getattr(request.user, "employee", None)
    if request.user.is_authenticated and employee is not None:
        services.employee_set_language(employee=employee, language=language)
    translation.activate(language)
    response = HttpResponseRedirect(_safe_next(request, form.cleaned_data["next"]))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


@login_not_required
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link in an invitation email.

    GET only shows a button: mail scanners that follow links must not use up
    the invitation. POST signs the person in through allauth, so any second
    factor they have set up is still asked for.
    """
    found = services.invitation_find(token=token)
    if found is None:
        return render(request, "people/invitation_invalid.html", status=404)
    if request.method == "POST":
        if request.user.is_authenticated:
            logout(request)
        try:
            user = services.invitation_accept(invitation=found)
        except ValidationError:
            return render(request, "people/invitation_invalid.html", status=404)
        return perform_login(request, user, redirect_url="/")
    return render(request, "people/invitation.html", {"invitation": found})


def shared_password_refused(request: HttpRequest, **kwargs) -> HttpResponse:
    """Wagtail's shared page and document passwords are turned off.

    Everyone here signs in as themself, so a password shared by a group adds
    no protection but would be a second way in, without allauth's rate limits,
    that anyone signed in could try to guess. Pages and documents are kept for
    groups instead; one that still has a shared password stays closed.
    """
    return render(request, "people/shared_password_refused.html", status=403)
