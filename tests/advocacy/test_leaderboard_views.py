"""The leaderboard page: opted-in people only, by period and team, hide/show."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from advocacy.models import AdvocacyConsent, PointsEntry
from advocacy.services import consent_opt_in, consent_opt_out
from tests.factories import EmployeeFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def _points(employee, points: int, *, days_ago: int = 0) -> None:
    for n in range(points):
        PointsEntry.objects.create(
            employee=employee,
            reason=PointsEntry.Reason.CLICK,
            points=1,
            key=f"test:{employee.pk}:{days_ago}:{n}",
            at=timezone.now() - timedelta(days=days_ago),
        )


@pytest.fixture
def kitchen(db):
    return TeamFactory(name="Cocina")


@pytest.fixture
def viewer(client, kitchen):
    person = EmployeeFactory(
        user=UserFactory(email="vera@example.com"),
        full_name="Vera Molina",
        team=kitchen,
    )
    consent_opt_in(employee=person)
    client.force_login(person.user)
    return person


@pytest.fixture
def colleagues(kitchen):
    leader = EmployeeFactory(full_name="Lucía Pérez", preferred_name="Lu", team=kitchen)
    other_team = EmployeeFactory(full_name="Olga Sanz", team=TeamFactory(name="Sala"))
    shy = EmployeeFactory(full_name="Samuel Tímido", team=kitchen)
    gone = EmployeeFactory(full_name="Gonzalo Fuera", team=kitchen)
    for person in (leader, other_team, shy, gone):
        consent_opt_in(employee=person)
    AdvocacyConsent.objects.filter(employee=shy).update(on_leaderboards=False)
    consent_opt_out(employee=gone)
    _points(leader, 9)
    _points(other_team, 3)
    _points(shy, 20)
    _points(gone, 30)
    return leader, other_team


def test_the_week_board_ranks_opted_in_people_and_shows_mine(
    client, viewer, colleagues
):
    _points(viewer, 5)
    html = client.get("/hub/leaderboard/").content.decode()
    assert "This week · Everyone" in html
    assert html.index("<td>Lu<") < html.index("Vera Molina") < html.index("Olga Sanz")
    assert "Lucía Pérez" not in html  # the preferred name is used
    assert "Cocina" in html and "Sala" in html
    assert "Samuel Tímido" not in html and "Gonzalo Fuera" not in html
    assert 'class="leaderboard-me" aria-current="true"' in html
    assert "Your position: number 2, with 5 points." in html
    assert "Hide me from leaderboards" in html


def test_periods_count_points_earned_in_them(client, viewer, colleagues):
    leader, _other = colleagues
    _points(viewer, 50, days_ago=400)
    week = client.get("/hub/leaderboard/?period=week").content.decode()
    assert "Vera Molina" not in week and "Your position" not in week
    everything = client.get("/hub/leaderboard/?period=all").content.decode()
    assert "All time · Everyone" in everything
    assert everything.index("Vera Molina") < everything.index("<td>Lu<")
    assert "Your position: number 1, with 50 points." in everything
    # Nonsense falls back to this week rather than failing.
    assert "This week" in client.get("/hub/leaderboard/?period=ever").content.decode()


def test_the_team_board_is_my_team_and_is_explained_without_one(
    client, viewer, colleagues
):
    html = client.get("/hub/leaderboard/?scope=team").content.decode()
    assert "Team Cocina" in html
    assert "<td>Lu<" in html and "Olga Sanz" not in html

    viewer.team = None
    viewer.save()
    html = client.get("/hub/leaderboard/?scope=team").content.decode()
    assert "You are not in a team yet" in html and "<table" not in html


def test_hiding_takes_me_off_and_showing_puts_me_back(client, viewer, colleagues):
    _points(viewer, 5)
    response = client.post("/hub/leaderboard/?period=all&scope=all", {"action": "hide"})
    assert response.status_code == 302
    assert response["Location"] == "/hub/leaderboard/?period=all&scope=all"
    assert not AdvocacyConsent.objects.get(employee=viewer).on_leaderboards
    html = client.get(response["Location"]).content.decode()
    assert "You are hidden from leaderboards." in html  # the message
    assert "Vera Molina" not in html and "Your position" not in html
    assert ">Show me<" in html
    # Only the viewer's own setting changed.
    assert AdvocacyConsent.objects.filter(on_leaderboards=True).count() == 3

    client.post("/hub/leaderboard/", {"action": "show"})
    assert AdvocacyConsent.objects.get(employee=viewer).on_leaderboards
    assert "Vera Molina" in client.get("/hub/leaderboard/").content.decode()


def test_people_who_did_not_opt_in_are_told_why_they_are_not_there(client, colleagues):
    person = EmployeeFactory(full_name="Nadia Nueva")
    _points(person, 40)
    client.force_login(person.user)
    html = client.get("/hub/leaderboard/").content.decode()
    assert "Nadia Nueva" not in html
    assert "You are not on leaderboards" in html and "Hide me" not in html
    response = client.post("/hub/leaderboard/", {"action": "show"}, follow=True)
    assert "Only people who opted in" in response.content.decode()
    assert not AdvocacyConsent.objects.filter(employee=person).exists()


def test_an_empty_board_says_so_and_the_fragment_is_the_board_alone(client, viewer):
    html = client.get("/hub/leaderboard/").content.decode()
    assert "No points yet in this period." in html
    fragment = client.get("/hub/leaderboard/?fragment=board&period=month")
    text = fragment.content.decode()
    assert text.startswith('<div id="leaderboard-board"')
    assert "This month" in text and "<html" not in text
