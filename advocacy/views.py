"""The hub: approved posts to share, the opt-in, the share flow, and what
comes around them: campaigns, milestones, suggestions, notifications and
leaderboards."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Max, Q, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.models import Page

from identity.models import BrandSettings
from people.inputs import id_parse
from people.models import Team

from . import rewards, selectors, services
from .forms import ConsentForm, LeaderboardFilterForm, ShareForm, SuggestionForm
from .intents import share_intent_url
from .models import (
    AdvocacyConsent,
    Badge,
    BadgeAward,
    Campaign,
    HubEvent,
    MilestonePrompt,
    Network,
    Notification,
    Topic,
)
from .stats import posts_with_counts

PAGE_SIZE = 12
NOTIFICATIONS_PAGE_SIZE = 20
MILESTONE_TEMPLATES_SHOWN = 3


def _employee(request: HttpRequest):
    employee = getattr(request.user, "employee", None)
    if employee is None:
        raise Http404
    return employee


def _last_event_id() -> int:
    """Where a page's live socket starts: events before it are in the page."""
    return HubEvent.objects.aggregate(top=Max("pk"))["top"] or 0


def _certifying_path_url() -> str | None:
    from onboarding.models import PathPage

    path = PathPage.objects.live().filter(grants_certification=True).first()
    return path.localized.url if path else None


