"""HR reports on advocacy: reach, top posts and onboarding ↔ advocacy.

Every figure below is worked out by hand from the fixture, in the comments.
"""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from advocacy.models import BrandPost, Campaign, Click, Share, Topic, TrackedLink
from identity.models import HomePage
from insights.advocacy_reports import (
    AdvocacyFilters,
    advocacy_reach,
    onboarding_advocacy,
    top_posts,
)
from onboarding.models import (
    Certificate,
    Enrolment,
    ModulePage,
    ModuleProgress,
    PathIndexPage,
    PathPage,
)
from people import roles
from people.models import Department, Employee
from tests.advocacy.test_sharing import POST_FORM
from tests.factories import EmployeeFactory, UserFactory, admin_ready
from tests.insights.test_reports import _csv_rows, _screen_rows, _shown, _xlsx_rows
from tests.onboarding.conftest import publish

pytestmark = pytest.mark.django_db

REACH_URL = "/admin/reports/advocacy-reach/"
TOP_URL = "/admin/reports/top-posts/"
COHORT_URL = "/admin/reports/onboarding-advocacy/"
ALL_URLS = [REACH_URL, TOP_URL, COHORT_URL]


# Fixture ---------------------------------------------------------------------------
#
# Posts: P1 "Summer menu" (campaign Verano, topic Food), P2 "Cooks wanted"
# (campaign Talento, topics Food and Jobs), P3 "News" (no campaign, no topic),
# P4 "Never shared".
#
# Shares, all two days ago at noon UTC except S5, forty days before that:
#   S1 Ana   P1 linkedin  own words   link A1
#   S2 Ana   P1 linkedin              link A1 again
#   S3 Ana   P2 x         own words   link A2
#   S4 Bruno P2 linkedin              link B1
#   S5 Carla P3 whatsapp  own words   link C1   (old)
#   S6 Dani  P1 x                     link D1
#
# Clicks (v = a visitor, p = a link preview):
#   A1: v1, v1 again the same day, v1 the day before, v2, p1, p2
#       → 4 clicks, 3 unique, 2 previews
#   A2: v3, p3                      → 1 click, 1 unique, 1 preview
#   B1: v1, v4, v4 again            → 3 clicks, 2 unique (v1 on another link
#                                      is another unique click)
#   C1: v5 (old), v6                → 2 clicks, 2 unique
#   D1: p4                          → 0 clicks, 1 preview
#
# All time: 6 shares, 3 in own words (50 %), 10 clicks, 8 unique, 4 previews.
#
# People (Helena, the HR editor, is active too: no department, no enrolment):
#   Ana   Kitchen  certified         start 100 days before her first share
#   Bruno Sales    certified         start 50 days before his first share
#   Carla Rooms    certificate expired, start 10 days before her first share
#   Dani  (none)   certified         no start date
#   Eva   Kitchen  not certified, never shared
#   Gil   Kitchen  withdrew from his path, never shared
#   Leo   Sales    certified but left: in no onboarding ↔ advocacy figure


@pytest.fixture
def noon() -> dt.datetime:
    """Two days ago at noon UTC: the same date in Madrid and in UTC."""
    now = timezone.now().astimezone(dt.UTC)
    return (now - dt.timedelta(days=2)).replace(
        hour=12, minute=0, second=0, microsecond=0
    )


@pytest.fixture
def old(noon) -> dt.datetime:
    return noon - dt.timedelta(days=40)


def _path(index, title: str, modules: list[tuple[str, bool]]):
    path = publish(index, PathPage(title=title, slug=title.lower(), auto_enrol=False))
    return path, [
        publish(
            path,
            ModulePage(title=name, slug=f"{title}-{name}".lower(), required=required),
        )
        for name, required in modules
    ]


