"""Keep the redirect's cached destinations in step with edited posts."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import BrandPost, Campaign


def _forget(codes: list[str]) -> None:
    from .redirect import link_target_forget

    if codes:
        transaction.on_commit(lambda: link_target_forget(codes=codes))


@receiver(post_save, sender=BrandPost, dispatch_uid="advocacy_post_links_forget")
def post_links_forget(sender, instance: BrandPost, **kwargs) -> None:
    """A changed URL or campaign changes where (and with which UTM) links go."""
    if kwargs.get("raw") or kwargs.get("created"):
        return
    _forget(list(instance.tracked_links.values_list("code", flat=True)))


@receiver(post_save, sender=Campaign, dispatch_uid="advocacy_campaign_links_forget")
def campaign_links_forget(sender, instance: Campaign, **kwargs) -> None:
    """A renamed campaign slug changes utm_campaign on its posts' links."""
    if kwargs.get("raw") or kwargs.get("created"):
        return
    from .models import TrackedLink

    _forget(
        list(
            TrackedLink.objects.filter(post__campaign=instance).values_list(
                "code", flat=True
            )
        )
    )
