"""Keep the redirect's cached destinations in step with edited posts."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from wagtail.signals import published, unpublished

from .models import BrandPost, Campaign
from .services import HUB_GROUP, group_event_publish


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


@receiver(published, dispatch_uid="advocacy_post_published")
def post_published(sender, instance, **kwargs) -> None:
    """An approved post appears in open hubs without a reload."""
    if isinstance(instance, BrandPost) and not instance.milestone_template:
        group_event_publish(
            groups=[HUB_GROUP],
            event="post.published",
            data={"post": instance.pk, "language": instance.language},
        )


@receiver(unpublished, dispatch_uid="advocacy_post_unpublished")
def post_unpublished(sender, instance, **kwargs) -> None:
    """Unpublished or expired (Wagtail's scheduler unpublishes): it leaves hubs."""
    if isinstance(instance, BrandPost):
        group_event_publish(
            groups=[HUB_GROUP], event="post.expired", data={"post": instance.pk}
        )
