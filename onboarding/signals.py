"""Keep enrolments in step with profiles: a thin receiver over one service."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from wagtail.signals import page_published

from people.models import Employee

from .services import enrolment_sync, reacknowledgement_request


@receiver(post_save, sender=Employee, dispatch_uid="onboarding_enrol_on_save")
def enrol_on_profile_change(sender, instance: Employee, **kwargs) -> None:
    """New people and changed departments, teams, places or titles get enrolled."""
    if kwargs.get("raw"):
        return
    transaction.on_commit(lambda: enrolment_sync(employee=instance))


@receiver(page_published, dispatch_uid="onboarding_reacknowledge_on_publish")
def reacknowledge_on_publish(sender, instance, revision, **kwargs) -> None:
    """A module published with "ask again" re-opens it for earlier acknowledgers.

    Only the default-language module counts (a translation catching up is not
    a new policy). The box is cleared on the page and its revision so the next
    edit starts unticked.
    """
    from wagtail.models import Locale

    from .models import ModulePage

    if not isinstance(instance, ModulePage) or not instance.reacknowledge_on_publish:
        return
    if instance.locale_id != Locale.get_default().pk:
        return
    reacknowledgement_request(module=instance, revision=revision)
    ModulePage.objects.filter(pk=instance.pk).update(reacknowledge_on_publish=False)
    instance.reacknowledge_on_publish = False
    if revision is not None and isinstance(revision.content, dict):
        revision.content["reacknowledge_on_publish"] = False
        revision.save(update_fields=["content"])
