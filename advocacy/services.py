"""Real-time publishing for the hub."""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils.translation import gettext as _

from config.retry import Breaker

logger = logging.getLogger(__name__)


def person_group_name(*, user_id: int) -> str:
    return f"person.{user_id}"


def manager_group_name(*, employee_id: int) -> str:
    """Everyone managing ``employee_id`` listens here for their line's events."""
    return f"line.{employee_id}"


HUB_GROUP = "hub"  # everyone signed in: the feed's own events
REPLAY_WINDOW = timedelta(hours=24)
REPLAY_LIMIT = 500


# One key for every process: PostgreSQL advisory locks are per database.
PUBLISH_LOCK_KEY = 0x43494D48  # "CIMH"
_publish_lock = threading.Lock()


@contextmanager
def _publishing_in_order():
    """One publisher at a time, across processes on PostgreSQL.

    An event's id is taken and its copy sent to listeners before the next
    publisher starts, so every listener receives ids in increasing order: a
    browser that remembers the highest id it saw misses nothing by asking
    for what came after it. (SQLite runs one web process.)
    """
    from django.db import connection

    with _publish_lock:
        if connection.vendor != "postgresql":
            yield
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [PUBLISH_LOCK_KEY])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [PUBLISH_LOCK_KEY])


# One send may wait this long for the channel layer; after a failure, this
# process stops trying for a while. Either way the event is already stored.
LAYER_SEND_TIMEOUT_SECONDS = 1.0
LAYER_RETRY_SECONDS = 5.0


def _layer_outage_new() -> Breaker:
    """Whether sending on the channel layer failed lately in this process.

    A dead Redis then costs one attempt per ``LAYER_RETRY_SECONDS``, not a
    timeout per event, and the outage is logged once.
    """
    return Breaker(
        logger=logger,
        down="Hub events cannot be sent on the channel layer (%s: %s); they are "
        "stored, and sockets get them when they reconnect.",
        up="Hub events are sent on the channel layer again.",
        shortest=LAYER_RETRY_SECONDS,
        longest=LAYER_RETRY_SECONDS,
    )


# One state per layer: settings can change the layer (tests do).
_layer_outages: weakref.WeakKeyDictionary[Any, Breaker] = weakref.WeakKeyDictionary()
_layer_outages_lock = threading.Lock()


def _layer_send(messages: list[dict[str, Any]]) -> None:
    """Send stored events to their groups; a failure is logged, never raised.

    The caller's work has committed by now: a 500 would only tell the person
    that it failed when it did not.
    """
    layer = get_channel_layer()
    if layer is None or not messages:
        return
    with _layer_outages_lock:
        outage = _layer_outages.get(layer)
        if outage is None:
            outage = _layer_outages[layer] = _layer_outage_new()
    if not outage.ready():
        return

    async def send_all() -> None:
        for message in messages:
            await asyncio.wait_for(
                layer.group_send(message["group"], message),
                timeout=LAYER_SEND_TIMEOUT_SECONDS,
            )

    try:
        async_to_sync(send_all)()
    except Exception as error:  # noqa: BLE001 - any layer failure: log, go on
        outage.failed(error)
    else:
        outage.succeeded()


def group_event_publish(*, groups: list[str], event: str, data: dict[str, Any]) -> None:
    """Send ``event`` to everyone listening on ``groups``, after commit.

    Nothing happens unless the caller's work commits: then each group's copy
    is stored (its id orders it, and a browser that reconnects asks for what
    it missed) and sent, in order with every other publisher. A listener
    that reacts by reading the database sees the change that caused it.
    Without a channel layer (Redis down) the events are only stored.
    """
    from .models import HubEvent

    if not groups:
        return

    def store_and_send() -> None:
        with _publishing_in_order():
            with transaction.atomic():
                stored = [
                    HubEvent.objects.create(group=g, event=event, data=data)
                    for g in groups
                ]
            # Each process listens on all its groups through one channel
            # (advocacy.fanout), so the message names the group it is for.
            _layer_send(
                [
                    {
                        "type": "advocacy.event",
                        "group": row.group,
                        "id": row.pk,
                        "event": event,
                        "data": data,
                    }
                    for row in stored
                ]
            )

    # Robust: whatever fails here happens after the caller's work committed.
    transaction.on_commit(store_and_send, robust=True)


