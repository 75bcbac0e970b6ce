"""Points, badges, campaign progress, click milestones and milestone prompts.

Everything here is counted from rows (the points ledger, shares, clicks) with
aggregates, never by reading a number, changing it and writing it back, so
work done at the same time in several processes adds up.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from people.dates import date_add, day_start
from people.models import Employee

from .models import (
    Badge,
    BadgeAward,
    Campaign,
    Click,
    MilestonePrompt,
    Notification,
    PointsEntry,
    Share,
    TrackedLink,
)
from .services import HUB_GROUP, group_event_publish, notification_send

POINTS = {
    PointsEntry.Reason.SHARE: 5,
    PointsEntry.Reason.PERSONAL: 5,
    PointsEntry.Reason.CLICK: 1,
    PointsEntry.Reason.MODULE: 10,
}
# New visitors that earn points, per person, per post, per day: one viral
# post should not decide the leaderboard on its own.
CLICK_POINTS_CAP = 20
CLICK_MILESTONES = (1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000)
PERSONAL_BADGE_AT = 10
CLICKS_BADGE_AT = 100
# First-month prompts are offered from day 30 to day 60 after the start date.
FIRST_MONTH = (30, 60)
PROMPT_DAYS = 30  # an unanswered prompt is no longer shown after this


def points_award(
    *,
    employee_id: int,
    reason: str,
    key: str,
    post_id: int | None = None,
    day: dt.date | None = None,
) -> bool:
    """Add a line to the ledger once per ``key``; whether it was added now."""
    try:
        with transaction.atomic():
            PointsEntry.objects.create(
                employee_id=employee_id,
                reason=reason,
                points=POINTS[reason],
                key=key,
                post_id=post_id,
                day=day,
                at=timezone.now(),
            )
    except IntegrityError:
        return False
    return True


def leaderboard_changed() -> None:
    group_event_publish(groups=[HUB_GROUP], event="leaderboard.changed", data={})


def team_activity_publish(*, employee_ids: Iterable[int], kind: str) -> None:
    """Tell the managers up these people's lines that their numbers moved.

    The event names no one: team dashboards reload their own figures, which
    show a person by name only with that person's consent.
    """
    from people.selectors import employee_chain_of_command

    from .services import manager_group_name

    managers: set[int] = set()
    for employee_id in set(employee_ids):
        managers |= employee_chain_of_command(employee_id=employee_id) - {employee_id}
    if managers:
        group_event_publish(
            groups=[manager_group_name(employee_id=m) for m in sorted(managers)],
            event="team.activity",
            data={"kind": kind},
        )


# --- Shares ------------------------------------------------------------------------


def share_rewarded(*, share: Share) -> None:
    """Points for a share (once per post and network), badges, campaign progress.

    Sharing the same post to the same network again earns nothing more.
    """
    base = f"{share.employee_id}:{share.post_id}:{share.network}"
    awarded = points_award(
        employee_id=share.employee_id,
        reason=PointsEntry.Reason.SHARE,
        key=f"share:{base}",
        post_id=share.post_id,
    )
    if share.personalised:
        awarded |= points_award(
            employee_id=share.employee_id,
            reason=PointsEntry.Reason.PERSONAL,
            key=f"personal:{base}",
            post_id=share.post_id,
        )
    badges_check(employee_ids=[share.employee_id])
    team_activity_publish(employee_ids=[share.employee_id], kind="share")
    campaign = share.post.campaign
    if campaign is not None and campaign.goal == Campaign.Goal.SHARES:
        campaign_progress_publish(campaign=campaign)
    if awarded:
        leaderboard_changed()


# --- Clicks ------------------------------------------------------------------------


def clicks_recorded(*, clicks: Iterable[Click]) -> None:
    """After stored clicks commit: counters, points, milestones, badges, campaigns.

    ``clicks`` are the rows just stored (previews included; they earn nothing).
    """
    from .stats import post_stats_publish

    real = [c for c in clicks if not c.preview]
    if not real:
        return
    links = TrackedLink.objects.select_related(
        "employee__user", "post__campaign"
    ).in_bulk({c.link_id for c in real})
    real = [c for c in real if c.link_id in links]
    if not real:
        return
    post_stats_publish(link_ids=set(links))
    awarded = _click_points(real, links)
    _click_milestones(real, links)
    badges_check(employee_ids={link.employee_id for link in links.values()})
    team_activity_publish(
        employee_ids={link.employee_id for link in links.values()}, kind="clicks"
    )
    campaigns = {
        link.post.campaign_id: link.post.campaign
        for link in links.values()
        if link.post.campaign is not None
        and link.post.campaign.goal == Campaign.Goal.CLICKS
    }
    for campaign in campaigns.values():
        campaign_progress_publish(campaign=campaign)
    if awarded:
        leaderboard_changed()


def _click_points(clicks: list[Click], links: dict[int, TrackedLink]) -> bool:
    """One point per new visitor per link per day, capped per person, post, day."""
    groups: dict[tuple[int, int, dt.date], dict[str, int]] = defaultdict(dict)
    for click in clicks:
        link = links[click.link_id]
        key = f"click:{link.pk}:{click.day:%Y%m%d}:{click.visitor}"
        groups[(link.employee_id, link.post_id, click.day)][key] = link.pk
    awarded = False
    for (employee_id, post_id, day), keys in groups.items():
        taken = set(
            PointsEntry.objects.filter(
                employee_id=employee_id,
                post_id=post_id,
                day=day,
                reason=PointsEntry.Reason.CLICK,
            ).values_list("key", flat=True)
        )
        room = CLICK_POINTS_CAP - len(taken)
        for key in sorted(keys):
            if room <= 0:
                break
            if key in taken:
                continue
            if points_award(
                employee_id=employee_id,
                reason=PointsEntry.Reason.CLICK,
                key=key,
                post_id=post_id,
                day=day,
            ):
                room -= 1
                awarded = True
    return awarded


def _click_milestones(clicks: list[Click], links: dict[int, TrackedLink]) -> None:
    """ "Your link on LinkedIn got its 10th click": the highest milestone reached.

    Worked out from the link's total, not from what these clicks added to
    it: clicks reach the database by several ways (the drain, the database
    straight, the spool) and are rewarded in batches that need not follow
    their order, so "before these" is not known. The notification's key
    tells each milestone once.
    """
    totals = dict(
        Click.objects.filter(link_id__in={c.link_id for c in clicks}, preview=False)
        .values_list("link_id")
        .annotate(n=Count("pk"))
    )
    reached = {
        link_id: max(m for m in CLICK_MILESTONES if m <= total)
        for link_id, total in totals.items()
        if total >= CLICK_MILESTONES[0]
    }
    keys = {link_id: f"click:{link_id}:{m}" for link_id, m in reached.items()}
    told = set(
        Notification.objects.filter(key__in=keys.values()).values_list("key", flat=True)
    )
    for link_id, milestone in reached.items():
        if keys[link_id] in told:
            continue
        link = links[link_id]
        notification_send(
            user=link.employee.user,
            kind=Notification.Kind.CLICK_MILESTONE,
            key=keys[link_id],
            data={
                "clicks": milestone,
                "network": link.network,
                "post": link.post_id,
                "title": link.post.title,
            },
        )


# --- Badges ------------------------------------------------------------------------


def badges_check(*, employee_ids: Iterable[int]) -> list[BadgeAward]:
    """Award the badges the people's numbers have reached, each once."""
    ids = set(employee_ids)
    if not ids:
        return []
    numbers = (
        Employee.objects.filter(pk__in=ids)
        .annotate(
            share_total=Count("shares", distinct=True),
            personal_total=Count(
                "shares", filter=Q(shares__personalised=True), distinct=True
            ),
        )
        .values_list("pk", "share_total", "personal_total")
    )
    clicks = dict(
        Click.objects.filter(link__employee_id__in=ids, preview=False)
        .values_list("link__employee_id")
        .annotate(n=Count("pk"))
    )
    awards = []
    for employee_id, shares, personal in numbers:
        reached = []
        if shares >= 1:
            reached.append(Badge.FIRST_SHARE)
        if personal >= PERSONAL_BADGE_AT:
            reached.append(Badge.PERSONAL_10)
        if clicks.get(employee_id, 0) >= CLICKS_BADGE_AT:
            reached.append(Badge.CLICKS_100)
        for badge in reached:
            award = badge_award(employee_id=employee_id, badge=badge)
            if award is not None:
                awards.append(award)
    return awards


