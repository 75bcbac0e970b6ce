"""The demo organisation's advocacy: a live hub, campaigns and sixty days of reach."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone
from wagtail.models import ModelLogEntry, Revision, WorkflowState

from advocacy.demo import ADVOCATES, advocacy_demo_seed
from advocacy.models import (
    AdvocacyConsent,
    BadgeAward,
    BrandPost,
    Campaign,
    Click,
    HubEvent,
    MilestonePrompt,
    Network,
    Notification,
    PointsEntry,
    Share,
    Topic,
    TrackedLink,
)
from advocacy.rewards import (
    CLICK_POINTS_CAP,
    Period,
    campaigns_progress,
    clicks_recorded,
    leaderboard,
    live_campaigns,
)
from advocacy.selectors import advocate_status, shareable_posts
from advocacy.services import share_create
from people import roles
from people.demo import _email, _people, demo_seed
from people.models import Employee

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db) -> None:
    call_command("seed_demo", verbosity=0)


def _person(key: str) -> Employee:
    person = next(p for p in _people() if p.key == key)
    return Employee.objects.get(user__email=_email(person))


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Topic,
            Campaign,
            BrandPost,
            Revision,
            ModelLogEntry,
            WorkflowState,
            AdvocacyConsent,
            TrackedLink,
            Share,
            Click,
            PointsEntry,
            BadgeAward,
            Notification,
            MilestonePrompt,
        )
    }


def test_seeding_twice_changes_nothing(seeded):
    counts = _counts()
    targets = sorted(Campaign.objects.values_list("slug", "target"))
    dates = sorted(BrandPost.objects.values_list("url", "first_published_at"))
    call_command("seed_demo", verbosity=0)
    assert _counts() == counts
    assert sorted(Campaign.objects.values_list("slug", "target")) == targets
    assert sorted(BrandPost.objects.values_list("url", "first_published_at")) == dates
    assert not HubEvent.objects.exists()


def test_the_hub_has_approved_posts_campaigns_and_milestone_templates(seeded):
    feed = shareable_posts()
    assert feed.count() == 30
    by_language = dict(feed.values_list("language").annotate(n=Count("pk")))
    assert by_language["es"] >= 10 and by_language["en"] >= 10
    assert Topic.objects.count() >= 6
    assert not feed.filter(topics__isnull=True).exists()
    now = timezone.now()
    published = sorted(feed.values_list("first_published_at", flat=True))
    assert now - timedelta(days=61) <= published[0] < now - timedelta(days=50)
    assert now - timedelta(days=7) <= published[-1] < now
    for post in BrandPost.objects.all():
        post.full_clean()  # captions fit each network beside the link
        assert post.url.startswith("https://") and ".example" in post.url
        if post.live:
            for network in (Network.LINKEDIN, Network.X, Network.WHATSAPP):
                assert post.caption(network), (post.title, network)

    # Expired offers and drafts waiting for Communications stay out of the feed.
    expired = BrandPost.objects.filter(expired=True)
    assert expired.count() == 2 and not expired.filter(live=True).exists()
    assert all(post.expire_at < now for post in expired)
    waiting = WorkflowState.objects.filter(status=WorkflowState.STATUS_IN_PROGRESS)
    drafts = BrandPost.objects.filter(
        pk__in=[int(state.object_id) for state in waiting]
    )
    assert drafts.count() == 2 and not drafts.filter(live=True).exists()
    assert drafts.get(suggested_by__isnull=False).suggested_by == _person("lead.sala")
    approver = _person("comms").user  # the Communications approver sign-in
    for state in waiting:
        task = state.current_task_state.task.specific
        assert task.user_can_access_editor(state.content_object, approver)

    templates = BrandPost.objects.filter(milestone_template=True, live=True)
    assert set(templates.values_list("language", flat=True)) == {"es", "en"}
    for post in templates:
        assert "{milestone}" in post.caption_linkedin
        assert "{milestone}" in post.caption_x

    # One campaign ended on target; the live one is about 60% of the way.
    assert Campaign.objects.count() == 2
    (live,) = live_campaigns()
    assert live.goal == Campaign.Goal.CLICKS and live.posts.exists()
    ended = Campaign.objects.exclude(pk=live.pk).get()
    assert ended.ends_on < timezone.localdate() and ended.goal == Campaign.Goal.SHARES
    progress = {p.campaign.pk: p for p in campaigns_progress(campaigns=[live, ended])}
    assert progress[ended.pk].reached
    assert 50 <= progress[live.pk].percent <= 70
    assert BadgeAward.objects.filter(campaign=ended).exists()


def test_certified_sign_ins_share_and_boards_show_only_who_agreed(seeded):
    sign_ins = {s.role: s.email for s in demo_seed()}
    for role in (roles.COMMS_APPROVER, roles.HR_EDITOR, f"{roles.EMPLOYEE} (advocate)"):
        advocate = Employee.objects.get(user__email=sign_ins[role])
        assert advocate_status(employee=advocate).can_share, role
        assert advocate.shares.count() >= 10
        assert Click.objects.filter(link__employee=advocate).count() >= 100
        assert advocate.badges.exists()
        assert Notification.objects.filter(user=advocate.user).exists()
    # The employee sign-in is Irene, still working towards her certification.
    employee = Employee.objects.get(user__email=sign_ins[roles.EMPLOYEE])
    assert not advocate_status(employee=employee).certified
    assert not employee.shares.exists()
    assert not AdvocacyConsent.objects.filter(employee=employee).exists()
    status = advocate_status(employee=_person("staff12"))
    assert status.certified and not status.opted_in

    leaders = leaderboard(period=Period.ALL)
    assert len(leaders) >= 3
    shown = {leader.employee.pk for leader in leaders}
    hidden = AdvocacyConsent.objects.filter(on_leaderboards=False)
    opted_out = AdvocacyConsent.objects.filter(opted_out_at__isnull=False)
    assert hidden.exists() and opted_out.exists()
    assert PointsEntry.objects.filter(employee__advocacy_consent__in=hidden).exists()
    assert not shown & set(hidden.values_list("employee_id", flat=True))
    assert not shown & set(opted_out.values_list("employee_id", flat=True))
    assert AdvocacyConsent.objects.count() == len(ADVOCATES)
    assert leaderboard(period=Period.WEEK)


def test_sixty_days_of_shares_and_clicks_earn_points_once(seeded):
    shares = Share.objects.all()
    assert 150 <= shares.count() <= 600
    assert shares.dates("created_at", "day").count() >= 50
    assert shares.filter(personalised=True).exists()
    assert shares.filter(personalised=False).exists()
    networks = dict(shares.values_list("network").annotate(n=Count("pk")))
    assert networks[Network.LINKEDIN] > networks.get(Network.EMAIL, 0)
    assert all(s.caption.endswith("#EmpleadoDeBrisa") for s in shares)
    # One link per person, post and network, reused by repeated shares.
    assert TrackedLink.objects.count() < shares.count()
    for share in shares.select_related("link"):
        assert share.link.created_at <= share.created_at
    clicks = Click.objects.all()
    assert 1500 <= clicks.count() <= 8000
    previews = clicks.filter(preview=True).count()
    assert 0.08 <= previews / clicks.count() <= 0.25
    repeated = (
        clicks.values("link", "day", "visitor").annotate(n=Count("pk")).filter(n__gt=1)
    )
    assert repeated.exists()
    assert clicks.filter(referrer_host="t.co").exists()
    assert clicks.filter(country="ES").count() > clicks.filter(country="MX").count()
    first_share = dict(TrackedLink.objects.values_list("pk", "created_at"))
    assert all(at >= first_share[link] for link, at in clicks.values_list("link", "at"))
    assert not clicks.filter(at__gt=timezone.now()).exists()

    # The ledger is what advocacy/rewards.py would have written: real clicks
    # and shares after the seed never earn the same points twice.
    lines = PointsEntry.objects.count()
    per_day = (
        PointsEntry.objects.filter(reason=PointsEntry.Reason.CLICK)
        .values("employee", "post", "day")
        .annotate(n=Count("pk"))
    )
    assert max(row["n"] for row in per_day) <= CLICK_POINTS_CAP
    clicks_recorded(clicks=list(clicks))
    assert PointsEntry.objects.count() == lines
    advocate = _person("comms")
    shared = (
        advocate.shares.filter(post__in=shareable_posts())
        .order_by("created_at")
        .first()
    )
    share_create(
        employee=advocate,
        post=shared.post,
        network=shared.network,
        caption=shared.post.caption(shared.network),
    )
    assert PointsEntry.objects.count() == lines  # the same post and network again


def test_the_advocacy_seed_on_its_own_needs_the_people_first(db):
    advocacy_demo_seed()  # no people yet: posts and campaigns only
    assert shareable_posts().count() == 30
    assert not Share.objects.exists() and not HubEvent.objects.exists()