def _link_share(person, post, network, *, own=False, at):
    link, _ = TrackedLink.objects.get_or_create(
        employee=person, post=post, network=network
    )
    share = Share.objects.create(
        employee=person,
        post=post,
        link=link,
        network=network,
        caption="Con mis palabras." if own else "Texto sugerido.",
        personalised=own,
    )
    Share.objects.filter(pk=share.pk).update(created_at=at)
    return link


def _click(link, visitor: str, *, at, preview: bool = False) -> None:
    Click.objects.create(
        link=link,
        at=at,
        day=at.astimezone(dt.UTC).date(),
        network=link.network,
        visitor=visitor,
        preview=preview,
    )


@pytest.fixture
def org(noon, old):
    home = HomePage.objects.get(locale__language_code="es")
    index = publish(home, PathIndexPage(title="Itinerarios", slug="itinerarios"))
    welcome, (m1, m2, m3, m4, extra) = _path(
        index,
        "Bienvenida",
        [("M1", True), ("M2", True), ("M3", True), ("M4", True), ("Extra", False)],
    )
    kitchen_path, (k1, k2) = _path(index, "Cocina", [("K1", True), ("K2", True)])

    kitchen = Department.objects.create(name="Kitchen")
    sales = Department.objects.create(name="Sales")
    rooms = Department.objects.create(name="Rooms")
    first_share = noon.date()
    people = {}
    for name, department, start in [
        ("Ana", kitchen, first_share - dt.timedelta(days=100)),
        ("Bruno", sales, first_share - dt.timedelta(days=50)),
        ("Carla", rooms, old.date() - dt.timedelta(days=10)),
        ("Dani", None, None),
        ("Eva", kitchen, first_share - dt.timedelta(days=20)),
        ("Gil", kitchen, first_share - dt.timedelta(days=20)),
        ("Leo", sales, first_share - dt.timedelta(days=20)),
    ]:
        people[name] = EmployeeFactory(
            full_name=f"{name} Test", department=department, start_date=start
        )
    Employee.objects.filter(pk=people["Leo"].pk).update(status=Employee.Status.LEFT)

    def enrol(name, path, *done, started=()):
        enrolment = Enrolment.objects.create(employee=people[name], path=path)
        for module in done:
            ModuleProgress.objects.create(
                enrolment=enrolment,
                module=module,
                started_at=old,
                completed_at=old,
            )
        for module in started:
            ModuleProgress.objects.create(
                enrolment=enrolment, module=module, started_at=old
            )
        return enrolment

    def certify(enrolment, *, days):
        Certificate.objects.create(
            enrolment=enrolment,
            issued_at=old,
            expires_at=timezone.now() + dt.timedelta(days=days),
            advocate=True,
        )

    # Ana 6 of 6 required (two paths), Bruno 3 of 4 (the optional one does not
    # count), Carla 2 of 4, Dani 1 of 4, Eva 0 of 4 (one only opened).
    certify(enrol("Ana", welcome, m1, m2, m3, m4), days=30)
    enrol("Ana", kitchen_path, k1, k2)
    certify(enrol("Bruno", welcome, m1, m2, m3, extra), days=30)
    certify(enrol("Carla", welcome, m1, m2), days=-1)
    certify(enrol("Dani", welcome, m1), days=30)
    enrol("Eva", welcome, started=[m1])
    gil = enrol("Gil", welcome, m1, m2, m3, m4)
    Enrolment.objects.filter(pk=gil.pk).update(withdrawn_at=old)
    certify(enrol("Leo", welcome, m1, m2, m3, m4), days=30)

    verano = Campaign.objects.create(
        name="Verano",
        slug="verano",
        starts_on=old.date(),
        ends_on=noon.date() + dt.timedelta(days=30),
    )
    talento = Campaign.objects.create(
        name="Talento",
        slug="talento",
        starts_on=old.date(),
        ends_on=noon.date() + dt.timedelta(days=30),
    )
    food = Topic.objects.create(name="Gastronomía", name_en="Food")
    jobs = Topic.objects.create(name="Empleo", name_en="Jobs")

    def post(title, campaign, *topics):
        created = BrandPost.objects.create(
            **{**POST_FORM, "title": title, "live": True, "campaign": campaign}
        )
        created.topics.set(topics)
        created.save()
        return created

    p1 = post("Summer menu", verano, food)
    p2 = post("Cooks wanted", talento, food, jobs)
    p3 = post("News", None)
    post("Never shared", verano, food)

    ana, bruno, carla, dani = (people[n] for n in ["Ana", "Bruno", "Carla", "Dani"])
    a1 = _link_share(ana, p1, "linkedin", own=True, at=noon)
    _link_share(ana, p1, "linkedin", at=noon)
    a2 = _link_share(ana, p2, "x", own=True, at=noon)
    b1 = _link_share(bruno, p2, "linkedin", at=noon)
    c1 = _link_share(carla, p3, "whatsapp", own=True, at=old)
    d1 = _link_share(dani, p1, "x", at=noon)

    later = noon + dt.timedelta(hours=1)
    day_before = noon - dt.timedelta(days=1)
    _click(a1, "v1", at=noon)
    _click(a1, "v1", at=later)
    _click(a1, "v1", at=day_before)
    _click(a1, "v2", at=noon)
    _click(a1, "p1", at=noon, preview=True)
    _click(a1, "p2", at=noon, preview=True)
    _click(a2, "v3", at=noon)
    _click(a2, "p3", at=noon, preview=True)
    _click(b1, "v1", at=noon)
    _click(b1, "v4", at=noon)
    _click(b1, "v4", at=later)
    _click(c1, "v5", at=old)
    _click(c1, "v6", at=noon)
    _click(d1, "p4", at=noon, preview=True)
    return {
        "kitchen": kitchen,
        "talento": talento,
        "verano": verano,
        "people": people,
    }


