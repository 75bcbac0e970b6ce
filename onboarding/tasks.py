"""Background work about onboarding, run by django-tasks (a DB worker in production)."""

from __future__ import annotations

from django_tasks import task

from . import reminders


@task()
def reminder_send(reminder_id: int) -> bool:
    """Send one reminder; a second run (a retry, a duplicate) sends nothing."""
    return reminders.reminder_send(reminder_id=reminder_id)
