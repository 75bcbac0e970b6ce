"""HR reports in the Wagtail admin: menu items, URLs and the dashboard panel.

All of it needs ``insights.view_reports`` (HR editors, HR leads and
administrators); everyone else gets no menu item and a 403.
"""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

# Each of these registers its own reports' URLs and menu items when imported.
from . import advocacy_reports, onboarding_reports, reports  # noqa: F401


@hooks.register("register_admin_urls")
def register_report_urls():
    return [
        *reports.report_urls(
            "reports/path-funnel/", "insights_path_funnel", reports.PathFunnelView
        ),
        *reports.report_urls(
            "reports/overdue/", "insights_overdue", reports.OverdueView
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_path_funnel_menu_item():
    return reports.ReportMenuItem(
        _("Path funnel"),
        reverse("insights_path_funnel"),
        name="path-funnel",
        icon_name="list-ol",
        order=100,
    )


@hooks.register("register_reports_menu_item")
def register_overdue_menu_item():
    return reports.ReportMenuItem(
        _("Overdue modules"),
        reverse("insights_overdue"),
        name="overdue-modules",
        icon_name="warning",
        order=110,
    )


@hooks.register("construct_homepage_panels")
def add_recent_numbers_panel(request, panels):
    if reports.reports_allowed(request.user):
        panels.append(reports.RecentNumbersPanel())


@hooks.register("register_permissions")
def register_report_permissions():
    """Lets administrators grant "view HR reports" in the group editor."""
    return Permission.objects.filter(
        content_type__app_label="insights", codename="view_reports"
    )