class _Headings(HTMLParser):
    """The column headings of each report table (class "listing")."""

    def __init__(self):
        super().__init__()
        self.headings: list[str] = []
        self._in_listing = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._in_listing = "listing" in (dict(attrs).get("class") or "").split()
        elif tag == "th" and self._in_listing:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "thead":
            self._in_listing = False
        elif tag == "th" and self._cell is not None:
            self.headings.append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _headings(response) -> list[str]:
    parser = _Headings()
    parser.feed(response.content.decode())
    return parser.headings


def _recent(noon) -> dict:
    """A date range from five days before the recent shares until today."""
    return {
        "date_from": (noon.date() - dt.timedelta(days=5)).isoformat(),
        "date_to": timezone.localdate().isoformat(),
    }


# Advocacy reach --------------------------------------------------------------------

# Shares, % in own words, clicks, unique clicks, previews, clicks per share.
TOTAL = ["Total", "6", "50", "10", "8", "4", "1.67"]

REACH_BY = {
    "department": [
        # Ana: S1–S3 (2 own), A1 + A2.
        ["Kitchen", "3", "67", "5", "4", "3", "1.67"],
        ["Sales", "1", "0", "3", "2", "0", "3"],
        ["Rooms", "1", "100", "2", "2", "0", "2"],
        # Dani: S6 got only a preview.
        ["No department", "1", "0", "0", "0", "1", "0"],
        TOTAL,
    ],
    "campaign": [
        # P1: S1, S2, S6; A1 and D1.
        ["Verano", "3", "33", "4", "3", "3", "1.33"],
        # P2: S3, S4; A2 and B1. As many clicks as Verano, fewer shares.
        ["Talento", "2", "50", "4", "3", "1", "2"],
        ["No campaign", "1", "100", "2", "2", "0", "2"],
        TOTAL,
    ],
    "topic": [
        # P1 and P2: P2 counts here and under Jobs.
        ["Food", "5", "40", "8", "6", "4", "1.6"],
        ["Jobs", "2", "50", "4", "3", "1", "2"],
        ["No topic", "1", "100", "2", "2", "0", "2"],
        TOTAL,
    ],
    "network": [
        ["LinkedIn", "3", "33", "7", "5", "2", "2.33"],
        ["WhatsApp", "1", "100", "2", "2", "0", "2"],
        ["X", "2", "50", "1", "1", "2", "0.5"],
        TOTAL,
    ],
}


