from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def _culture_index():
    from wagtail.models import Locale

    from .models import CultureIndexPage

    return (
        CultureIndexPage.objects.live()
        .public()
        .filter(locale=Locale.get_active())
        .order_by("path")
        .first()
    )


def navigation(request: HttpRequest) -> dict:
    """The "Who we are" section for the main navigation, looked up only if used."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_culture_index": SimpleLazyObject(_culture_index)}
