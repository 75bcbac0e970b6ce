"""HR reports in the Wagtail admin on advocacy: reach, top posts, and
onboarding ↔ advocacy.

The numbers use the definitions of the team dashboard
(``insights.team_advocacy``) and of the hub (``advocacy.stats``), so the same
period shows the same figures everywhere:

- a *click* is a real visit to a tracked link (``preview=False``); link
  previews (a network fetching the page to draw its card) are counted apart;
- a *unique click* is one visitor on one link on one day: the visitor hash is
  salted per UTC day, so the same person on another day counts again;
- a share belongs to the sharer's department *today*, to its post's campaign
  and topics, and to the network it was shared on; a click to the same things
  through its tracked link.

Every report is a fixed handful of ``GROUP BY`` aggregates, whatever the
number of people, shares or clicks: nothing loops over clicks in Python.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

import django_filters
from django import forms
from django.db import connections
from django.db.models import Count, F, Min, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, Table

from advocacy.models import (
    BrandPost,
    Campaign,
    Click,
    Network,
    Share,
    Topic,
    TrackedLink,
)
from onboarding.models import (
    Certificate,
    Enrolment,
    ModulePage,
    ModuleProgress,
    PathPage,
)
from people.models import Department, Employee

from .reports import HRReportView, ReportMenuItem, report_urls
from .team_advocacy import personalised_rate

# --- What every report filters by ------------------------------------------------


@dataclass(frozen=True)
class AdvocacyFilters:
    """Already validated: shares by ``created_at``, clicks by ``at``."""

    since: datetime | None = None
    until: datetime | None = None  # inclusive, the end of the last day
    network: str | None = None
    campaign_id: int | None = None
    department_id: int | None = None


def _share_q(*, filters: AdvocacyFilters) -> Q:
    where = Q()
    if filters.since is not None:
        where &= Q(created_at__gte=filters.since)
    if filters.until is not None:
        where &= Q(created_at__lte=filters.until)
    if filters.network:
        where &= Q(network=filters.network)
    if filters.campaign_id is not None:
        where &= Q(post__campaign_id=filters.campaign_id)
    if filters.department_id is not None:
        where &= Q(employee__department_id=filters.department_id)
    return where


def _shares(*, filters: AdvocacyFilters) -> QuerySet[Share]:
    return Share.objects.filter(_share_q(filters=filters)).order_by()


def _clicks(*, filters: AdvocacyFilters) -> QuerySet[Click]:
    """Real clicks and previews alike; the aggregates tell them apart."""
    clicks = Click.objects.order_by()
    if filters.since is not None:
        clicks = clicks.filter(at__gte=filters.since)
    if filters.until is not None:
        clicks = clicks.filter(at__lte=filters.until)
    if filters.network:
        clicks = clicks.filter(network=filters.network)
    if filters.campaign_id is not None:
        clicks = clicks.filter(link__post__campaign_id=filters.campaign_id)
    if filters.department_id is not None:
        clicks = clicks.filter(link__employee__department_id=filters.department_id)
    return clicks


# --- Counting shares and clicks by group ---------------------------------------


def _ratio(part: int, whole: int) -> float | int | None:
    """Two decimals, and whole numbers stay whole (3, not 3.0) on screen and in
    the downloads alike; None when there is nothing to divide by."""
    if not whole:
        return None
    value = round(part / whole, 2)
    return int(value) if value.is_integer() else value


@dataclass
class ReachCounts:
    shares: int = 0
    personalised: int = 0
    clicks: int = 0
    unique_clicks: int = 0
    previews: int = 0

    @property
    def personalised_rate(self) -> int | None:
        return personalised_rate(personalised=self.personalised, shares=self.shares)

    @property
    def clicks_per_share(self) -> float | int | None:
        return _ratio(self.clicks, self.shares)

    @property
    def empty(self) -> bool:
        return not (self.shares or self.clicks or self.previews)


def _click_counts(*, clicks: QuerySet[Click], key: str) -> tuple[dict, ReachCounts]:
    """Clicks, unique clicks and previews per group of links, and in all, in one
    query.

    Clicks are first counted per visit (one link, day and visitor) and then per
    link on the click table alone, so a million clicks meet the links' groups
    as one row per link. The total is summed from those per-link rows, so a
    click on a post in two topics counts in both topics and once in the total.
    The ORM cannot count distinct tuples per group, so its own SQL and
    parameters for the visits and the groups are wrapped in one statement.
    """
    visits = clicks.values("link_id", "day", "visitor").annotate(
        n_real=Count("pk", filter=Q(preview=False)),
        n_previews=Count("pk", filter=Q(preview=True)),
    )
    groups = TrackedLink.objects.order_by().annotate(grp=F(key)).values("id", "grp")
    visits_sql, visits_params = visits.query.sql_with_params()
    groups_sql, groups_params = groups.query.sql_with_params()
    sql = f"""
        WITH per_link AS (
            SELECT v.link_id AS link_id, SUM(v.n_real) AS n_real,
                SUM(CASE WHEN v.n_real > 0 THEN 1 ELSE 0 END) AS n_unique,
                SUM(v.n_previews) AS n_previews
            FROM ({visits_sql}) v
            GROUP BY v.link_id
        )
        SELECT 0, g.grp, SUM(p.n_real), SUM(p.n_unique), SUM(p.n_previews)
        FROM per_link p INNER JOIN ({groups_sql}) g ON g.id = p.link_id
        GROUP BY g.grp
        UNION ALL
        SELECT 1, NULL, SUM(n_real), SUM(n_unique), SUM(n_previews) FROM per_link
    """  # noqa: S608
    by_group: dict = {}
    total = ReachCounts()
    with connections[visits.db].cursor() as cursor:
        cursor.execute(sql, (*visits_params, *groups_params))
        for is_total, group, real, unique, previews in cursor.fetchall():
            counts = ReachCounts(
                clicks=int(real or 0),
                unique_clicks=int(unique or 0),
                previews=int(previews or 0),
            )
            if is_total:
                total = counts
            else:
                by_group[group] = counts
    return by_group, total


def _reach_by(
    *, shares: QuerySet[Share], clicks: QuerySet[Click], key: str
) -> tuple[dict, ReachCounts]:
    """``ReachCounts`` per group key (None for "no department" and the like),
    leaving out groups with nothing in the period, and the total.

    ``key`` leads from a share or a tracked link (both have the person, the
    post and the network) to the group. Three queries: shares by group, all
    shares, and ``_click_counts``.
    """
    counts, total = _click_counts(clicks=clicks, key=key)
    for row in (
        shares.annotate(grp=F(key))
        .values("grp")
        .annotate(n=Count("pk"), personalised=Count("pk", filter=Q(personalised=True)))
    ):
        found = counts.setdefault(row["grp"], ReachCounts())
        found.shares, found.personalised = row["n"], row["personalised"]
    share_total = shares.aggregate(
        n=Count("pk"), personalised=Count("pk", filter=Q(personalised=True))
    )
    total.shares, total.personalised = share_total["n"], share_total["personalised"]
    return {key: found for key, found in counts.items() if not found.empty}, total


# --- Advocacy reach --------------------------------------------------------------


class GroupBy:
    DEPARTMENT = "department"
    CAMPAIGN = "campaign"
    TOPIC = "topic"
    NETWORK = "network"


GROUP_BY_CHOICES = [
    (GroupBy.DEPARTMENT, _("Department")),
    (GroupBy.CAMPAIGN, _("Campaign")),
    (GroupBy.TOPIC, _("Topic")),
    (GroupBy.NETWORK, _("Network")),
]
GROUP_BY_LABELS = dict(GROUP_BY_CHOICES)

# From a share or a tracked link to its group.
_GROUP_KEYS = {
    GroupBy.DEPARTMENT: "employee__department",
    GroupBy.CAMPAIGN: "post__campaign",
    GroupBy.TOPIC: "post__topics",
    GroupBy.NETWORK: "network",
}

_NONE_LABELS = {
    GroupBy.DEPARTMENT: _("No department"),
    GroupBy.CAMPAIGN: _("No campaign"),
    GroupBy.TOPIC: _("No topic"),
}


@dataclass
class ReachRow(ReachCounts):
    label: str = ""
    total: bool = False


def _topic_name(topic: Topic) -> str:
    if translation.get_language() == "en" and topic.name_en:
        return topic.name_en
    return topic.name


def _group_labels(*, group_by: str, keys: list) -> dict:
    """What each group is called on screen, in one query at most."""
    ids = [key for key in keys if key is not None]
    if group_by == GroupBy.DEPARTMENT:
        labels = dict(Department.objects.filter(pk__in=ids).values_list("pk", "name"))
    elif group_by == GroupBy.CAMPAIGN:
        labels = dict(Campaign.objects.filter(pk__in=ids).values_list("pk", "name"))
    elif group_by == GroupBy.TOPIC:
        labels = {t.pk: _topic_name(t) for t in Topic.objects.filter(pk__in=ids)}
    else:
        labels = {key: str(Network(key).label) for key in ids if key in Network}
    return {key: labels.get(key, str(key)) for key in ids}


def advocacy_reach(*, group_by: str, filters: AdvocacyFilters) -> list[ReachRow]:
    """One row per department, campaign, topic or network, most clicked first,
    then a total row.

    Four queries (three by network): the three of ``_reach_by`` and the
    groups' names. A post in two topics counts in both, so topic rows can add
    up to more than the total, which counts every share and click once. Groups
    with nothing in the period are left out; people or posts without a
    department, campaign or topic make a "No …" row.
    """
    if group_by not in _GROUP_KEYS:
        group_by = GroupBy.DEPARTMENT
    counts, total = _reach_by(
        shares=_shares(filters=filters),
        clicks=_clicks(filters=filters),
        key=_GROUP_KEYS[group_by],
    )
    if not counts:
        return []
    labels = _group_labels(group_by=group_by, keys=list(counts))
    rows = [
        ReachRow(
            label=labels[key] if key is not None else str(_NONE_LABELS.get(group_by)),
            **vars(found),
        )
        for key, found in counts.items()
    ]
    rows.sort(key=lambda r: (-r.clicks, -r.shares, r.label.casefold()))
    rows.append(ReachRow(label=str(_("Total")), total=True, **vars(total)))
    return rows


# --- Top posts -------------------------------------------------------------------


@dataclass
class TopPostRow(ReachCounts):
    rank: int = 0
    title: str = ""
    campaign: str = ""


def top_posts(*, filters: AdvocacyFilters) -> list[TopPostRow]:
    """Every post shared, clicked or previewed in the period: most real clicks
    first, then most shares, then by title.

    Four queries: the three of ``_reach_by`` and the posts.
    """
    counts, _total = _reach_by(
        shares=_shares(filters=filters), clicks=_clicks(filters=filters), key="post"
    )
    posts = BrandPost.objects.filter(pk__in=list(counts)).select_related("campaign")
    rows = [
        TopPostRow(
            title=post.title,
            campaign=post.campaign.name if post.campaign else "",
            **vars(counts[post.pk]),
        )
        for post in posts.only("pk", "title", "campaign__name")
    ]
    rows.sort(key=lambda r: (-r.clicks, -r.shares, r.title.casefold()))
    for rank, row in enumerate(rows, start=1):
        row.rank = rank
    return rows


# --- Onboarding ↔ advocacy -------------------------------------------------------


@dataclass
class CohortRow:
    comparison: str
    group: str
    people: int = 0
    sharers: int = 0
    shares: int = 0
    clicks: int = 0
    median_days: float | None = None

    @property
    def shared_rate(self) -> int | None:
        """People who shared at least once in the period, in %."""
        if not self.people:
            return None
        return round(100 * self.sharers / self.people)

    @property
    def shares_per_person(self) -> float | int | None:
        return _ratio(self.shares, self.people)

    @property
    def clicks_per_person(self) -> float | int | None:
        return _ratio(self.clicks, self.people)


# (lowest %, label): a person falls in the last band whose lowest % they reach.
COMPLETION_BANDS = [
    (0, _("0–24 % of onboarding done")),
    (25, _("25–49 % of onboarding done")),
    (50, _("50–74 % of onboarding done")),
    (75, _("75–99 % of onboarding done")),
    (100, _("Onboarding complete")),
]


def _required_modules(*, path_ids: set[int]) -> dict[int, set[int]]:
    """The live required modules of each path, in two queries."""
    if not path_ids:
        return {}
    paths = {}
    where = Q(pk__in=[])
    for pk, tree_path, depth in PathPage.objects.filter(pk__in=path_ids).values_list(
        "pk", "path", "depth"
    ):
        paths[tree_path] = pk
        where |= Q(path__startswith=tree_path, depth=depth + 1)
    required: dict[int, set[int]] = {pk: set() for pk in paths.values()}
    for pk, tree_path in (
        ModulePage.objects.live().filter(where, required=True).values_list("pk", "path")
    ):
        parent = paths.get(tree_path[: -ModulePage.steplen])
        if parent is not None:
            required[parent].add(pk)
    return required


def _completion(
    *, people: QuerySet[Employee]
) -> dict[int, tuple[int, int]]:  # employee → (done, required)
    """Required modules done and required, over each person's active enrolments.

    An organisation-wide approximation of ``insights.team``'s per-person
    figure, cheap enough for everyone at once: a required live module counts
    as done when its progress has a completion date. ``team_rows`` asks
    ``module_state`` instead, so a module re-opened by a changed policy or due
    again after an expired certificate is done there but not here. Four
    queries, whatever the number of people.
    """
    enrolments = list(
        Enrolment.objects.filter(
            withdrawn_at__isnull=True, employee_id__in=people.values("pk")
        ).values_list("employee_id", "path_id")
    )
    required = _required_modules(path_ids={path_id for _e, path_id in enrolments})
    totals: dict[int, int] = {}
    for employee_id, path_id in enrolments:
        totals[employee_id] = totals.get(employee_id, 0) + len(
            required.get(path_id, ())
        )
    module_ids = set().union(*required.values())
    done = dict(
        ModuleProgress.objects.filter(
            enrolment__withdrawn_at__isnull=True,
            enrolment__employee_id__in=people.values("pk"),
            module_id__in=module_ids,
            completed_at__isnull=False,
        )
        .values("enrolment__employee_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("enrolment__employee_id", "n")
    )
    return {pk: (min(done.get(pk, 0), total), total) for pk, total in totals.items()}


def _median(days: list[int]) -> float | None:
    """Whole days stay whole: 75, not 75.0."""
    if not days:
        return None
    median = statistics.median(days)
    return int(median) if float(median).is_integer() else median


def _band(done: int, required: int) -> int | None:
    """Index in ``COMPLETION_BANDS``; None when nothing is required of them."""
    if not required:
        return None
    percent = 100 * done / required
    return max(
        i for i, (lowest, _label) in enumerate(COMPLETION_BANDS) if percent >= lowest
    )


def onboarding_advocacy(
    *, filters: AdvocacyFilters, now: datetime | None = None
) -> list[CohortRow]:
    """Certified advocates against everyone else, then people by how much of
    their onboarding they have done: how many shared in the period, shares and
    real clicks per person, and the median days from start date to first share.

    The people are everyone who has not left (in the chosen department).
    "Certified" means a valid advocate certificate now (as
    ``employee_advocate_certificate``); an expired one counts as not certified.
    The first share is the person's first ever, whatever the period, so the
    median says how long people take to start; it covers the people of the
    group who have shared and have a start date. The network and campaign
    filters narrow the shares and clicks, not the people.

    Eight queries, whatever the number of people: people, certificates, shares,
    clicks and the four of ``_completion``.
    """
    now = now or timezone.now()
    people = Employee.objects.exclude(status=Employee.Status.LEFT)
    if filters.department_id is not None:
        people = people.filter(department_id=filters.department_id)
    start_dates = dict(people.values_list("pk", "start_date"))
    if not start_dates:
        return []
    ids = people.values("pk")
    certified = set(
        Certificate.objects.filter(
            enrolment__employee_id__in=ids, advocate=True, expires_at__gt=now
        ).values_list("enrolment__employee_id", flat=True)
    )
    shared: dict[int, tuple[int, datetime]] = {
        row["employee_id"]: (row["n"], row["first"])
        for row in Share.objects.filter(employee_id__in=ids)
        .values("employee_id")
        .annotate(
            n=Count("pk", filter=_share_q(filters=filters)),
            first=Min("created_at"),
        )
        .order_by()
    }
    clicks = dict(
        _clicks(filters=filters)
        .filter(preview=False, link__employee_id__in=ids)
        .values("link__employee_id")
        .annotate(n=Count("pk"))
        .values_list("link__employee_id", "n")
    )
    completion = _completion(people=people)

    def row(comparison, group, members: list[int]) -> CohortRow:
        days = [
            (timezone.localdate(shared[pk][1]) - start_dates[pk]).days
            for pk in members
            if pk in shared and start_dates[pk] is not None
        ]
        return CohortRow(
            comparison=str(comparison),
            group=str(group),
            people=len(members),
            sharers=sum(1 for pk in members if pk in shared and shared[pk][0]),
            shares=sum(shared[pk][0] for pk in members if pk in shared),
            clicks=sum(clicks.get(pk, 0) for pk in members),
            median_days=_median(days),
        )

    everyone = sorted(start_dates)
    by_band: dict[int | None, list[int]] = {}
    for pk in everyone:
        by_band.setdefault(_band(*completion.get(pk, (0, 0))), []).append(pk)
    certification = _("Certification")
    onboarding = _("Onboarding completion")
    return [
        row(
            certification,
            _("Certified advocates"),
            [pk for pk in everyone if pk in certified],
        ),
        row(
            certification,
            _("Not yet certified"),
            [pk for pk in everyone if pk not in certified],
        ),
        *(
            row(onboarding, label, by_band.get(index, []))
            for index, (_lowest, label) in enumerate(COMPLETION_BANDS)
        ),
        row(onboarding, _("Not enrolled"), by_band.get(None, [])),
    ]


# --- Filters ---------------------------------------------------------------------


def _unchanged(queryset, name, value):
    """The reports read the cleaned values; they filter no queryset themselves."""
    return queryset


class AdvocacyFilterSet(WagtailFilterSet):
    date = django_filters.DateFromToRangeFilter(
        label=_("Date"),
        widget=DateRangePickerWidget,
        method=_unchanged,
        help_text=_(
            "Shares by the day they were shared, clicks by the day of the visit."
        ),
    )
    network = django_filters.ChoiceFilter(
        label=_("Network"),
        choices=Network.choices,
        empty_label=_("All"),
        method=_unchanged,
    )
    campaign = django_filters.ModelChoiceFilter(
        label=_("Campaign"),
        queryset=Campaign.objects.all(),
        method=_unchanged,
    )
    department = django_filters.ModelChoiceFilter(
        label=_("Department"),
        queryset=Department.objects.all(),
        method=_unchanged,
    )

    class Meta:
        model = Share
        fields = []


class ReachFilterSet(AdvocacyFilterSet):
    group_by = django_filters.ChoiceFilter(
        label=_("Group by"),
        choices=GROUP_BY_CHOICES,
        empty_label=None,
        widget=forms.RadioSelect,
        method=_unchanged,
    )

    class Meta:
        model = Share
        fields = ["group_by", "date", "network", "campaign", "department"]


class CohortFilterSet(AdvocacyFilterSet):
    class Meta:
        model = Share
        fields = ["date", "network", "campaign", "department"]


# --- Views -----------------------------------------------------------------------


class AdvocacyReportView(HRReportView):
    """Reads the filters' valid values; an invalid one is ignored, not an error."""

    paginate_by = None

    def get_queryset(self):
        return Share.objects.none()

    @cached_property
    def cleaned(self) -> dict:
        if self.filters is None:
            return {}
        self.filters.is_valid()
        return getattr(self.filters.form, "cleaned_data", {})

    @cached_property
    def advocacy_filters(self) -> AdvocacyFilters:
        dates = self.cleaned.get("date")
        campaign = self.cleaned.get("campaign")
        department = self.cleaned.get("department")
        return AdvocacyFilters(
            since=dates.start if dates else None,
            until=dates.stop if dates else None,
            network=self.cleaned.get("network") or None,
            campaign_id=campaign.pk if campaign else None,
            department_id=department.pk if department else None,
        )

    def get_filtered_queryset(self):
        return self.rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["since"] = self.advocacy_filters.since
        context["until"] = self.advocacy_filters.until
        return context


