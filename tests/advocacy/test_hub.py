"""The hub page: read-only until certified and opted in, then the share flow."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from wagtail.models import Site

from advocacy.models import AdvocacyConsent, Share, Topic, TrackedLink
from advocacy.services import consent_opt_in
from identity.models import BrandSettings
from tests.factories import EmployeeFactory, UserFactory

from .test_sharing import _certify, _post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _disclosure(db):
    brand = BrandSettings.for_site(Site.objects.get(is_default_site=True))
    brand.disclosure_hashtag = "#EmpleadoDeBrisa"
    brand.save()


@pytest.fixture
def reader(client):
    person = EmployeeFactory(user=UserFactory(email="lee@example.com"))
    client.force_login(person.user)
    return person


@pytest.fixture
def advocate(client):
    person = EmployeeFactory(user=UserFactory(email="alba@example.com"))
    _certify(person)
    consent_opt_in(employee=person)
    client.force_login(person.user)
    return person


def test_people_who_cannot_share_read_the_hub_with_the_way_in(client, reader):
    post = _post()
    html = client.get("/hub/").content.decode()
    assert post.title in html
    assert "sharing needs two things" in html
    assert "/hub/consent/" in html and ">Share<" not in html
    response = client.post(
        f"/hub/posts/{post.pk}/share/",
        {"network": "linkedin", "caption": "Hola", "confirm": "True"},
    )
    assert response.status_code == 302
    assert not Share.objects.exists() and not TrackedLink.objects.exists()


def test_opting_in_needs_a_clear_yes_and_can_be_undone(client, reader):
    response = client.post("/hub/consent/", {"on_leaderboards": "on"})
    assert "Tick the box to opt in." in response.content.decode()
    assert not AdvocacyConsent.objects.exists()
    client.post("/hub/consent/", {"agree": "on", "on_leaderboards": "on"})
    consent = AdvocacyConsent.objects.get(employee=reader)
    assert consent.active and consent.opted_in_at is not None
    client.post("/hub/consent/", {"action": "opt_out"})
    consent.refresh_from_db()
    assert not consent.active and consent.opted_out_at is not None


def test_feed_puts_the_readers_language_first_filters_and_pages(client, advocate):
    culture = Topic.objects.create(name="Cultura", name_en="Culture")
    spanish = _post(title="Publicación en español", language="es")
    english = _post(title="Post in English", language="en")
    english.topics.add(culture)
    english.save()  # a cluster keeps its relations until saved
    html = client.get("/hub/").content.decode()  # the client reads English
    assert html.index("Post in English") < html.index("Publicación en español")
    filtered = client.get("/hub/?topic=" + culture.slug).content.decode()
    assert "Post in English" in filtered and spanish.title not in filtered
    searched = client.get("/hub/?q=espa").content.decode()
    assert spanish.title in searched and "Post in English" not in searched
    assert "No approved post matches" in client.get("/hub/?q=zzz").content.decode()
    for n in range(12):
        _post(title=f"Más {n}")
    assert "Page 1 of 2" in client.get("/hub/").content.decode()


def test_an_unchanged_caption_gets_a_nudge_then_shares_with_the_disclosure(
    client, advocate
):
    post = _post()
    url = f"/hub/posts/{post.pk}/share/"
    form = client.get(url).content.decode()
    assert "Ya abrimos en Sevilla." in form
    nudged = client.post(
        url, {"network": "linkedin", "caption": "Ya abrimos en Sevilla."}
    )
    assert "same text others already shared" in nudged.content.decode()
    assert not Share.objects.exists()

    shared = client.post(
        url,
        {"network": "linkedin", "caption": "Ya abrimos en Sevilla.", "confirm": "True"},
    ).content.decode()
    share = Share.objects.get()
    assert not share.personalised
    link = f"http://testserver/s/{share.link.code}"
    assert link in shared
    intent = shared.split('id="share-intent" href="', 1)[1].split('"', 1)[0]
    text = parse_qs(urlparse(intent.replace("&amp;", "&")).query)["text"][0]
    assert text == f"Ya abrimos en Sevilla. #EmpleadoDeBrisa {link}"


def test_own_words_share_at_once_and_mastodon_remembers_the_instance(client, advocate):
    post = _post()
    url = f"/hub/posts/{post.pk}/share/"
    missing = client.post(url, {"network": "mastodon", "caption": "Mi hotel favorito"})
    assert "Say which Mastodon instance you use." in missing.content.decode()
    shared = client.post(
        url,
        {
            "network": "mastodon",
            "caption": "Mi hotel favorito abre hoy",
            "mastodon_instance": "https://Mastodon.Social/@alba",
        },
    ).content.decode()
    assert "https://mastodon.social/share?text=" in shared
    assert Share.objects.get().personalised
    assert AdvocacyConsent.objects.get(employee=advocate).mastodon_instance == (
        "mastodon.social"
    )
    assert "mastodon.social" in client.get(url).content.decode()