def badge_award(
    *, employee_id: int, badge: str, campaign: Campaign | None = None
) -> BadgeAward | None:
    """Award ``badge`` unless the person has it; tell them and offer a milestone."""
    lookup = {"employee_id": employee_id, "badge": badge, "campaign": campaign}
    if BadgeAward.objects.filter(**lookup).exists():
        return None
    try:
        with transaction.atomic():
            award = BadgeAward.objects.create(**lookup, awarded_at=timezone.now())
    except IntegrityError:
        return None
    employee = Employee.objects.select_related("user").get(pk=employee_id)
    data = {"badge": badge}
    if campaign is not None:
        data["campaign"] = campaign.name
    if employee.user_id:
        notification_send(
            user=employee.user,
            kind=Notification.Kind.BADGE,
            key=f"badge:{employee_id}:{badge}:{campaign.pk if campaign else ''}",
            data=data,
        )
    # The badge's name is worked out when shown, in the reader's language;
    # a campaign's name is the campaign's own.
    milestone_prompt_open(
        employee=employee,
        kind=MilestonePrompt.Kind.BADGE,
        ref=f"{badge}:{campaign.pk}" if campaign else badge,
        subject=campaign.name if campaign else "",
    )
    return award


# --- Campaigns ---------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignProgress:
    campaign: Campaign
    value: int

    @property
    def target(self) -> int:
        return self.campaign.target

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.value / self.target)) if self.target else 0

    @property
    def reached(self) -> bool:
        return self.value >= self.target

    def as_event(self) -> dict:
        return {
            "campaign": self.campaign.pk,
            "value": self.value,
            "target": self.target,
            "percent": self.percent,
        }