_REACH_FIGURES = [
    ("shares", _("Shares")),
    # xgettext:no-python-format
    ("personalised_rate", _("% in own words")),
    ("clicks", _("Clicks")),
    ("unique_clicks", _("Unique clicks")),
    ("previews", _("Link previews")),
    ("clicks_per_share", _("Clicks per share")),
]


class ReachTable(Table):
    def get_row_attrs(self, instance):
        attrs = super().get_row_attrs(instance)
        if instance.total:
            attrs["class"] = "w-font-bold"
            attrs["data-total"] = ""
        return attrs


class ReachView(AdvocacyReportView):
    page_title = _("Advocacy reach")
    header_icon = "globe"
    index_url_name = "insights_advocacy_reach"
    index_results_url_name = "insights_advocacy_reach_results"
    results_template_name = "insights/admin/reach_results.html"
    filterset_class = ReachFilterSet
    export_filename = "advocacy-reach"
    table_class = ReachTable

    @cached_property
    def group_by(self) -> str:
        chosen = self.cleaned.get("group_by")
        return chosen if chosen in GROUP_BY_LABELS else GroupBy.DEPARTMENT

    @cached_property
    def headings(self) -> dict:
        return {"label": GROUP_BY_LABELS[self.group_by], **dict(_REACH_FIGURES)}

    @property
    def columns(self):
        return [Column(name, label=label) for name, label in self.headings.items()]

    @property
    def list_export(self):
        return list(self.headings)

    @property
    def export_headings(self):
        return self.headings

    @cached_property
    def rows(self) -> list[ReachRow]:
        return advocacy_reach(group_by=self.group_by, filters=self.advocacy_filters)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["group_by"] = self.group_by
        # "There are N matches" counts groups, not the total row.
        context["items_count"] = max(len(self.rows) - 1, 0)
        # The same dates and filters, one post a row.
        params = self.request.GET.copy()
        for name in ["group_by", "export", self.page_kwarg, "_w_filter_fragment"]:
            params.pop(name, None)
        query = params.urlencode()
        context["top_posts_url"] = reverse("insights_top_posts") + (
            f"?{query}" if query else ""
        )
        return context