def hub(request: HttpRequest) -> HttpResponse:
    """The feed, the reader's language first; everyone may read it."""
    employee = _employee(request)
    status = selectors.advocate_status(employee=employee)
    # Each card shows its image and who suggested it: fetched with the page,
    # so a page of 12 costs what a page of 5 does.
    posts = (
        posts_with_counts(selectors.shareable_posts())
        .select_related("suggested_by", "image")
        .prefetch_related("image__renditions")
    )
    topic = Topic.objects.filter(slug=request.GET.get("topic", "")).first()
    campaign = Campaign.objects.filter(slug=request.GET.get("campaign", "")).first()
    query = request.GET.get("q", "").strip()[:100]
    if topic:
        posts = posts.filter(topics=topic)
    if campaign:
        posts = posts.filter(campaign=campaign)
    if query:
        posts = posts.filter(Q(title__icontains=query) | Q(commentary__icontains=query))
    language = (get_language() or "es")[:2]
    posts = posts.annotate(
        other_language=Case(
            When(language=language, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("other_language", "-first_published_at", "-pk")
    page = Paginator(posts, PAGE_SIZE).get_page(request.GET.get("page"))
    shown_campaigns = [campaign] if campaign else rewards.live_campaigns()
    badges = list(
        BadgeAward.objects.filter(employee=employee).select_related("campaign")
    )
    return render(
        request,
        "advocacy/hub.html",
        {
            "page_obj": page,
            "status": status,
            "certifying_path_url": _certifying_path_url(),
            "topics": Topic.objects.all(),
            "campaigns": Campaign.objects.all(),
            "topic": topic,
            "campaign": campaign,
            "query": query,
            "filtered": bool(query or topic or campaign or page.number > 1),
            "last_event_id": _last_event_id(),
            "campaign_progress": rewards.campaigns_progress(campaigns=shown_campaigns),
            "milestones": _milestones(employee, status, language),
            "points": rewards.points_total(employee=employee),
            "badges": badges,
            "suggestion_form": SuggestionForm(),
        },
    )


def _milestone_message(prompt: MilestonePrompt) -> str:
    subject = services.milestone_subject(prompt=prompt)
    if prompt.kind == MilestonePrompt.Kind.FIRST_MONTH:
        return _("You completed your first month — share it in your own words")
    if prompt.kind == MilestonePrompt.Kind.BADGE:
        return _("You earned the badge “%(subject)s” — share it in your own words") % {
            "subject": subject
        }
    return _("You completed “%(subject)s” — share it in your own words") % {
        "subject": subject
    }


def _milestones(employee, status, language: str) -> list[dict]:
    """Open milestone prompts with the templates to share them, for advocates.

    People who cannot share see nothing of milestones, and a prompt with no
    template to share it with is not shown either.
    """
    if not status.can_share:
        return []
    rewards.milestone_first_month_check(employee=employee)
    prompts = list(rewards.milestone_prompts_open(employee=employee))
    if not prompts:
        return []
    templates = list(
        selectors.milestone_templates(language=language)[:MILESTONE_TEMPLATES_SHOWN]
    )
    if not templates:
        return []
    return [
        {"prompt": p, "message": _milestone_message(p), "templates": templates}
        for p in prompts
    ]


def post_card(request: HttpRequest, pk: int) -> HttpResponse:
    """One feed card, for the hub to insert when a post is published live."""
    employee = _employee(request)
    post = get_object_or_404(
        posts_with_counts(selectors.shareable_posts()).select_related(
            "suggested_by", "image"
        ),
        pk=pk,
    )
    return render(
        request,
        "advocacy/_post_card.html",
        {"post": post, "status": selectors.advocate_status(employee=employee)},
    )


def consent(request: HttpRequest) -> HttpResponse:
    """Opt in (with a clear statement) or out, at any time."""
    employee = _employee(request)
    current = AdvocacyConsent.objects.filter(employee=employee).first()
    if request.method == "POST":
        if request.POST.get("action") == "opt_out":
            services.consent_opt_out(employee=employee)
            messages.success(
                request,
                _("You have opted out. Your earlier links keep working."),
            )
            return redirect("advocacy:hub")
        form = ConsentForm(request.POST)
        if form.is_valid():
            services.consent_opt_in(
                employee=employee,
                on_leaderboards=form.cleaned_data["on_leaderboards"],
                visible_to_manager=form.cleaned_data["visible_to_manager"],
            )
            messages.success(request, _("Thank you: you have opted in to advocacy."))
            return redirect("advocacy:hub")
    else:
        initial = {}
        if current:
            initial = {
                "on_leaderboards": current.on_leaderboards,
                "visible_to_manager": current.visible_to_manager,
            }
        form = ConsentForm(initial=initial)
    return render(request, "advocacy/consent.html", {"form": form, "consent": current})


def share(request: HttpRequest, pk: int) -> HttpResponse:
    """Pick a network, put it in your own words, then open the network.

    A milestone template is shared only with ``?milestone=<prompt id>`` naming
    an open prompt of the person's own; anything else is not found.
    """
    employee = _employee(request)
    prompt = None
    if "milestone" in request.GET:
        prompt = selectors.milestone_prompt_of(
            employee=employee, prompt_id=request.GET["milestone"]
        )
        if prompt is None:
            raise Http404
        post = get_object_or_404(selectors.milestone_templates(), pk=pk)
    else:
        post = get_object_or_404(selectors.shareable_posts(), pk=pk)
    status = selectors.advocate_status(employee=employee)
    if not status.can_share:
        return redirect("advocacy:hub")
    hashtag = BrandSettings.for_request(request).disclosure_hashtag
    network = request.POST.get("network") or request.GET.get("network") or "linkedin"
    if network not in Network.values:
        network = Network.LINKEDIN
    instance = status.consent.mastodon_instance if status.consent else ""
    nudge = False
    if request.method == "POST":
        form = ShareForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            caption = services.with_disclosure(caption=data["caption"], hashtag=hashtag)
            personal = services.caption_is_personal(
                post=post,
                network=data["network"],
                caption=caption,
                hashtag=hashtag,
                suggested=_caption(post, data["network"], prompt),
                # A second submission of today's share is judged as the first.
                key=services.share_key(
                    employee=employee, post=post, network=data["network"], prompt=prompt
                ),
            )
            if personal or data["confirm"]:
                return _share_and_open(request, post, data, hashtag, employee, prompt)
            nudge = True
            form = ShareForm(
                initial={**data, "confirm": True, "caption": data["caption"]}
            )
    else:
        form = ShareForm(
            initial={
                "network": network,
                "caption": _caption(post, network, prompt) or post.commentary,
                "mastodon_instance": instance,
            }
        )
    captions = {n: _caption(post, n, prompt) for n in Network.values}
    return render(
        request,
        "advocacy/share.html",
        {
            "post": post,
            "form": form,
            "hashtag": hashtag,
            "nudge": nudge,
            "captions": captions,
            "milestone": _milestone_message(prompt) if prompt else "",
        },
    )


def _caption(post, network: str, prompt) -> str:
    if prompt is None:
        return post.caption(network)
    return services.milestone_caption(post=post, network=network, prompt=prompt)


def _share_and_open(request, post, data, hashtag, employee, prompt) -> HttpResponse:
    try:
        shared = services.share_create(
            employee=employee,
            post=post,
            network=data["network"],
            caption=data["caption"],
            hashtag=hashtag,
            prompt=prompt,
        )
    except services.SharingRefused as refused:
        messages.error(request, str(refused))
        return redirect("advocacy:hub")
    if data["network"] == Network.MASTODON:
        services.consent_mastodon_instance_save(
            employee=employee, instance=data["mastodon_instance"]
        )
    link = request.build_absolute_uri(f"/s/{shared.link.code}")
    intent = share_intent_url(
        network=data["network"],
        caption=shared.caption,
        link=link,
        title=post.title,
        instance=data["mastodon_instance"],
    )
    return render(
        request,
        "advocacy/shared.html",
        {"post": post, "share": shared, "link": link, "intent": intent},
    )


@require_POST
def milestone_close(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Not now": the prompt is not offered again. Only one's own."""
    employee = _employee(request)
    prompt = get_object_or_404(MilestonePrompt, pk=pk, employee=employee)
    rewards.milestone_prompt_close(prompt=prompt)
    messages.success(request, _("Fine — we won't offer this milestone again."))
    return redirect("advocacy:hub")


# --- Suggestions -------------------------------------------------------------------


SUGGESTION_STATUS_LABELS = {
    selectors.SuggestionStatus.AWAITING: gettext_lazy("Awaiting review"),
    selectors.SuggestionStatus.LIVE: gettext_lazy("Approved — in the hub"),
    selectors.SuggestionStatus.ENDED: gettext_lazy("Approved — no longer in the hub"),
    selectors.SuggestionStatus.DECLINED: gettext_lazy("Not approved"),
}


def suggest(request: HttpRequest) -> HttpResponse:
    """Suggest a link; Communications review it like any other post."""
    employee = _employee(request)
    if request.method == "POST":
        form = SuggestionForm(request.POST)
        if form.is_valid():
            try:
                services.suggestion_create(employee=employee, **form.cleaned_data)
            except services.SharingRefused as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(
                    request,
                    _(
                        "Thanks! Communications will review it; "
                        "we'll tell you the outcome."
                    ),
                )
                return redirect("advocacy:suggest")
    else:
        form = SuggestionForm()
    suggestions = list(selectors.suggestions_of(employee=employee))
    for post in suggestions:
        post.status_label = SUGGESTION_STATUS_LABELS[post.suggestion_status]
    return render(
        request,
        "advocacy/suggest.html",
        {
            "form": form,
            "suggestions": suggestions,
            "last_event_id": _last_event_id(),
        },
    )


# --- Notifications -----------------------------------------------------------------


def unread_label(count: int) -> str:
    return ngettext(
        "%(counter)s unread notification", "%(counter)s unread notifications", count
    ) % {"counter": count}


def _due(value: str) -> str:
    try:
        return date_format(dt.date.fromisoformat(value), "DATE_FORMAT")
    except (TypeError, ValueError):
        return ""


def _notification_items(request: HttpRequest, notifications) -> list[dict]:
    """Each notification as a sentence in the reader's language, with a link.

    Links go to a post only while it is in the hub; one query for the page.
    """
    post_ids = {(n.data or {}).get("post") for n in notifications} - {None}
    live_ids = set(
        selectors.shareable_posts()
        .filter(pk__in=[p for p in post_ids if isinstance(p, int)])
        .values_list("pk", flat=True)
    )
    module_ids = {
        (n.data or {}).get("module")
        for n in notifications
        if n.kind == Notification.Kind.REACKNOWLEDGE
    } - {None}
    modules = Page.objects.in_bulk([m for m in module_ids if isinstance(m, int)])
    hub_url = reverse("advocacy:hub")
    items = []
    for n in notifications:
        data = n.data or {}
        title = data.get("title", "")
        post_url = (
            f"{hub_url}#post-{data['post']}" if data.get("post") in live_ids else ""
        )
        text, url = _("You have a new notification."), ""
        if n.kind == Notification.Kind.CLICK_MILESTONE:
            network = data.get("network", "")
            values = {
                "network": Network(network).label
                if network in Network.values
                else network,
                "title": title,
                "clicks": data.get("clicks", ""),
            }
            if data.get("clicks") == 1:
                text = _("Your link on %(network)s for “%(title)s” got its first click")
            else:
                text = _(
                    "Your link on %(network)s for “%(title)s” reached %(clicks)s clicks"
                )
            text, url = text % values, post_url
        elif n.kind == Notification.Kind.SUGGESTION:
            if data.get("approved"):
                text = _("Your suggestion “%(title)s” was approved and is in the hub")
                url = post_url
            else:
                text = _("Your suggestion “%(title)s” was not approved this time")
                url = reverse("advocacy:suggest")
            text = text % {"title": title}
        elif n.kind == Notification.Kind.BADGE:
            badge = data.get("badge", "")
            label = Badge(badge).label if badge in Badge.values else badge
            if data.get("campaign"):
                text = _("You earned the badge “%(badge)s” in %(campaign)s") % {
                    "badge": label,
                    "campaign": data["campaign"],
                }
            else:
                text = _("You earned the badge “%(badge)s”") % {"badge": label}
            url = f"{hub_url}#your-advocacy"
        elif n.kind == Notification.Kind.REACKNOWLEDGE:
            due = _due(data.get("due", ""))
            values = {"title": title, "due": due}
            if due:
                text = _(
                    "A policy changed: please read “%(title)s” again and accept it "
                    "by %(due)s"
                )
            else:
                text = _(
                    "A policy changed: please read “%(title)s” again and accept it"
                )
            text = text % values
            module = modules.get(data.get("module"))
            url = (module.localized.get_url(request) if module else "") or reverse(
                "onboarding:my_path"
            )
        items.append({"notification": n, "text": text, "url": url})
    return items


def notifications(request: HttpRequest) -> HttpResponse:
    """The person's notifications, newest first. Reading does not mark them:
    unread ones stay marked until the person says so."""
    _employee(request)
    page = Paginator(
        Notification.objects.filter(user=request.user).order_by("-created_at", "-pk"),
        NOTIFICATIONS_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "advocacy/notifications.html",
        {
            "page_obj": page,
            "items": _notification_items(request, list(page.object_list)),
            "unread": selectors.notifications_unread_count(user=request.user),
            "last_event_id": _last_event_id(),
        },
    )


def notification_item(request: HttpRequest, pk: int) -> HttpResponse:
    """One notification, for the live hub to announce and insert. Owner only."""
    _employee(request)
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    unread = selectors.notifications_unread_count(user=request.user)
    return render(
        request,
        "advocacy/_notification.html",
        {
            "item": _notification_items(request, [notification])[0],
            "fragment_unread": unread,
            "fragment_unread_label": unread_label(unread),
        },
    )


@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification (``id``) or all of them as read; one's own only."""
    _employee(request)
    if "id" in request.POST:
        notification_id = id_parse(request.POST["id"])
        if notification_id is None:
            raise Http404
        notification = get_object_or_404(
            Notification, pk=notification_id, user=request.user
        )
        services.notifications_mark_read(
            user=request.user, notification_id=notification.pk
        )
    else:
        services.notifications_mark_read(user=request.user)
        messages.success(request, _("All notifications are marked as read."))
    url = reverse("advocacy:notifications")
    page = id_parse(request.POST.get("page", ""))
    return redirect(f"{url}?{urlencode({'page': page})}" if page else url)


# --- Leaderboards ------------------------------------------------------------------


def leaderboard(request: HttpRequest) -> HttpResponse:
    """Who earned most points this week, month or ever; opted-in people only.

    ``?fragment=board`` returns the board alone, for the live page to swap in.
    """
    employee = _employee(request)
    form = LeaderboardFilterForm(request.GET)
    form.is_valid()
    period = form.cleaned_data.get("period") or rewards.Period.WEEK
    scope = form.cleaned_data.get("scope") or "all"
    consent = AdvocacyConsent.objects.filter(employee=employee).first()
    if request.method == "POST":
        return _leaderboard_visibility(request, employee, consent, period, scope)
    team = employee.team if scope == "team" else None
    no_team = scope == "team" and team is None
    leaders, mine = [], None
    if not no_team:
        team_id = team.pk if team else None
        leaders = rewards.leaderboard(period=period, team_id=team_id)
        mine = rewards.leaderboard_position(
            employee=employee, period=period, team_id=team_id
        )
    teams = Team.objects.in_bulk({row.employee.team_id for row in leaders} - {None})
    rows = [
        {
            "rank": leader.rank,
            "name": leader.employee.preferred_name or leader.employee.full_name,
            "team": teams.get(leader.employee.team_id),
            "points": leader.points,
            "me": leader.employee.pk == employee.pk,
        }
        for leader in leaders
    ]
    context = {
        "form": form,
        "period": period,
        "scope": scope,
        "team": team,
        "no_team": no_team,
        "rows": rows,
        "mine": mine,
        "mine_listed": any(row["me"] for row in rows),
        "consent": consent,
        "opted_in": consent is not None and consent.active,
        "last_event_id": _last_event_id(),
    }
    if request.GET.get("fragment") == "board":
        return render(request, "advocacy/_leaderboard_board.html", context)
    return render(request, "advocacy/leaderboard.html", context)


def _leaderboard_visibility(request, employee, consent, period, scope):
    """ "Hide me" / "Show me": only the viewer's own consent changes."""
    show = request.POST.get("action") == "show"
    if not services.consent_leaderboards_set(employee=employee, show=show):
        messages.error(
            request,
            _("Only people who opted in to advocacy appear on leaderboards."),
        )
    else:
        messages.success(
            request,
            _("You are shown on leaderboards again.")
            if show
            else _("You are hidden from leaderboards."),
        )
    url = reverse("advocacy:leaderboard")
    return redirect(f"{url}?{urlencode({'period': period, 'scope': scope})}")