def hub_events_missed(*, groups: list[str], after: int) -> list:
    """Events of ``groups`` after id ``after``, oldest first, within the window."""
    from django.utils import timezone

    from .models import HubEvent

    return list(
        HubEvent.objects.filter(
            group__in=groups,
            pk__gt=after,
            created_at__gte=timezone.now() - REPLAY_WINDOW,
        ).order_by("pk")[:REPLAY_LIMIT]
    )


def hub_events_forget(*, before) -> int:
    """Drop events older than the replay window (run from the tick)."""
    from .models import HubEvent

    deleted, _rows = HubEvent.objects.filter(created_at__lt=before).delete()
    return deleted


def notification_send(*, user, kind: str, data: dict[str, Any], key: str | None = None):
    """Store a personal notification and show it live to that person only.

    With a ``key``, the notification is sent once: a second call with the
    same key does nothing and returns ``None``.
    """
    from django.db import IntegrityError

    from .models import Notification

    if key is not None and Notification.objects.filter(key=key).exists():
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                user=user, kind=kind, data=data, key=key
            )
    except IntegrityError:
        return None
    person_event_publish(
        user_id=user.pk,
        event="notification",
        data={"id": notification.pk, "kind": kind, **data},
    )
    return notification


def person_event_publish(*, user_id: int, event: str, data: dict[str, Any]) -> None:
    """Send ``event`` to everyone connected as ``user_id``, after commit."""
    group_event_publish(
        groups=[person_group_name(user_id=user_id)], event=event, data=data
    )


# --- Consent ---------------------------------------------------------------------


def consent_opt_in(
    *, employee, on_leaderboards: bool = True, visible_to_manager: bool = False
):
    """Record the person's opt-in now; a later opt-in replaces an opt-out."""
    from django.utils import timezone

    from .models import AdvocacyConsent

    consent, _created = AdvocacyConsent.objects.update_or_create(
        employee=employee,
        defaults={
            "opted_in_at": timezone.now(),
            "opted_out_at": None,
            "on_leaderboards": on_leaderboards,
            "visible_to_manager": visible_to_manager,
        },
    )
    return consent


def consent_opt_out(*, employee):
    """Stop sharing from now on; past links keep redirecting."""
    from django.utils import timezone

    from .models import AdvocacyConsent

    consent, _created = AdvocacyConsent.objects.get_or_create(employee=employee)
    if consent.opted_out_at is None:
        consent.opted_out_at = timezone.now()
        consent.save(update_fields=["opted_out_at"])
    return consent


# --- Sharing -----------------------------------------------------------------------


class SharingRefused(Exception):
    """The person may not share this (the message says why, to them)."""


SIMILAR = 0.9  # captions this close to a colleague's count as copies


def _normalised(text: str) -> str:
    return " ".join(text.casefold().split())


def caption_is_personal(
    *,
    post,
    network: str,
    caption: str,
    hashtag: str = "",
    suggested: str | None = None,
    key: str | None = None,
) -> bool:
    """Whether the caption is the person's own words.

    Not personal when it is the suggested caption unchanged (``suggested``
    when the post's caption was filled in for the person, as for milestones),
    or nearly the same (ratio ≥ 0.9) as a caption colleagues already shared
    for this post. The disclosure hashtag is ignored on both sides. The share
    this one would repeat (its ``key``) is left out: the same words sent twice
    are as personal the second time as the first.
    """
    from difflib import SequenceMatcher

    from .models import Share

    def words(text: str) -> str:
        return _normalised(text.replace(hashtag, "") if hashtag else text)

    mine = words(caption)
    if suggested is None:
        suggested = post.caption(network)
    if not mine or mine == words(suggested):
        return False
    others = Share.objects.filter(post=post)
    if key is not None:
        others = others.exclude(key=key)
    others = others.values_list("caption", flat=True)[:200]
    return all(SequenceMatcher(None, mine, words(o)).ratio() < SIMILAR for o in others)


def with_disclosure(*, caption: str, hashtag: str) -> str:
    """The caption with the brand's disclosure hashtag at the end, always."""
    caption = caption.strip()
    if not hashtag:
        return caption
    if hashtag.casefold() in caption.casefold().split():
        return caption
    return f"{caption} {hashtag}".strip()


MILESTONE_PLACEHOLDER = "{milestone}"


