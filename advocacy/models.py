"""Brand content that advocates share, their consent, tracked links and clicks."""

from __future__ import annotations

import secrets
import time
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, PublishingPanel
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    PreviewableMixin,
    RevisionMixin,
    WorkflowMixin,
)
from wagtail.search import index


class Network(models.TextChoices):
    LINKEDIN = "linkedin", "LinkedIn"
    X = "x", "X"
    FACEBOOK = "facebook", "Facebook"
    WHATSAPP = "whatsapp", "WhatsApp"
    MASTODON = "mastodon", "Mastodon"
    EMAIL = "email", _("Email")
    COPY = "copy", _("Copied link")


# What each network accepts in one post, in characters. X counts any link as
# 23 characters; the others count the link as written, which ours never
# exceeds (a short /s/ link on the site's host).
NETWORK_LIMITS = {
    Network.LINKEDIN: 3000,
    Network.X: 280,
    Network.FACEBOOK: 63206,
    Network.WHATSAPP: 65536,
    Network.MASTODON: 500,
    Network.EMAIL: 10000,
}
LINK_ALLOWANCE = 40  # the tracked link and the space before it


def caption_budget(*, network: str, hashtags: str) -> int:
    """Characters left for the caption once the link and hashtags are added."""
    extra = len(hashtags) + 1 if hashtags else 0
    return NETWORK_LIMITS[network] - LINK_ALLOWANCE - extra


def validate_web_url(value: str) -> None:
    if not value.lower().startswith(("http://", "https://")):
        raise ValidationError(_("Only http and https links can be shared."))


class Topic(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    name_en = models.CharField(_("name in English"), max_length=80, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, blank=True)

    panels = [FieldPanel("name"), FieldPanel("name_en")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = slugify(self.name)[:80]
        super().save(*args, **kwargs)


class Campaign(ClusterableModel):
    class Goal(models.TextChoices):
        SHARES = "shares", _("Shares")
        CLICKS = "clicks", _("Clicks")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(
        _("slug"),
        max_length=80,
        unique=True,
        help_text=_("Used as utm_campaign on every link shared for it."),
    )
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    goal = models.CharField(
        _("goal"), max_length=10, choices=Goal.choices, default=Goal.SHARES
    )
    target = models.PositiveIntegerField(_("target"), default=100)
    topics = ParentalManyToManyField(Topic, verbose_name=_("topics"), blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("starts_on"),
        FieldPanel("ends_on"),
        FieldPanel("goal"),
        FieldPanel("target"),
        FieldPanel("topics"),
    ]

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError(
                {"ends_on": _("A campaign cannot end before it starts.")}
            )
        if self.target == 0:
            raise ValidationError({"target": _("Set a target above zero.")})


class BrandPost(
    WorkflowMixin,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    PreviewableMixin,
    index.Indexed,
    ClusterableModel,
):
    """Approved content advocates may share, in their own words."""

    class Language(models.TextChoices):
        SPANISH = "es", _("Spanish")
        ENGLISH = "en", _("English")

    title = models.CharField(_("title"), max_length=200)
    commentary = models.TextField(
        _("why share this"),
        help_text=_("For advocates: what this is and why it matters."),
    )
    url = models.URLField(_("link"), max_length=500, validators=[validate_web_url])
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default="es"
    )
    topics = ParentalManyToManyField(Topic, verbose_name=_("topics"), blank=True)
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
    )
    values = ParentalManyToManyField(
        "identity.Value", verbose_name=_("related values"), blank=True
    )
    hashtags = models.CharField(
        _("hashtags"),
        max_length=200,
        blank=True,
        help_text=_("Suggested, separated by spaces, e.g. #Brisa #Hospitalidad."),
    )
    caption_linkedin = models.TextField(_("LinkedIn caption"), blank=True)
    caption_x = models.TextField(_("X caption"), blank=True)
    caption_facebook = models.TextField(_("Facebook caption"), blank=True)
    caption_whatsapp = models.TextField(_("WhatsApp caption"), blank=True)
    caption_mastodon = models.TextField(_("Mastodon caption"), blank=True)
    caption_email = models.TextField(_("email text"), blank=True)
    milestone_template = models.BooleanField(
        _("milestone template"),
        default=False,
        help_text=_(
            "Suggested to people on a milestone (first month, a path, a badge) "
            "rather than shown in the feed."
        ),
    )
    suggested_by = models.ForeignKey(
        "people.Employee",
        verbose_name=_("suggested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggested_posts",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    panels = [
        FieldPanel("title"),
        FieldPanel("commentary"),
        FieldPanel("url"),
        FieldPanel("image"),
        FieldPanel("language"),
        FieldPanel("topics"),
        FieldPanel("campaign"),
        FieldPanel("values"),
        FieldPanel("hashtags"),
        MultiFieldPanel(
            [
                FieldPanel("caption_linkedin"),
                FieldPanel("caption_x"),
                FieldPanel("caption_facebook"),
                FieldPanel("caption_whatsapp"),
                FieldPanel("caption_mastodon"),
                FieldPanel("caption_email"),
            ],
            heading=_("Suggested captions"),
        ),
        FieldPanel("milestone_template"),
        PublishingPanel(),
    ]
    search_fields = [
        index.SearchField("title"),
        index.SearchField("commentary"),
        index.FilterField("language"),
        index.FilterField("live"),
    ]

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("brand post")
        verbose_name_plural = _("brand posts")

    def __str__(self) -> str:
        return self.title

    def caption(self, network: str) -> str:
        return getattr(self, f"caption_{network}", "") or ""

    def clean(self) -> None:
        super().clean()
        from identity.models import validate_hashtag

        errors = {}
        for tag in self.hashtags.split():
            try:
                validate_hashtag(tag)
            except ValidationError as error:
                errors["hashtags"] = error.messages
                break
        for network in NETWORK_LIMITS:
            caption = self.caption(network)
            budget = caption_budget(network=network, hashtags=self.hashtags)
            if len(caption) > budget:
                errors[f"caption_{network}"] = _(
                    "Too long for %(network)s: %(length)s characters, "
                    "%(budget)s fit beside the link and hashtags."
                ) % {
                    "network": Network(network).label,
                    "length": len(caption),
                    "budget": budget,
                }
        if errors:
            raise ValidationError(errors)

    def get_preview_template(self, request, mode_name):
        return "advocacy/brand_post_preview.html"


class AdvocacyConsent(models.Model):
    """A person's opt-in to advocacy; revoking keeps the dates."""

    employee = models.OneToOneField(
        "people.Employee",
        verbose_name=_("employee"),
        on_delete=models.CASCADE,
        related_name="advocacy_consent",
    )
    opted_in_at = models.DateTimeField(_("opted in at"), null=True, blank=True)
    opted_out_at = models.DateTimeField(_("opted out at"), null=True, blank=True)
    on_leaderboards = models.BooleanField(_("show me on leaderboards"), default=True)
    visible_to_manager = models.BooleanField(
        _("my manager may see my advocacy numbers"), default=False
    )
    mastodon_instance = models.CharField(
        _("Mastodon instance"), max_length=200, blank=True
    )

    class Meta:
        verbose_name = _("advocacy consent")
        verbose_name_plural = _("advocacy consents")

    def __str__(self) -> str:
        return str(self.employee)

    @property
    def active(self) -> bool:
        return self.opted_in_at is not None and self.opted_out_at is None


def link_code() -> str:
    """Short and unguessable: 10 characters from a 57-letter alphabet (~58 bits)."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    return "".join(secrets.choice(alphabet) for _ in range(10))


class TrackedLink(models.Model):
    """One person's link for one post on one network, reused on every share."""

    code = models.CharField(max_length=16, unique=True, default=link_code)
    employee = models.ForeignKey(
        "people.Employee", on_delete=models.CASCADE, related_name="tracked_links"
    )
    post = models.ForeignKey(
        BrandPost, on_delete=models.CASCADE, related_name="tracked_links"
    )
    network = models.CharField(max_length=10, choices=Network.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tracked link")
        verbose_name_plural = _("tracked links")
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "post", "network"], name="advocacy_link_once"
            )
        ]

    def __str__(self) -> str:
        return self.code


