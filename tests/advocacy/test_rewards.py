"""Points, badges, click milestones, campaign progress, leaderboards, suggestions."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from wagtail.models import WorkflowState

from advocacy import rewards
from advocacy.clicks import visitor_hash
from advocacy.models import (
    Badge,
    BadgeAward,
    BrandPost,
    Campaign,
    Click,
    HubEvent,
    MilestonePrompt,
    Notification,
    PointsEntry,
    TrackedLink,
)
from advocacy.selectors import shareable_posts
from advocacy.services import (
    SharingRefused,
    consent_opt_in,
    consent_opt_out,
    share_create,
    suggestion_create,
)
from people import roles
from people.models import Team
from tests.advocacy.test_sharing import _act, _certify, _post
from tests.concurrency import run_at_once
from tests.factories import EmployeeFactory, UserFactory, admin_ready

pytestmark = pytest.mark.django_db


def _points(employee) -> int:
    return rewards.points_total(employee=employee)


def _advocate(name: str, **fields):
    person = EmployeeFactory(full_name=name, **fields)
    _certify(person)
    consent_opt_in(employee=person)
    return person


@pytest.fixture
def advocate(db):
    return _advocate("Alba Embajadora")


def _clicks(link: TrackedLink, visitors: list[str], *, day: dt.date | None = None):
    """Store clicks on ``link`` as the redirect does, then run what follows them."""
    day = day or timezone.now().astimezone(dt.UTC).date()
    at = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    rows = [
        Click(
            link=link,
            at=at,
            day=day,
            network=link.network,
            visitor=visitor_hash(ip=ip, user_agent="Firefox", day=day),
        )
        for ip in visitors
    ]
    Click.objects.bulk_create(rows)
    rewards.clicks_recorded(clicks=rows)
    return rows


# --- Points for shares -------------------------------------------------------------


def test_a_share_earns_once_per_post_and_network_and_more_in_own_words(advocate):
    post = _post()
    share_create(employee=advocate, post=post, network="linkedin", caption="")
    assert _points(advocate) == 5  # the suggested words: not personal

    share_create(employee=advocate, post=post, network="linkedin", caption="")
    assert _points(advocate) == 5  # sharing again earns nothing more

    share_create(
        employee=advocate,
        post=post,
        network="x",
        caption="Mi primer hotel con vistas al Guadalquivir: os lo recomiendo.",
    )
    assert _points(advocate) == 15  # 5 for the share, 5 for the own words
    reasons = sorted(PointsEntry.objects.values_list("reason", flat=True))
    assert reasons == ["personal", "share", "share"]


@pytest.mark.django_db(transaction=True)
def test_simultaneous_first_shares_award_once(advocate):
    post = _post()
    _results, errors = run_at_once(
        lambda: share_create(employee=advocate, post=post, network="x", caption="")
    )
    assert errors == []
    assert PointsEntry.objects.filter(reason="share").count() == 1
    assert _points(advocate) == 5


def test_the_ledger_only_grows(advocate):
    share_create(employee=advocate, post=_post(), network="x", caption="")
    entry = PointsEntry.objects.get()
    entry.points = 500
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    assert _points(advocate) == 5


# --- Clicks: points, milestones ----------------------------------------------------


def test_new_visitors_earn_a_point_each_up_to_the_daily_cap_per_post(advocate):
    post = _post()
    link = share_create(employee=advocate, post=post, network="x", caption="").link
    base = _points(advocate)

    _clicks(link, ["10.0.0.1", "10.0.0.1", "10.0.0.2"])
    assert _points(advocate) == base + 2  # a repeat visitor counts once

    _clicks(link, [f"10.0.1.{n}" for n in range(30)])
    assert _points(advocate) == base + rewards.CLICK_POINTS_CAP

    yesterday = timezone.now().astimezone(dt.UTC).date() - timedelta(days=1)
    _clicks(link, ["10.0.0.1"], day=yesterday)
    assert _points(advocate) == base + rewards.CLICK_POINTS_CAP + 1


def test_previews_earn_nothing(advocate):
    link = share_create(employee=advocate, post=_post(), network="x", caption="").link
    base = _points(advocate)
    day = timezone.now().astimezone(dt.UTC).date()
    row = Click.objects.create(
        link=link,
        at=timezone.now(),
        day=day,
        network="x",
        visitor="bot",
        preview=True,
    )
    rewards.clicks_recorded(clicks=[row])
    assert _points(advocate) == base
    assert not Notification.objects.filter(kind="click_milestone").exists()


@pytest.mark.django_db(transaction=True)
def test_click_milestones_are_told_once_to_the_link_owner_only(advocate):
    colleague = _advocate("Carmen Compañera")
    post = _post()
    link = share_create(employee=advocate, post=post, network="linkedin", caption="")
    link = link.link
    share_create(employee=colleague, post=post, network="linkedin", caption="Hola")

    _clicks(link, ["10.0.0.1"])
    _clicks(link, [f"10.0.2.{n}" for n in range(9)])  # 10 in all
    rows = _clicks(link, ["10.0.3.1"])
    rewards.clicks_recorded(clicks=rows)  # the same clicks told twice

    told = Notification.objects.filter(kind="click_milestone")
    assert sorted(n.data["clicks"] for n in told) == [1, 10]
    assert {n.user_id for n in told} == {advocate.user_id}
    assert told.first().data["network"] == "linkedin"
    # Each is also sent live to that person's group only.
    groups = [
        e.group
        for e in HubEvent.objects.filter(event="notification")
        if e.data["kind"] == "click_milestone"
    ]
    assert groups == [f"person.{advocate.user_id}"] * 2


# --- Badges ------------------------------------------------------------------------


def test_badges_are_earned_once_and_offer_a_milestone(advocate):
    posts = [_post(url=f"https://brisa.example/{n}") for n in range(10)]
    for n, post in enumerate(posts):
        share_create(
            employee=advocate,
            post=post,
            network="x",
            caption=f"Palabras mías, número {n}: {'abcdefghij'[n] * (n + 3)}",
        )
    badges = set(BadgeAward.objects.values_list("badge", flat=True))
    assert badges == {Badge.FIRST_SHARE, Badge.PERSONAL_10}
    link = TrackedLink.objects.filter(employee=advocate).first()
    _clicks(link, [f"10.9.{n // 250}.{n % 250}" for n in range(100)])
    _clicks(link, ["10.8.0.1"])
    assert BadgeAward.objects.filter(employee=advocate).count() == 3
    assert Notification.objects.filter(kind="badge", user=advocate.user).count() == 3
    prompts = MilestonePrompt.objects.filter(employee=advocate, kind="badge")
    assert {p.ref for p in prompts} == {
        Badge.FIRST_SHARE,
        Badge.PERSONAL_10,
        Badge.CLICKS_100,
    }


# --- Campaigns ---------------------------------------------------------------------


def _campaign(goal: str, target: int) -> Campaign:
    today = timezone.localdate()
    return Campaign.objects.create(
        name="Verano",
        slug="verano",
        starts_on=today - timedelta(days=3),
        ends_on=today + timedelta(days=3),
        goal=goal,
        target=target,
    )


@pytest.mark.django_db(transaction=True)
def test_campaign_progress_is_sent_live_and_the_goal_rewards_its_sharers(advocate):
    campaign = _campaign(Campaign.Goal.SHARES, target=2)
    colleague = _advocate("Carmen Compañera")
    outside = _post(url="https://brisa.example/otra")
    post = _post(campaign=campaign)

    share_create(employee=advocate, post=post, network="x", caption="")
    share_create(employee=advocate, post=outside, network="x", caption="")
    progress = HubEvent.objects.filter(event="campaign.progress").latest("pk").data
    assert progress == {"campaign": campaign.pk, "value": 1, "target": 2, "percent": 50}
    assert not BadgeAward.objects.filter(badge=Badge.CAMPAIGN_GOAL).exists()

    share_create(employee=colleague, post=post, network="linkedin", caption="")
    progress = HubEvent.objects.filter(event="campaign.progress").latest("pk").data
    assert progress["value"] == 2 and progress["percent"] == 100
    winners = BadgeAward.objects.filter(badge=Badge.CAMPAIGN_GOAL, campaign=campaign)
    assert set(winners.values_list("employee_id", flat=True)) == {
        advocate.pk,
        colleague.pk,
    }


def test_a_clicks_campaign_counts_real_clicks_inside_its_window(advocate):
    campaign = _campaign(Campaign.Goal.CLICKS, target=10)
    link = share_create(
        employee=advocate, post=_post(campaign=campaign), network="x", caption=""
    ).link
    _clicks(link, ["10.0.0.1", "10.0.0.2", "10.0.0.2"])
    before = timezone.localdate() - timedelta(days=10)
    _clicks(link, ["10.0.0.3"], day=before)  # before the campaign started
    (progress,) = rewards.campaigns_progress(campaigns=[campaign])
    assert progress.value == 3
    assert progress.percent == 30


# --- Leaderboards ------------------------------------------------------------------


def _earn(employee, points_lines: int, *, days_ago: int = 0) -> None:
    at = timezone.now() - timedelta(days=days_ago)
    for n in range(points_lines):
        PointsEntry.objects.create(
            employee=employee,
            reason="share",
            points=5,
            key=f"test:{employee.pk}:{days_ago}:{n}",
            at=at,
        )


def test_leaderboards_show_only_visible_opted_in_people_by_period_and_team():
    from people.models import Department

    team = Team.objects.create(
        name="Recepción", department=Department.objects.create(name="Hoteles")
    )
    ana = _advocate("Ana", team=team)
    bea = _advocate("Bea", team=team)
    carlos = _advocate("Carlos")
    hidden = _advocate("Hidden")
    gone = _advocate("Gone")
    never = EmployeeFactory(full_name="Never opted in")
    _earn(ana, 3)
    _earn(bea, 1)
    _earn(bea, 10, days_ago=40)
    _earn(carlos, 3)
    _earn(hidden, 20)
    _earn(gone, 20)
    _earn(never, 20)
    consent_opt_in(employee=hidden, on_leaderboards=False)
    consent_opt_out(employee=gone)

    week = rewards.leaderboard(period="week")
    assert [(r.rank, r.employee.full_name, r.points) for r in week] == [
        (1, "Ana", 15),
        (1, "Carlos", 15),
        (3, "Bea", 5),
    ]
    all_time = rewards.leaderboard(period="all")
    assert [r.employee.full_name for r in all_time] == ["Bea", "Ana", "Carlos"]
    team_board = rewards.leaderboard(period="week", team_id=team.pk)
    assert [r.employee.full_name for r in team_board] == ["Ana", "Bea"]

    assert rewards.leaderboard_position(employee=bea, period="week").rank == 3
    assert rewards.leaderboard_position(employee=hidden, period="week") is None


def test_onboarding_modules_earn_points_once():
    from onboarding.services import module_complete
    from tests.onboarding.conftest import publish

    path = _certify_path_with_module()
    module = publish(path, _module("Valores"))
    from onboarding.services import enrolment_create

    person = EmployeeFactory(start_date=timezone.localdate() - timedelta(days=3))
    enrolment_create(employee=person, path=path)
    module_complete(employee=person, module=module)
    assert _points(person) == 10
    entry = PointsEntry.objects.get(employee=person)
    assert entry.reason == "module"
    # The path's only module is done: the path is a milestone to share.
    prompt = MilestonePrompt.objects.get(employee=person, kind="path")
    assert prompt.subject == path.title


def _certify_path_with_module():
    from identity.models import HomePage
    from onboarding.models import PathIndexPage, PathPage
    from tests.onboarding.conftest import publish

    home = HomePage.objects.get(locale__language_code="es")
    index = PathIndexPage.objects.first() or publish(
        home, PathIndexPage(title="Itinerarios", slug="itinerarios")
    )
    return publish(index, PathPage(title="Primeros pasos", slug="primeros-pasos"))


def _module(title: str):
    from onboarding.models import ModulePage

    return ModulePage(title=title, slug=title.lower())


def test_the_first_month_is_a_milestone_from_day_30_to_60():
    person = EmployeeFactory(start_date=timezone.localdate() - timedelta(days=20))
    assert rewards.milestone_first_month_check(employee=person) is None
    today = timezone.localdate()
    assert rewards.milestone_first_month_check(
        employee=person, today=today + timedelta(days=10)
    )
    assert (
        rewards.milestone_first_month_check(
            employee=person, today=today + timedelta(days=11)
        )
        is None  # offered once
    )
    late = EmployeeFactory(start_date=today - timedelta(days=90))
    assert rewards.milestone_first_month_check(employee=late) is None


# --- Suggestions -------------------------------------------------------------------


def test_a_suggestion_is_a_draft_for_communications_and_its_author_hears_back(
    client, advocate
):
    post = suggestion_create(
        employee=advocate,
        url="https://prensa.example/brisa-premio",
        why="Nos han dado un premio de sostenibilidad.",
    )
    assert not post.live and post.suggested_by == advocate
    assert post.title == "prensa.example"
    assert post not in shareable_posts()
    state = WorkflowState.objects.get(object_id=str(post.pk))
    assert state.status == "in_progress" and state.workflow.name == (
        "Communications approval"
    )

    comms = admin_ready(
        UserFactory(email="comms@example.com", roles=[roles.COMMS_APPROVER])
    )
    _act(client, comms, post, "approve")
    post.refresh_from_db()
    assert post.live
    told = Notification.objects.get(user=advocate.user, kind="suggestion")
    assert told.data["approved"] is True

    other = suggestion_create(
        employee=advocate, url="https://prensa.example/otra", why="Otra noticia."
    )
    _act(client, comms, other, "reject")
    other.refresh_from_db()
    assert not other.live
    outcomes = Notification.objects.filter(user=advocate.user, kind="suggestion")
    assert sorted(n.data["approved"] for n in outcomes) == [False, True]


@translation.override("en")
def test_suggestions_refuse_repeats_and_floods(advocate):
    suggestion_create(employee=advocate, url="https://a.example/1", why="Uno")
    with pytest.raises(SharingRefused, match="already suggested"):
        suggestion_create(employee=advocate, url="https://a.example/1", why="Otra vez")
    for n in range(2, 6):
        suggestion_create(employee=advocate, url=f"https://a.example/{n}", why="Más")
    with pytest.raises(SharingRefused, match="five suggestions today"):
        suggestion_create(employee=advocate, url="https://a.example/6", why="Demasiado")
    assert BrandPost.objects.filter(suggested_by=advocate).count() == 5


@pytest.mark.django_db(transaction=True)
def test_managers_up_the_line_hear_that_numbers_moved_but_not_who():
    director = EmployeeFactory(full_name="Directora")
    manager = EmployeeFactory(full_name="Jefa", manager=director)
    person = _advocate("Alba Embajadora", manager=manager)
    link = share_create(employee=person, post=_post(), network="x", caption="").link
    _clicks(link, ["10.0.0.1"])
    events = HubEvent.objects.filter(event="team.activity")
    assert sorted((e.group, e.data["kind"]) for e in events) == [
        (f"line.{director.pk}", "clicks"),
        (f"line.{director.pk}", "share"),
        (f"line.{manager.pk}", "clicks"),
        (f"line.{manager.pk}", "share"),
    ]
    assert all(e.data == {"kind": e.data["kind"]} for e in events)