@pytest.mark.parametrize("group_by", list(REACH_BY))
def test_reach_by_each_grouping_matches_the_hand_count(hr_client, org, group_by):
    response = hr_client.get(REACH_URL, {"group_by": group_by})

    assert response.status_code == 200
    assert _screen_rows(response) == REACH_BY[group_by]


def test_reach_groups_by_department_by_default_and_names_its_column(hr_client, org):
    response = hr_client.get(REACH_URL)

    assert _screen_rows(response) == REACH_BY["department"]
    assert _headings(response) == [
        "Department",
        "Shares",
        "% in own words",
        "Clicks",
        "Unique clicks",
        "Link previews",
        "Clicks per share",
    ]
    assert _headings(hr_client.get(REACH_URL, {"group_by": "network"}))[0] == (
        "Network"
    )
    page = response.content.decode()
    assert "never as clicks" in page
    assert "All time" in page
    assert page.count("data-total") == 1  # the total row stands out


def test_reach_by_topic_says_a_post_counts_in_each_of_its_topics(hr_client, org):
    page = hr_client.get(REACH_URL, {"group_by": "topic"}).content.decode()

    assert "A post in two topics counts in both" in page
    assert "A post in two topics" not in hr_client.get(REACH_URL).content.decode()


def test_previews_are_never_clicks(org):
    rows = advocacy_reach(group_by="network", filters=AdvocacyFilters())
    x = next(r for r in rows if r.label == "X")
    # D1 had a preview and nothing else; A2 one click and one preview.
    assert (x.clicks, x.unique_clicks, x.previews) == (1, 1, 2)
    total = rows[-1]
    assert total.clicks + total.previews == Click.objects.count() == 14


def test_a_date_range_narrows_shares_and_clicks(hr_client, org, noon):
    response = hr_client.get(REACH_URL, _recent(noon))

    # Carla's share and v5's click are older than the range; v6 is not.
    assert _screen_rows(response) == [
        ["Kitchen", "3", "67", "5", "4", "3", "1.67"],
        ["Sales", "1", "0", "3", "2", "0", "3"],
        ["Rooms", "0", "", "1", "1", "0", ""],
        ["No department", "1", "0", "0", "0", "1", "0"],
        ["Total", "5", "40", "9", "7", "4", "1.8"],
    ]
    page = response.content.decode()
    assert "All time" not in page
    # The way to the posts behind these numbers keeps the dates.
    assert f'href="{TOP_URL}?date_from={_recent(noon)["date_from"]}' in page


def test_a_range_with_nothing_in_it_says_so(hr_client, org, old):
    day = (old - dt.timedelta(days=30)).date().isoformat()

    response = hr_client.get(REACH_URL, {"date_from": day, "date_to": day})

    assert _screen_rows(response) == []
    assert "Nothing was shared, clicked or previewed in these dates." in (
        response.content.decode()
    )


def test_reach_filters_by_network_and_by_campaign(hr_client, org):
    response = hr_client.get(REACH_URL, {"network": "x"})
    assert _screen_rows(response) == [
        ["Kitchen", "1", "100", "1", "1", "1", "1"],
        ["No department", "1", "0", "0", "0", "1", "0"],
        ["Total", "2", "50", "1", "1", "2", "0.5"],
    ]

    response = hr_client.get(
        REACH_URL, {"campaign": org["talento"].pk, "group_by": "network"}
    )
    assert _screen_rows(response) == [
        ["LinkedIn", "1", "0", "3", "2", "0", "3"],
        ["X", "1", "100", "1", "1", "1", "1"],
        ["Total", "2", "50", "4", "3", "1", "2"],
    ]