class TopPostsView(AdvocacyReportView):
    page_title = _("Top posts")
    header_icon = "pick"
    index_url_name = "insights_top_posts"
    index_results_url_name = "insights_top_posts_results"
    results_template_name = "insights/admin/top_posts_results.html"
    filterset_class = AdvocacyFilterSet
    export_filename = "top-posts"
    paginate_by = 20
    export_headings = {
        "rank": _("Rank"),
        "title": _("Post"),
        "campaign": _("Campaign"),
        **dict(_REACH_FIGURES),
    }
    columns = [Column(name, label=label) for name, label in export_headings.items()]
    list_export = list(export_headings)

    @cached_property
    def rows(self) -> list[TopPostRow]:
        return top_posts(filters=self.advocacy_filters)


class OnboardingAdvocacyView(AdvocacyReportView):
    """Two tables on screen, one sheet in the downloads: its first column says
    which comparison a row belongs to, where the screen has a heading."""

    page_title = _("Onboarding ↔ advocacy")
    header_icon = "group"
    index_url_name = "insights_onboarding_advocacy"
    index_results_url_name = "insights_onboarding_advocacy_results"
    results_template_name = "insights/admin/onboarding_advocacy_results.html"
    filterset_class = CohortFilterSet
    export_filename = "onboarding-advocacy"
    figures = {
        "group": _("Group"),
        "people": _("People"),
        "shared_rate": _("% who shared"),
        "shares_per_person": _("Shares per person"),
        "clicks_per_person": _("Clicks per person"),
        "median_days": _("Median days from start date to first share"),
    }
    export_headings = {"comparison": _("Compared by"), **figures}
    # Widths keep the two tables' columns in line.
    columns = [
        Column(name, label=label, width="25%" if name == "group" else "15%")
        for name, label in figures.items()
    ]
    list_export = list(export_headings)

    @cached_property
    def rows(self) -> list[CohortRow]:
        return onboarding_advocacy(filters=self.advocacy_filters)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = context["object_list"]
        context["certification_table"] = self.get_table(rows[:2])
        context["completion_table"] = self.get_table(rows[2:])
        return context


