"""Insights stores nothing of its own; this model only carries its permissions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Report(models.Model):
    """No table: ``insights.view_reports`` needs a content type to hang from.

    Roles grant it in ``people.roles``; administrators may also grant it in
    the group editor.
    """

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_reports", _("Can view HR reports"))]
        verbose_name = _("HR report")
        verbose_name_plural = _("HR reports")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
