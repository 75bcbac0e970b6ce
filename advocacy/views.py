"""The hub: approved posts to share, the opt-in, and the share flow."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Max, Q, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from identity.models import BrandSettings

from . import selectors, services
from .forms import ConsentForm, ShareForm
from .intents import share_intent_url
from .models import AdvocacyConsent, Campaign, HubEvent, Network, Topic
from .stats import posts_with_counts

PAGE_SIZE = 12


def _employee(request: HttpRequest):
    employee = getattr(request.user, "employee", None)
    if employee is None:
        raise Http404
    return employee


def _certifying_path_url() -> str | None:
    from onboarding.models import PathPage

    path = PathPage.objects.live().filter(grants_certification=True).first()
    return path.localized.url if path else None


def hub(request: HttpRequest) -> HttpResponse:
    """The feed, the reader's language first; everyone may read it."""
    employee = _employee(request)
    posts = posts_with_counts(selectors.shareable_posts())
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
    return render(
        request,
        "advocacy/hub.html",
        {
            "page_obj": page,
            "status": selectors.advocate_status(employee=employee),
            "certifying_path_url": _certifying_path_url(),
            "topics": Topic.objects.all(),
            "campaigns": Campaign.objects.all(),
            "topic": topic,
            "campaign": campaign,
            "query": query,
            "last_event_id": HubEvent.objects.aggregate(top=Max("pk"))["top"] or 0,
        },
    )


def post_card(request: HttpRequest, pk: int) -> HttpResponse:
    """One feed card, for the hub to insert when a post is published live."""
    employee = _employee(request)
    post = get_object_or_404(posts_with_counts(selectors.shareable_posts()), pk=pk)
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
    """Pick a network, put it in your own words, then open the network."""
    employee = _employee(request)
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
                post=post, network=data["network"], caption=caption, hashtag=hashtag
            )
            if personal or data["confirm"]:
                return _share_and_open(request, post, data, hashtag, employee)
            nudge = True
            form = ShareForm(
                initial={**data, "confirm": True, "caption": data["caption"]}
            )
    else:
        form = ShareForm(
            initial={
                "network": network,
                "caption": post.caption(network) or post.commentary,
                "mastodon_instance": instance,
            }
        )
    captions = {n: post.caption(n) for n in Network.values}
    return render(
        request,
        "advocacy/share.html",
        {
            "post": post,
            "form": form,
            "hashtag": hashtag,
            "nudge": nudge,
            "captions": captions,
        },
    )


def _share_and_open(request, post, data, hashtag, employee) -> HttpResponse:
    try:
        shared = services.share_create(
            employee=employee,
            post=post,
            network=data["network"],
            caption=data["caption"],
            hashtag=hashtag,
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