def _window(campaign: Campaign) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    start = day_start(campaign.starts_on, zone)
    end = day_start(date_add(campaign.ends_on, 1), zone)
    return start, end


def campaigns_progress(*, campaigns: Iterable[Campaign]) -> list[CampaignProgress]:
    """Shares (or real clicks) on each campaign's posts inside its window.

    Two queries whatever the number of campaigns.
    """
    campaigns = list(campaigns)
    if not campaigns:
        return []
    shares_q = Q()
    clicks_q = Q()
    for campaign in campaigns:
        start, end = _window(campaign)
        shares_q |= Q(
            post__campaign=campaign, created_at__gte=start, created_at__lt=end
        )
        clicks_q |= Q(link__post__campaign=campaign, at__gte=start, at__lt=end)
    shares = dict(
        Share.objects.filter(shares_q)
        .values_list("post__campaign")
        .annotate(n=Count("pk"))
        .order_by()
    )
    clicks = dict(
        Click.objects.filter(clicks_q, preview=False)
        .values_list("link__post__campaign")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        CampaignProgress(
            campaign=c,
            value=(shares if c.goal == Campaign.Goal.SHARES else clicks).get(c.pk, 0),
        )
        for c in campaigns
    ]


def live_campaigns(*, today: dt.date | None = None):
    today = today or timezone.localdate()
    return Campaign.objects.filter(starts_on__lte=today, ends_on__gte=today)


def campaign_progress_publish(*, campaign: Campaign) -> CampaignProgress:
    """Tell open hubs how far the campaign is; reward everyone once it's reached."""
    (progress,) = campaigns_progress(campaigns=[campaign])
    group_event_publish(
        groups=[HUB_GROUP], event="campaign.progress", data=progress.as_event()
    )
    if progress.reached:
        start, end = _window(campaign)
        for employee_id in set(
            Share.objects.filter(
                post__campaign=campaign, created_at__gte=start, created_at__lt=end
            ).values_list("employee_id", flat=True)
        ):
            badge_award(
                employee_id=employee_id, badge=Badge.CAMPAIGN_GOAL, campaign=campaign
            )
    return progress


# --- Leaderboards ------------------------------------------------------------------


class Period:
    WEEK = "week"
    MONTH = "month"
    ALL = "all"
    CHOICES = (WEEK, MONTH, ALL)