class Share(models.Model):
    employee = models.ForeignKey(
        "people.Employee", on_delete=models.CASCADE, related_name="shares"
    )
    post = models.ForeignKey(BrandPost, on_delete=models.CASCADE, related_name="shares")
    link = models.ForeignKey(
        TrackedLink, on_delete=models.CASCADE, related_name="shares"
    )
    network = models.CharField(max_length=10, choices=Network.choices)
    caption = models.TextField()
    personalised = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # What makes two submissions the same share (advocacy.services.share_key):
    # the person, post, network and day, or the milestone prompt. Unique, so a
    # double click or fifty requests at once store one share. Empty only on
    # shares stored before the rule.
    key = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )

    class Meta:
        verbose_name = _("share")
        verbose_name_plural = _("shares")

    def __str__(self) -> str:
        return f"{self.employee} · {self.post} · {self.network}"


def click_uid() -> uuid.UUID:
    """A new click's id, time-ordered (the UUIDv7 layout: milliseconds, then random).

    Made once, at the redirect, and carried wherever the click waits (the
    Redis stream, the spool), so every way of storing it stores the same
    row. Time order keeps the rows that arrive together side by side in the
    unique index rather than scattered over it.
    """
    milliseconds = time.time_ns() // 1_000_000
    value = (milliseconds & (1 << 48) - 1) << 80 | secrets.randbits(80)
    value = value & ~(0xF << 76) | 0x7 << 76  # version 7
    value = value & ~(0x3 << 62) | 0x2 << 62  # RFC 4122 variant
    return uuid.UUID(int=value)


