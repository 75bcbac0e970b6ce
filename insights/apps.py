from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        from . import lookups  # noqa: F401 - registers ``__in_ids``
        from .spreadsheets import wagtail_spreadsheet_patch

        wagtail_spreadsheet_patch()