# --- Admin URLs and menu ---------------------------------------------------------


_VIEWS = [
    ("reports/advocacy-reach/", ReachView, "insights_advocacy_reach"),
    ("reports/top-posts/", TopPostsView, "insights_top_posts"),
    (
        "reports/onboarding-advocacy/",
        OnboardingAdvocacyView,
        "insights_onboarding_advocacy",
    ),
]


@hooks.register("register_admin_urls")
def register_advocacy_report_urls():
    return [
        url for route, view, name in _VIEWS for url in report_urls(route, name, view)
    ]


@hooks.register("register_reports_menu_item")
def register_reach_menu_item():
    return ReportMenuItem(
        _("Advocacy reach"),
        reverse("insights_advocacy_reach"),
        name="advocacy-reach",
        icon_name="globe",
        order=140,
    )


@hooks.register("register_reports_menu_item")
def register_top_posts_menu_item():
    return ReportMenuItem(
        _("Top posts"),
        reverse("insights_top_posts"),
        name="top-posts",
        icon_name="pick",
        order=150,
    )


@hooks.register("register_reports_menu_item")
def register_onboarding_advocacy_menu_item():
    return ReportMenuItem(
        _("Onboarding ↔ advocacy"),
        reverse("insights_onboarding_advocacy"),
        name="onboarding-advocacy",
        icon_name="group",
        order=160,
    )