@dataclass(frozen=True)
class Leader:
    rank: int
    employee: Employee
    points: int


def period_start(*, period: str, now: dt.datetime | None = None) -> dt.datetime | None:
    """Monday 00:00 or the 1st at 00:00, local time; ``None`` for all time."""
    today = timezone.localtime(now).date()
    if period == Period.WEEK:
        first = today - dt.timedelta(days=today.weekday())
    elif period == Period.MONTH:
        first = today.replace(day=1)
    else:
        return None
    return dt.datetime.combine(
        first, dt.time.min, tzinfo=timezone.get_current_timezone()
    )


def leaderboard_entries(*, period: str, team_id: int | None = None):
    """Ledger lines that count on a board: opted-in, visible, still here."""
    entries = PointsEntry.objects.filter(
        employee__advocacy_consent__opted_in_at__isnull=False,
        employee__advocacy_consent__opted_out_at__isnull=True,
        employee__advocacy_consent__on_leaderboards=True,
    ).exclude(employee__status=Employee.Status.LEFT)
    start = period_start(period=period)
    if start is not None:
        entries = entries.filter(at__gte=start)
    if team_id is not None:
        entries = entries.filter(employee__team_id=team_id)
    return entries


def leaderboard(
    *, period: str = Period.WEEK, team_id: int | None = None, limit: int = 20
) -> list[Leader]:
    """The top ``limit`` people by points; equal points share a rank."""
    rows = list(
        leaderboard_entries(period=period, team_id=team_id)
        .values("employee_id")
        .annotate(total=Sum("points"))
        .order_by("-total", "employee_id")[:limit]
    )
    people = Employee.objects.in_bulk([r["employee_id"] for r in rows])
    leaders, rank, previous = [], 0, None
    for position, row in enumerate(rows, start=1):
        if row["total"] != previous:
            rank, previous = position, row["total"]
        leaders.append(Leader(rank, people[row["employee_id"]], row["total"]))
    return leaders


def leaderboard_position(
    *, employee: Employee, period: str, team_id: int | None = None
) -> Leader | None:
    """Where the person stands, if they are on the board at all."""
    entries = leaderboard_entries(period=period, team_id=team_id)
    mine = entries.filter(employee=employee).aggregate(total=Sum("points"))["total"]
    if not mine:
        return None
    ahead = (
        entries.values("employee_id")
        .annotate(total=Sum("points"))
        .filter(total__gt=mine)
        .count()
    )
    return Leader(ahead + 1, employee, mine)


def points_total(*, employee: Employee) -> int:
    return (
        PointsEntry.objects.filter(employee=employee).aggregate(t=Sum("points"))["t"]
        or 0
    )


# --- Milestone prompts -------------------------------------------------------------


def milestone_prompt_open(
    *, employee: Employee, kind: str, ref: str, subject: str = ""
) -> MilestonePrompt | None:
    """Offer the person a milestone post, once per milestone."""
    prompt, created = MilestonePrompt.objects.get_or_create(
        employee=employee,
        kind=kind,
        ref=ref[:60],
        defaults={"subject": subject[:200], "created_at": timezone.now()},
    )
    return prompt if created else None


def milestone_first_month_check(*, employee: Employee, today: dt.date | None = None):
    """From day 30 to day 60 after starting, the first month is a milestone."""
    today = today or timezone.localdate()
    start = employee.start_date
    if start is None:
        return None
    days = (today - start).days
    if FIRST_MONTH[0] <= days <= FIRST_MONTH[1]:
        return milestone_prompt_open(
            employee=employee, kind=MilestonePrompt.Kind.FIRST_MONTH, ref="first-month"
        )
    return None


def milestone_prompts_open(*, employee: Employee):
    """Prompts the person has neither used nor closed, recent ones only."""
    return MilestonePrompt.objects.filter(
        employee=employee,
        closed_at__isnull=True,
        created_at__gte=timezone.now() - dt.timedelta(days=PROMPT_DAYS),
    )


def milestone_prompt_close(*, prompt: MilestonePrompt) -> None:
    MilestonePrompt.objects.filter(pk=prompt.pk, closed_at__isnull=True).update(
        closed_at=timezone.now()
    )
