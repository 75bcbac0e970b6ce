"""Brand posts, topics and campaigns in the Wagtail admin."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import BrandPost, Campaign, Topic


class BrandPostViewSet(SnippetViewSet):
    model = BrandPost
    icon = "pick"
    menu_label = _("Brand posts")
    list_display = ["title", "language", "campaign", "live"]
    list_filter = ["language", "live", "topics", "campaign"]
    search_fields = ["title", "commentary"]
    # The search index cannot sort by a column, and on SQLite it cannot search
    # named fields at all (wagtail#10217): a short list reads the table instead.
    search_backend_name = None


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    menu_label = _("Topics")
    list_display = ["name", "name_en"]
    search_fields = ["name", "name_en"]


class CampaignViewSet(SnippetViewSet):
    model = Campaign
    icon = "flag"
    menu_label = _("Campaigns")
    list_display = ["name", "starts_on", "ends_on", "goal", "target"]
    search_fields = ["name"]


class AdvocacyViewSetGroup(SnippetViewSetGroup):
    items = (BrandPostViewSet, CampaignViewSet, TopicViewSet)
    menu_icon = "pick"
    menu_label = _("Advocacy")
    menu_name = "advocacy"
    menu_order = 220


register_snippet(AdvocacyViewSetGroup)
