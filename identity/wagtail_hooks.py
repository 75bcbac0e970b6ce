"""Identity in the Wagtail admin: the Value snippet."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Value


class ValueViewSet(SnippetViewSet):
    model = Value
    icon = "pick"
    menu_label = _("Values")
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["name", "statement", "locale"]
    list_filter = ["locale"]
    search_fields = ["name", "statement"]
    ordering = ["sort_order", "name"]


register_snippet(ValueViewSet)