def test_invalid_filter_values_are_ignored(hr_client, org):
    response = hr_client.get(
        REACH_URL,
        {
            "group_by": "salary",
            "network": "myspace",
            "campaign": "999999",
            "department": "nope",
            "date_from": "yesterday",
        },
    )

    assert response.status_code == 200
    assert _screen_rows(response) == REACH_BY["department"]
    for url in [TOP_URL, COHORT_URL]:
        response = hr_client.get(url, {"network": "myspace", "date_to": "31-31-31"})
        assert response.status_code == 200
        assert _screen_rows(response) == _screen_rows(hr_client.get(url))


def test_reach_downloads_hold_the_rows_on_screen(hr_client, org):
    url = f"{REACH_URL}?group_by=topic"
    screen = _screen_rows(hr_client.get(url))

    csv_rows = _csv_rows(hr_client, url)
    xlsx_rows = _xlsx_rows(hr_client, url)

    headings = [
        "Topic",
        "Shares",
        "% in own words",
        "Clicks",
        "Unique clicks",
        "Link previews",
        "Clicks per share",
    ]
    assert csv_rows[0] == headings
    assert csv_rows[1:] == screen
    assert list(xlsx_rows[0]) == headings
    assert [[_shown(v) for v in row] for row in xlsx_rows[1:]] == screen
    assert screen == REACH_BY["topic"]


def test_reach_agrees_with_the_team_dashboard_definitions(org):
    """The same clicks, unique clicks and shares as ``team_advocacy`` counts."""
    total = advocacy_reach(group_by="department", filters=AdvocacyFilters())[-1]
    real = Click.objects.filter(preview=False)
    assert total.clicks == real.count()
    assert total.unique_clicks == (
        real.values("link_id", "day", "visitor").distinct().count()
    )
    assert total.shares == Share.objects.count()


# Top posts -------------------------------------------------------------------------

TOP_ALL = [
    # Rank, post, campaign, shares, % own words, clicks, unique, previews, per share
    ["1", "Summer menu", "Verano", "3", "33", "4", "3", "3", "1.33"],
    ["2", "Cooks wanted", "Talento", "2", "50", "4", "3", "1", "2"],
    ["3", "News", "", "1", "100", "2", "2", "0", "2"],
]


def test_top_posts_rank_by_clicks_then_shares(hr_client, org):
    response = hr_client.get(TOP_URL)

    assert response.status_code == 200
    assert _screen_rows(response) == TOP_ALL
    assert "Never shared" not in response.content.decode()


def test_top_posts_in_a_date_range_and_a_department(hr_client, org, noon):
    response = hr_client.get(TOP_URL, _recent(noon))
    assert _screen_rows(response) == [
        ["1", "Summer menu", "Verano", "3", "33", "4", "3", "3", "1.33"],
        ["2", "Cooks wanted", "Talento", "2", "50", "4", "3", "1", "2"],
        # Shared before the range; v6 clicked in it.
        ["3", "News", "", "0", "", "1", "1", "0", ""],
    ]

    response = hr_client.get(TOP_URL, {"department": org["kitchen"].pk})
    assert _screen_rows(response) == [
        ["1", "Summer menu", "Verano", "2", "50", "4", "3", "2", "2"],
        ["2", "Cooks wanted", "Talento", "1", "100", "1", "1", "1", "1"],
    ]


def test_top_posts_are_paginated_and_downloads_hold_every_post(
    hr_client, org, monkeypatch
):
    from insights.advocacy_reports import TopPostsView

    monkeypatch.setattr(TopPostsView, "paginate_by", 2)
    screen = _screen_rows(hr_client.get(TOP_URL)) + _screen_rows(
        hr_client.get(TOP_URL, {"p": 2})
    )
    assert screen == TOP_ALL

    csv_rows = _csv_rows(hr_client, TOP_URL)
    xlsx_rows = _xlsx_rows(hr_client, TOP_URL)

    headings = [
        "Rank",
        "Post",
        "Campaign",
        "Shares",
        "% in own words",
        "Clicks",
        "Unique clicks",
        "Link previews",
        "Clicks per share",
    ]
    assert csv_rows[0] == headings
    assert csv_rows[1:] == screen
    assert list(xlsx_rows[0]) == headings
    assert [[_shown(v) for v in row] for row in xlsx_rows[1:]] == screen


