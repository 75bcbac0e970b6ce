"""Admin choosers for people, used by StreamField blocks and forms."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.viewsets.chooser import ChooserViewSet

# Names, emails and job titles are HR's data: only those who may see the
# People screen may list or pick people (HR editors and leads, administrators).
CHOOSE_PERMISSION = "people.view_employee"


def _people_viewers_only(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.has_perm(CHOOSE_PERMISSION):
            return HttpResponseForbidden(_("You cannot look up people here."))
        return view(request, *args, **kwargs)

    return wrapped


class EmployeeChooserViewSet(ChooserViewSet):
    """Wagtail's choosers check no permission of their own: every view here does."""

    model = "people.Employee"
    icon = "user"
    choose_one_text = gettext_lazy("Choose a person")
    choose_another_text = gettext_lazy("Choose another person")
    edit_item_text = gettext_lazy("Edit this person")
    per_page = 25

    def construct_view(self, view_class, **kwargs):
        return _people_viewers_only(super().construct_view(view_class, **kwargs))


employee_chooser_viewset = EmployeeChooserViewSet("employee_chooser")