def milestone_subject(*, prompt, language: str | None = None) -> str:
    """What the person completed, as it goes into a milestone caption."""
    from contextlib import nullcontext

    from django.utils.translation import override

    from .models import Badge, MilestonePrompt

    with override(language) if language else nullcontext():
        if prompt.kind == MilestonePrompt.Kind.BADGE:
            code = prompt.ref.partition(":")[0]
            if code in Badge.values:
                label = str(Badge(code).label)
                return f"{label}: {prompt.subject}" if prompt.subject else label
        if prompt.subject:
            return prompt.subject
        if prompt.kind == MilestonePrompt.Kind.FIRST_MONTH:
            return _("my first month")
        return str(prompt.get_kind_display())


def milestone_caption(*, post, network: str, prompt) -> str:
    """The template's caption with ``{milestone}`` replaced by the subject."""
    return post.caption(network).replace(
        MILESTONE_PLACEHOLDER, milestone_subject(prompt=prompt, language=post.language)
    )


def tracked_link_get(*, employee, post, network: str, prompt=None):
    """The person's link for this post and network, created once.

    Refused unless the person may share (valid certification and opt-in) and
    the post is live and unexpired. A milestone template is shared only from
    an open milestone prompt of the person's own (``prompt``), never from
    the feed. Concurrent first shares make one link.
    """
    from django.db import IntegrityError

    from .models import Network, TrackedLink
    from .selectors import (
        advocate_status,
        milestone_prompt_of,
        milestone_templates,
        shareable_posts,
    )

    if network not in Network.values:
        raise SharingRefused(_("Choose one of the networks offered."))
    status = advocate_status(employee=employee)
    if not status.certified:
        raise SharingRefused(_("Sharing needs a valid advocate certification."))
    if not status.opted_in:
        raise SharingRefused(_("Sharing needs your opt-in to advocacy."))
    if post.milestone_template:
        if (
            prompt is None
            or prompt.employee_id != employee.pk
            or milestone_prompt_of(employee=employee, prompt_id=prompt.pk) is None
        ):
            raise SharingRefused(
                _("Milestone posts are shared from your own milestone in the hub.")
            )
        if not milestone_templates().filter(pk=post.pk).exists():
            raise SharingRefused(_("This post can no longer be shared."))
    elif not shareable_posts().filter(pk=post.pk).exists():
        raise SharingRefused(_("This post can no longer be shared."))
    found = TrackedLink.objects.filter(
        employee=employee, post=post, network=network
    ).first()
    if found:
        return found
    try:
        with transaction.atomic():
            return TrackedLink.objects.create(
                employee=employee, post=post, network=network
            )
    except IntegrityError:
        return TrackedLink.objects.get(employee=employee, post=post, network=network)


def share_key(*, employee, post, network: str, prompt=None, day=None) -> str:
    """What makes two submissions the same share.

    A person's shares of one post on one network count once a day: a double
    click, a retry or a second thought that day is the same share, while
    sharing the post again another day is a new one. A milestone is shared
    once per prompt.
    """
    from django.utils import timezone

    if post.milestone_template and prompt is not None:
        return f"milestone:{prompt.pk}"
    day = day or timezone.localdate()
    return f"{employee.pk}:{post.pk}:{network}:{day:%Y%m%d}"


@transaction.atomic
def share_create(
    *, employee, post, network: str, caption: str, hashtag: str = "", prompt=None
):
    """Record a share with its tracked link; the caption keeps the disclosure.

    The same share submitted again (``share_key``), even fifty times at once
    from several processes, is stored once: the database's unique key decides,
    and every submission gets that share back, its caption the latest, with
    counters, points and badges counting it once.

    Sharing a milestone template uses up the person's ``prompt``: it is closed
    in the same transaction, so the same milestone is not shared twice.
    """
    from django.db import IntegrityError
    from django.utils import timezone

    from .models import MilestonePrompt, Share
    from .stats import post_stats_publish

    key = share_key(employee=employee, post=post, network=network, prompt=prompt)
    if post.milestone_template:
        # Its prompt is closed once shared: asking for the link would refuse.
        again = Share.objects.filter(key=key, employee=employee).first()
        if again is not None:
            return again
    link = tracked_link_get(
        employee=employee, post=post, network=network, prompt=prompt
    )
    caption = with_disclosure(caption=caption, hashtag=hashtag)
    suggested = None
    if post.milestone_template:
        closed = MilestonePrompt.objects.filter(
            pk=prompt.pk, closed_at__isnull=True
        ).update(closed_at=timezone.now())
        if not closed:
            again = Share.objects.filter(key=key).first()
            if again is None:
                raise SharingRefused(_("You have already shared this milestone."))
            return again
        suggested = milestone_caption(post=post, network=network, prompt=prompt)
    else:
        again = Share.objects.filter(key=key).first()
        if again is not None:
            return _share_repeated(share=again, caption=caption, hashtag=hashtag)
    personalised = caption_is_personal(
        post=post,
        network=network,
        caption=caption,
        hashtag=hashtag,
        suggested=suggested,
        key=key,
    )
    try:
        with transaction.atomic():
            share = Share.objects.create(
                employee=employee,
                post=post,
                link=link,
                network=network,
                caption=caption,
                personalised=personalised,
                key=key,
            )
    except IntegrityError:
        # Another request stored it meanwhile (it has committed by now).
        again = Share.objects.get(key=key)
        if post.milestone_template:
            return again
        return _share_repeated(share=again, caption=caption, hashtag=hashtag)
    post_stats_publish(link_ids=[link.pk])
    from .rewards import share_rewarded

    share_rewarded(share=share)
    return share


