from __future__ import annotations

import re

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, PageChooserPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import (
    Locale,
    Orderable,
    Page,
    PreviewableMixin,
    RevisionMixin,
    TranslatableMixin,
)
from wagtail.search import index

from .blocks import IdentityStreamBlock


class ReaderLanguageMixin:
    """Tells a reader when the page is not (yet) in their language."""

    @cached_property
    def content_language(self) -> str:
        """The language the content is written in (an alias shows its source)."""
        from .selectors import page_content_language

        return page_content_language(page=self)

    def translation_missing(self) -> bool:
        return self.content_language != translation.get_language()


# First-level paths the application itself answers; a page there would be hidden.
RESERVED_SLUGS = frozenset(
    {
        "accounts", "admin", "documents", "healthz", "hub", "insights", "media",
        "onboarding", "people", "s", "search", "static", "values", "ws",
    }
)  # fmt: skip


class IdentityPage(ReaderLanguageMixin, Page):
    """Identity pages share their base template and are not a page type."""

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.slug in RESERVED_SLUGS and self.depth and self.depth <= 3:
            raise ValidationError(
                {
                    "slug": _(
                        "“%(slug)s” is used by Cimientos itself at the top level; "
                        "choose another slug."
                    )
                    % {"slug": self.slug}
                }
            )


