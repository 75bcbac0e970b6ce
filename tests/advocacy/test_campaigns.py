"""The hub shows live campaigns' progress, the person's advocacy and its links."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from advocacy.models import Campaign
from advocacy.services import consent_opt_in, share_create
from tests.factories import EmployeeFactory, UserFactory

from .test_sharing import _certify, _post

pytestmark = pytest.mark.django_db


def _campaign(name, *, days=(-3, 3), **fields) -> Campaign:
    today = timezone.localdate()
    return Campaign.objects.create(
        name=name,
        slug=name.lower().replace(" ", "-"),
        starts_on=today + timedelta(days=days[0]),
        ends_on=today + timedelta(days=days[1]),
        **fields,
    )


@pytest.fixture
def advocate(client):
    person = EmployeeFactory(user=UserFactory(email="ines@example.com"))
    _certify(person)
    consent_opt_in(employee=person)
    client.force_login(person.user)
    return person


def test_live_campaigns_show_their_progress(client, advocate):
    spring = _campaign("Spring openings", target=10)
    reach = _campaign("Reach", goal=Campaign.Goal.CLICKS, target=5)
    _campaign("Last winter", days=(-90, -60))
    post = _post(campaign=spring)
    for network in ("linkedin", "x", "facebook"):
        share_create(employee=advocate, post=post, network=network, caption="Mío")
    html = client.get("/hub/").content.decode()
    assert "Campaigns now" in html
    assert "Spring openings" in html and "Goal: 10 shares" in html
    assert (
        "<span data-campaign-value>3</span> of "
        "<span data-campaign-target>10</span> shares" in html
    )
    assert f'data-campaign="{spring.pk}"' in html and 'aria-valuenow="30"' in html
    assert f'data-campaign="{reach.pk}"' in html and "Goal: 5 clicks" in html
    assert "Last winter</a>" not in html  # ended: only in the filter list


def test_a_campaigns_filter_view_shows_its_progress_even_after_it_ends(
    client, advocate
):
    winter = _campaign("Last winter", days=(-90, -60), target=4)
    _campaign("Spring openings")
    html = client.get(f"/hub/?campaign={winter.slug}").content.decode()
    assert "Campaign progress" in html
    assert f'data-campaign="{winter.pk}"' in html
    assert "<span data-campaign-value>0</span> of" in html
    assert "Spring openings</h3>" not in html and "Spring openings</a>" not in html


def test_a_reached_goal_is_celebrated(client, advocate):
    goal = _campaign("Tiny", target=1)
    share_create(
        employee=advocate, post=_post(campaign=goal), network="x", caption="Mío"
    )
    html = client.get("/hub/").content.decode()
    assert 'aria-valuenow="100"' in html
    assert "Goal reached — thank you!" in html
    assert "data-campaign-reached hidden" not in html


def test_no_live_campaign_no_campaign_section(client, advocate):
    assert "Campaigns now" not in client.get("/hub/").content.decode()


def test_your_advocacy_shows_points_and_badges_once_there_are_some(client, advocate):
    html = client.get("/hub/").content.decode()
    assert 'id="your-advocacy"' not in html
    share_create(employee=advocate, post=_post(), network="linkedin", caption="Mío")
    html = client.get("/hub/").content.decode()
    assert 'id="your-advocacy"' in html
    assert "<strong>10</strong> points" in html  # a share and own words
    assert "First share" in html


def test_the_hub_links_to_the_leaderboard_notifications_and_suggestions(
    client, advocate
):
    html = client.get("/hub/").content.decode()
    for url in ("/hub/leaderboard/", "/hub/notifications/", "/hub/suggest/"):
        assert f'href="{url}' in html
