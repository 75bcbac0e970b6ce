"""How allauth behaves here: closed sign-up, 429 on repeated failures, and the
only door to a signed-in session."""

from __future__ import annotations

import logging
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.ratelimit import respond_429
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.handlers.asgi import ASGIRequest
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest

logger = logging.getLogger(__name__)

_ALLAUTH_LOGIN = "_cimientos_allauth_login"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Accounts come from HR (invitations and CSV import), never sign-up."""
        return False

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """Answer 429 Too Many Requests once the failed-login limit is reached.

        allauth would otherwise show a form error with status 200, which tools
        and proxies cannot tell apart from an ordinary failed attempt.
        """
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError as exc:
            if exc.code == "too_many_login_attempts":
                raise ImmediateHttpResponse(respond_429(request)) from exc
            raise

    def login(self, request: HttpRequest, user) -> None:
        """allauth's flows end here, after every stage (the second factor too)."""
        setattr(request, _ALLAUTH_LOGIN, True)
        try:
            super().login(request, user)
        finally:
            delattr(request, _ALLAUTH_LOGIN)


def session_outside_allauth_refuse(
    sender, request: HttpRequest | None, user, **kwargs: Any
) -> None:
    """Undo a sign-in that a web request made without going through allauth.

    Receives ``user_logged_in``. Any view that calls ``django.contrib.auth.login``
    itself (Wagtail's or Django's login views, a future shortcut) would skip the
    second factor and the rate limits; its session is emptied and the request
    refused. Calls outside a web request (the test client's ``force_login``, a
    shell) are not sign-ins by a visitor and are left alone.
    """
    if not isinstance(request, WSGIRequest | ASGIRequest):
        return
    if getattr(request, _ALLAUTH_LOGIN, False):
        return
    logger.warning(
        "Refused a sign-in outside allauth at %s for user %s", request.path, user.pk
    )
    request.session.flush()
    request.user = AnonymousUser()
    raise PermissionDenied
