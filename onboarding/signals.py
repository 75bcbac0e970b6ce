"""Keep enrolments in step with profiles: a thin receiver over one service."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from people.models import Employee

from .services import enrolment_sync


@receiver(post_save, sender=Employee, dispatch_uid="onboarding_enrol_on_save")
def enrol_on_profile_change(sender, instance: Employee, **kwargs) -> None:
    """New people and changed departments, teams, places or titles get enrolled."""
    if kwargs.get("raw"):
        return
    transaction.on_commit(lambda: enrolment_sync(employee=instance))