def test_no_posts_in_the_range_says_so(hr_client, org, old):
    day = (old - dt.timedelta(days=30)).date().isoformat()
    response = hr_client.get(TOP_URL, {"date_from": day, "date_to": day})

    assert _screen_rows(response) == []
    assert "No post was shared, clicked or previewed in these dates." in (
        response.content.decode()
    )


# Onboarding ↔ advocacy -------------------------------------------------------------

# Group, people, % who shared, shares and clicks per person, median days.
COHORTS_ALL = [
    # Ana, Bruno, Dani: 5 shares, 8 clicks; median of 100 and 50 days (Dani
    # has no start date).
    ["Certified advocates", "3", "100", "1.67", "2.67", "75"],
    # Carla (expired), Eva, Gil, Helena: Carla's one share and two clicks.
    ["Not yet certified", "4", "25", "0.25", "0.5", "10"],
    ["0–24 % of onboarding done", "1", "0", "0", "0", ""],  # Eva
    ["25–49 % of onboarding done", "1", "100", "1", "0", ""],  # Dani
    ["50–74 % of onboarding done", "1", "100", "1", "2", "10"],  # Carla
    ["75–99 % of onboarding done", "1", "100", "1", "3", "50"],  # Bruno
    ["Onboarding complete", "1", "100", "3", "5", "100"],  # Ana
    # Gil withdrew; Helena is on no path.
    ["Not enrolled", "2", "0", "0", "0", ""],
]


def test_certified_and_onboarding_bands_match_the_hand_count(hr_client, org):
    response = hr_client.get(COHORT_URL)

    assert response.status_code == 200
    assert _screen_rows(response) == COHORTS_ALL
    page = response.content.decode()
    assert "By certification" in page
    assert "By onboarding completion" in page


def test_a_date_range_narrows_sharing_but_not_the_days_to_a_first_share(
    hr_client, org, noon
):
    response = hr_client.get(COHORT_URL, _recent(noon))

    rows = _screen_rows(response)
    assert rows[:2] == [
        ["Certified advocates", "3", "100", "1.67", "2.67", "75"],
        # Carla shared before the range; v6 clicked her link in it.
        ["Not yet certified", "4", "0", "0", "0.25", "10"],
    ]
    assert rows[4] == ["50–74 % of onboarding done", "1", "0", "0", "1", "10"]


def test_the_department_filter_narrows_the_people(hr_client, org):
    response = hr_client.get(COHORT_URL, {"department": org["kitchen"].pk})

    # Ana, Eva and Gil.
    assert _screen_rows(response) == [
        ["Certified advocates", "1", "100", "3", "5", "100"],
        ["Not yet certified", "2", "0", "0", "0", ""],
        ["0–24 % of onboarding done", "1", "0", "0", "0", ""],
        ["25–49 % of onboarding done", "0", "", "", "", ""],
        ["50–74 % of onboarding done", "0", "", "", "", ""],
        ["75–99 % of onboarding done", "0", "", "", "", ""],
        ["Onboarding complete", "1", "100", "3", "5", "100"],
        ["Not enrolled", "1", "0", "0", "0", ""],
    ]


def test_an_empty_department_says_there_is_nobody(hr_client, org):
    empty = Department.objects.create(name="Empty")

    response = hr_client.get(COHORT_URL, {"department": empty.pk})

    assert _screen_rows(response) == []
    assert "There is nobody to compare yet." in response.content.decode()


