"""Admin choosers for people, used by StreamField blocks and forms."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.chooser import ChooserViewSet


class EmployeeChooserViewSet(ChooserViewSet):
    model = "people.Employee"
    icon = "user"
    choose_one_text = _("Choose a person")
    choose_another_text = _("Choose another person")
    edit_item_text = _("Edit this person")
    per_page = 25


employee_chooser_viewset = EmployeeChooserViewSet("employee_chooser")