def _share_repeated(*, share, caption: str, hashtag: str):
    """The same share submitted again: keep the latest words, count nothing twice.

    Once in the person's own words, a share stays so (as its points do).
    """
    from .models import Share

    if caption == share.caption:
        return share
    personal = share.personalised or caption_is_personal(
        post=share.post,
        network=share.network,
        caption=caption,
        hashtag=hashtag,
        key=share.key,
    )
    Share.objects.filter(pk=share.pk).update(caption=caption, personalised=personal)
    newly_personal = personal and not share.personalised
    share.caption, share.personalised = caption, personal
    if newly_personal:
        from .rewards import share_rewarded

        share_rewarded(share=share)
    return share


def consent_mastodon_instance_save(*, employee, instance: str) -> None:
    """Remember the person's Mastodon instance for their next share."""
    from .models import AdvocacyConsent

    AdvocacyConsent.objects.filter(employee=employee).update(mastodon_instance=instance)


# --- Suggestions -------------------------------------------------------------------

SUGGESTIONS_PER_DAY = 5


def suggestion_create(*, employee, url: str, why: str, title: str = ""):
    """An employee's link becomes a draft brand post in the approval workflow.

    The post names the person who suggested it; Communications edit the
    captions and approve (or reject) it as any other post. Refused when the
    same link is already suggested or live, or past five suggestions a day.
    """
    from urllib.parse import urlsplit

    from django.utils import timezone

    from .models import BrandPost

    if BrandPost.objects.filter(url=url).exists():
        raise SharingRefused(_("Someone has already suggested this link. Thank you!"))
    today = timezone.now() - timedelta(days=1)
    if (
        BrandPost.objects.filter(suggested_by=employee, created_at__gte=today).count()
        >= SUGGESTIONS_PER_DAY
    ):
        raise SharingRefused(
            _("You have made five suggestions today. Please come back tomorrow.")
        )
    language = employee.preferred_language if employee.preferred_language else "es"
    with transaction.atomic():
        post = BrandPost(
            title=(title.strip() or urlsplit(url).hostname or url)[:200],
            commentary=why.strip(),
            url=url,
            language=language,
            suggested_by=employee,
            live=False,
        )
        post.save()
        post.save_revision(user=employee.user, log_action=True)
        workflow = post.get_workflow()
        if workflow is not None:
            workflow.start(post, employee.user)
    return post


def suggestion_outcome_notify(*, post, approved: bool, ref: str = "") -> None:
    """Tell the person who suggested ``post`` whether it was approved."""
    employee = post.suggested_by
    if employee is None or employee.user_id is None:
        return
    notification_send(
        user=employee.user,
        kind="suggestion",
        key=f"suggestion:{post.pk}:{'approved' if approved else f'rejected:{ref}'}",
        data={"post": post.pk, "title": post.title, "approved": approved},
    )


# --- Notifications and leaderboard visibility --------------------------------------


def notifications_mark_read(*, user, notification_id: int | None = None) -> int:
    """Mark the person's notification (or all of them) read; how many changed."""
    from django.utils import timezone

    from .models import Notification

    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())


def consent_leaderboards_set(*, employee, show: bool) -> bool:
    """Show or hide the person on leaderboards; ``False`` if not opted in."""
    from .models import AdvocacyConsent
    from .rewards import leaderboard_changed

    changed = AdvocacyConsent.objects.filter(
        employee=employee, opted_in_at__isnull=False, opted_out_at__isnull=True
    ).update(on_leaderboards=show)
    if changed:
        leaderboard_changed()
    return bool(changed)