def test_cohort_download_is_one_sheet_naming_each_rows_comparison(hr_client, org):
    screen = _screen_rows(hr_client.get(COHORT_URL))

    csv_rows = _csv_rows(hr_client, COHORT_URL)
    xlsx_rows = _xlsx_rows(hr_client, COHORT_URL)

    headings = [
        "Compared by",
        "Group",
        "People",
        "% who shared",
        "Shares per person",
        "Clicks per person",
        "Median days from start date to first share",
    ]
    assert csv_rows[0] == headings
    assert [row[0] for row in csv_rows[1:]] == ["Certification"] * 2 + [
        "Onboarding completion"
    ] * 6
    assert [row[1:] for row in csv_rows[1:]] == screen
    assert list(xlsx_rows[0]) == headings
    assert [[_shown(v) for v in row[1:]] for row in xlsx_rows[1:]] == screen


# A fixed number of queries -----------------------------------------------------------


def _queries(function, **kwargs) -> int:
    with CaptureQueriesContext(connection) as queries:
        function(**kwargs)
    return len(queries)


def _all_counts() -> list[int]:
    everything = AdvocacyFilters()
    return [
        *(
            _queries(advocacy_reach, group_by=group_by, filters=everything)
            for group_by in REACH_BY
        ),
        _queries(top_posts, filters=everything),
        _queries(onboarding_advocacy, filters=everything),
    ]


def test_queries_do_not_grow_with_people_shares_or_clicks(org, noon):
    before = _all_counts()

    extra = Department.objects.create(name="Extra")
    topic = Topic.objects.create(name="Nuevo", name_en="New")
    for n in range(6):
        person = EmployeeFactory(full_name=f"More {n}", department=extra)
        post = BrandPost.objects.create(
            **{**POST_FORM, "title": f"More {n}", "live": True}
        )
        post.topics.set([topic])
        post.save()
        link = _link_share(person, post, "facebook", own=n % 2 == 0, at=noon)
        for v in range(3):
            _click(link, f"more-{n}-{v}", at=noon)
    after = _all_counts()

    # Reach: 4, or 3 by network, with no names to read. Top posts 4,
    # onboarding ↔ advocacy 8.
    assert after == before == [4, 4, 4, 3, 4, 8]
    assert advocacy_reach(group_by="department", filters=AdvocacyFilters())[
        0
    ].label == ("Extra")


# Who may see the reports ----------------------------------------------------------


@pytest.fixture
def comms_client(client):
    user = UserFactory(email="comms@example.com", roles=[roles.COMMS_APPROVER])
    EmployeeFactory(user=user, full_name="Carla Comms")
    client.force_login(admin_ready(user))
    return client


def test_hr_sees_the_three_reports_in_the_menu(hr_client, org):
    page = hr_client.get("/admin/").content.decode()

    for url in ALL_URLS:
        assert url in page


def test_comms_approver_has_no_menu_item_and_is_refused(comms_client, org):
    page = comms_client.get("/admin/").content.decode()
    for url in ALL_URLS:
        assert url not in page
        for target in [url, f"{url}?export=csv", f"{url}results/"]:
            assert comms_client.get(target).status_code == 403, target


def test_employees_and_managers_are_refused(client, org):
    ana = org["people"]["Ana"]
    ana.user.groups.add(Group.objects.get(name=roles.MANAGER))
    client.force_login(ana.user)
    for url in ALL_URLS:
        for target in [url, f"{url}?export=xlsx"]:
            assert client.get(target).status_code == 403, target


def test_administrators_and_hr_leads_may_see_the_reports(client, org):
    for role in [roles.ADMINISTRATOR, roles.HR_LEAD]:
        user = UserFactory(roles=[role])
        EmployeeFactory(user=user)
        client.force_login(admin_ready(user))
        for url in ALL_URLS:
            assert client.get(url).status_code == 200, (role, url)
            # Wagtail refreshes the results alone when a filter changes.
            results = client.get(f"{url}results/", {"network": "linkedin"})
            assert results.status_code == 200, (role, url)
            assert "LinkedIn" in results.content.decode()
