"""Identity in the Wagtail admin: the Value snippet."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Value


class ValueChooserViewSet(SnippetChooserViewSet):
    # Lazy, so each editor reads them in their own language (Wagtail's defaults
    # are translated once, at import time, in the site's default language).
    choose_one_text = _("Choose a value")
    choose_another_text = _("Choose another value")
    edit_item_text = _("Edit this value")


class ValueViewSet(SnippetViewSet):
    model = Value
    chooser_viewset_class = ValueChooserViewSet
    icon = "pick"
    menu_label = _("Values")
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["name", "statement", "locale"]
    list_filter = ["locale"]
    search_fields = ["name", "statement"]
    # As BrandPostViewSet: the index can neither sort nor (on SQLite) search
    # named fields; a short list reads the table instead.
    search_backend_name = None
    ordering = ["sort_order", "name"]


register_snippet(ValueViewSet)
