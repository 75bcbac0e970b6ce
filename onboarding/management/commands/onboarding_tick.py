"""``manage.py onboarding_tick``: record due reminders and queue them for sending.

Meant to run every few minutes (cron or a systemd timer); running it more
often, or twice at once, sends nothing twice.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from onboarding import reminders
from onboarding.models import Reminder


class Command(BaseCommand):
    help = "Record the onboarding reminders due now and queue them for sending."

    def handle(self, *args, **options) -> None:
        result = reminders.reminders_tick(now=timezone.now())
        counts = ", ".join(
            f"{label}: {result['queued'][kind]}"
            for kind, label in Reminder.Kind.choices
        )
        self.stdout.write(
            _("Reminders queued: %(counts)s (%(new)s new).")
            % {"counts": counts, "new": sum(result["created"].values())}
        )