class HomePage(IdentityPage):
    """The site root: greets the reader and answers "what do I do next?"."""

    hero_text = RichTextField(
        _("hero text"),
        blank=True,
        features=["bold", "italic", "link"],
        help_text=_("A short welcome shown under the greeting."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("hero_text"),
        InlinePanel("featured_links", label=_("Featured links")),
    ]
    search_fields = [*Page.search_fields, index.SearchField("hero_text")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "identity.CultureIndexPage",
        "identity.CulturePage",
        "onboarding.PathIndexPage",
    ]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")

    def route(self, request, path_components):
        """Fall back to the default language's tree when this one lacks a page.

        A reader who prefers English reaches a page that exists only in
        Spanish instead of a 404; the page then says it is not translated.
        """
        try:
            return super().route(request, path_components)
        except Http404:
            default = Locale.get_default()
            if self.locale_id == default.pk:
                raise
            source = self.get_translation_or_none(default)
            if source is None or not source.live:
                raise
            return Page.route(source.specific, request, path_components)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["featured"] = [
            link for link in self.featured_links.all() if link.target_available()
        ]
        employee = getattr(request.user, "employee", None)
        if employee is not None:
            from onboarding.selectors import employee_next_step, employee_paths

            context["next_step"] = employee_next_step(
                overviews=employee_paths(employee=employee)
            )
        return context


class FeaturedLink(Orderable):
    page = ParentalKey(
        HomePage, on_delete=models.CASCADE, related_name="featured_links"
    )
    link_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    link_url = models.URLField(_("or an address"), blank=True)
    title = models.CharField(_("title"), max_length=120, blank=True)
    description = models.CharField(_("description"), max_length=250, blank=True)

    panels = [
        PageChooserPanel("link_page"),
        FieldPanel("link_url"),
        FieldPanel("title"),
        FieldPanel("description"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("featured link")
        verbose_name_plural = _("featured links")

    def clean(self) -> None:
        super().clean()
        if not self.link_page_id and not self.link_url:
            raise ValidationError(_("Choose a page or enter an address."))
        if self.link_url and not self.title:
            raise ValidationError({"title": _("A link to an address needs a title.")})

    def target_available(self) -> bool:
        return bool(self.link_url) or bool(self.link_page and self.link_page.live)

    @property
    def href(self) -> str:
        if self.link_page_id:
            return self.link_page.localized.url
        return self.link_url

    @property
    def label(self) -> str:
        if self.title:
            return self.title
        return self.link_page.localized.title if self.link_page_id else self.link_url


class CultureIndexPage(IdentityPage):
    """Lists its culture pages: "Who we are"."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["identity.HomePage"]
    subpage_types = ["identity.CulturePage"]

    class Meta:
        verbose_name = _("culture index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["children"] = (
            self.get_children().live().public().specific().order_by("path")
        )
        return context


class CulturePage(IdentityPage):
    """Mission, vision, history, brand voice, "how we work"…"""

    summary = models.CharField(
        _("summary"),
        max_length=250,
        blank=True,
        help_text=_("One or two sentences shown in lists and search results."),
    )
    body = StreamField(IdentityStreamBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("body")]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
    ]
    parent_page_types = ["identity.HomePage", "identity.CultureIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("culture page")


class Value(
    TranslatableMixin, RevisionMixin, PreviewableMixin, index.Indexed, models.Model
):
    """One of the company's values, referenced from pages, modules and posts."""

    name = models.CharField(_("name"), max_length=80)
    statement = models.CharField(
        _("short statement"),
        max_length=200,
        help_text=_(
            "The value in one sentence, e.g. “Every guest is a guest of honour.”"
        ),
    )
    description = RichTextField(
        _("description"), blank=True, features=["bold", "italic", "link", "ul"]
    )
    icon = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("icon or image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="value")

    panels = [
        FieldPanel("name"),
        FieldPanel("statement"),
        FieldPanel("description"),
        FieldPanel("icon"),
        FieldPanel("sort_order"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.SearchField("statement"),
        index.SearchField("description"),
        index.FilterField("locale"),
    ]

    class Meta(TranslatableMixin.Meta):
        ordering = ["sort_order", "name"]
        verbose_name = _("value")
        verbose_name_plural = _("values")

    def __str__(self) -> str:
        return self.name

    @property
    def revisions(self):
        return self._revisions

    def get_preview_template(self, request, mode_name):
        return "identity/value_preview.html"


HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
HASHTAG = re.compile(r"^#\w{2,60}$")


def _luminance(hex_colour: str) -> float:
    def channel(pair: str) -> float:
        c = int(pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(hex_colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_on_white(hex_colour: str) -> float:
    """WCAG contrast ratio of ``hex_colour`` text on a white background."""
    return 1.05 / (_luminance(hex_colour) + 0.05)


def validate_hex_colour(value: str) -> None:
    if not HEX_COLOUR.match(value):
        raise ValidationError(
            _("Enter a colour as # and six hex digits, e.g. #8a3b12.")
        )
    ratio = contrast_on_white(value)
    if ratio < 4.5:
        raise ValidationError(
            _(
                "This colour is too light to read on white (contrast %(ratio)s:1; "
                "at least 4.5:1 is needed). Choose a darker shade."
            )
            % {"ratio": f"{ratio:.1f}"}
        )


def validate_hashtag(value: str) -> None:
    if not HASHTAG.match(value):
        raise ValidationError(
            _("Enter one hashtag: # followed by letters, digits or _, no spaces.")
        )


@register_setting(icon="pick")
class BrandSettings(BaseSiteSetting):
    company_name = models.CharField(
        _("company name"), max_length=120, default="Cimientos"
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    primary_colour = models.CharField(
        _("primary colour"),
        max_length=7,
        default="#8a3b12",
        validators=[validate_hex_colour],
        help_text=_(
            "Used for links and buttons; choose one with enough contrast on white."
        ),
    )
    disclosure_hashtag = models.CharField(
        _("disclosure hashtag"),
        max_length=61,
        default="#Empleado",
        validators=[validate_hashtag],
        help_text=_("Advocates' posts always include it, e.g. #EmpleadoDeBrisa."),
    )
    utm_source_default = models.SlugField(
        _("default UTM campaign"),
        max_length=60,
        default="employee-advocacy",
        help_text=_("utm_campaign for shared links that belong to no campaign."),
    )

    panels = [
        FieldPanel("company_name"),
        FieldPanel("logo"),
        FieldPanel("primary_colour"),
        FieldPanel("disclosure_hashtag"),
        FieldPanel("utm_source_default"),
    ]

    class Meta:
        verbose_name = _("brand")
