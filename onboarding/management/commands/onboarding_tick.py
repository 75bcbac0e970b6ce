"""``manage.py onboarding_tick``: record due reminders and queue them for sending.

Meant to run every few minutes (cron or a systemd timer); running it more
often, or twice at once, sends nothing twice. It also forgets the hub's live
events once they are older than the window a reconnecting browser may ask for.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy.services import REPLAY_WINDOW, hub_events_forget
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
        forgotten = hub_events_forget(before=timezone.now() - REPLAY_WINDOW)
        self.stdout.write(
            _("Old hub events forgotten: %(count)s.") % {"count": forgotten}
        )