class Click(models.Model):
    """One visit to a tracked link. No IP address: only a daily-salted hash."""

    uid = models.UUIDField(default=click_uid, unique=True, editable=False)
    link = models.ForeignKey(
        TrackedLink, on_delete=models.CASCADE, related_name="clicks"
    )
    at = models.DateTimeField(db_index=True)
    day = models.DateField()
    network = models.CharField(max_length=10, choices=Network.choices)
    referrer_host = models.CharField(max_length=255, blank=True)
    country = models.CharField(max_length=2, blank=True)
    visitor = models.CharField(max_length=64)
    preview = models.BooleanField(default=False)
    # Stored by a way that does not reward in the same transaction (the
    # database when Redis is down, the spool): advocacy.clicks gives the
    # points, milestones and badges later, once.
    rewards_pending = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("click")
        verbose_name_plural = _("clicks")
        indexes = [
            models.Index(
                fields=["link", "day", "visitor"], name="advocacy_click_uniq_idx"
            ),
            # Real clicks only (no previews), with their time: the team
            # dashboard counts clicks, unique visitors and clicks per week of
            # a line's links from this index alone, never reading the table.
            models.Index(
                fields=["link", "day", "visitor"],
                include=["at"],
                condition=models.Q(preview=False),
                name="advocacy_click_real_idx",
            ),
            models.Index(
                fields=["id"],
                condition=models.Q(rewards_pending=True),
                name="advocacy_click_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.link} {self.at:%Y-%m-%d %H:%M}"


class HubEvent(models.Model):
    """Every event sent on the hub, kept for a while so a reconnecting browser
    can ask for what it missed. The id orders them."""

    id = models.BigAutoField(primary_key=True)
    group = models.CharField(max_length=100)
    event = models.CharField(max_length=60)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["group", "id"], name="advocacy_event_group_idx")
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.group} {self.event}"


class Notification(models.Model):
    """A personal message, shown live and kept until read."""

    class Kind(models.TextChoices):
        REACKNOWLEDGE = "reacknowledge", _("A policy changed")
        CLICK_MILESTONE = "click_milestone", _("Clicks on your link")
        SUGGESTION = "suggestion", _("Your suggestion")
        BADGE = "badge", _("A new badge")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Names what the notification is about, so it is sent once however often
    # the work that causes it runs (e.g. "click:<link>:10").
    key = models.CharField(max_length=120, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="advocacy_notif_unread_idx")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind}"


class PointsEntry(models.Model):
    """One line of the points ledger. Lines are added, never changed.

    Totals are sums over the ledger, so two awards at once cannot overwrite
    each other. ``key`` names what earned the points, which makes an award
    idempotent (a click drained twice still earns once).
    """

    class Reason(models.TextChoices):
        SHARE = "share", _("Shared a post")
        PERSONAL = "personal", _("Shared in your own words")
        CLICK = "click", _("A new visitor followed your link")
        MODULE = "module", _("Completed an onboarding module")

    employee = models.ForeignKey(
        "people.Employee", on_delete=models.CASCADE, related_name="points"
    )
    reason = models.CharField(max_length=10, choices=Reason.choices)
    points = models.PositiveSmallIntegerField()
    at = models.DateTimeField(db_index=True)
    key = models.CharField(max_length=120, unique=True)
    post = models.ForeignKey(
        BrandPost, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    day = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("points")
        verbose_name_plural = _("points")
        indexes = [
            models.Index(fields=["employee", "at"], name="advocacy_points_person_idx"),
            models.Index(
                fields=["employee", "post", "day"], name="advocacy_points_cap_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee} +{self.points} {self.reason}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("The points ledger is append-only.")
        super().save(*args, **kwargs)


class Badge(models.TextChoices):
    FIRST_SHARE = "first_share", _("First share")
    PERSONAL_10 = "personal_10", _("Ten shares in your own words")
    CLICKS_100 = "clicks_100", _("First 100 clicks")
    CAMPAIGN_GOAL = "campaign_goal", _("Campaign goal reached")


class BadgeAward(models.Model):
    """A badge a person earned; campaign badges name their campaign."""

    employee = models.ForeignKey(
        "people.Employee", on_delete=models.CASCADE, related_name="badges"
    )
    badge = models.CharField(max_length=20, choices=Badge.choices)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    awarded_at = models.DateTimeField()

    class Meta:
        ordering = ["-awarded_at"]
        verbose_name = _("badge")
        verbose_name_plural = _("badges")
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "badge"],
                condition=models.Q(campaign__isnull=True),
                name="advocacy_badge_once",
            ),
            models.UniqueConstraint(
                fields=["employee", "badge", "campaign"],
                condition=models.Q(campaign__isnull=False),
                name="advocacy_campaign_badge_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee} {self.badge}"


class MilestonePrompt(models.Model):
    """The hub invites the person to share a milestone in their own words."""

    class Kind(models.TextChoices):
        FIRST_MONTH = "first_month", _("Your first month")
        PATH = "path", _("A path completed")
        BADGE = "badge", _("A badge earned")

    employee = models.ForeignKey(
        "people.Employee", on_delete=models.CASCADE, related_name="milestone_prompts"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # What the milestone is: the path's title or the badge's name, as shown.
    subject = models.CharField(max_length=200, blank=True)
    ref = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "kind", "ref"], name="advocacy_milestone_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.employee} {self.kind} {self.ref}"
