"""Grupo Brisa's identity content: a reader gets it in their own language."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from wagtail.models import Locale, Page, Revision, Site

from identity.demo import identity_demo_seed
from identity.models import (
    BrandSettings,
    CultureIndexPage,
    CulturePage,
    FeaturedLink,
    HomePage,
    Value,
)
from onboarding.models import ModulePage
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

NOT_TRANSLATED = "This page is not translated into your language yet"


@pytest.fixture
def seeded(db) -> None:
    call_command("seed_demo", verbosity=0)


def _read(client, url: str, language: str) -> str:
    """Fetch ``url`` as a signed-in employee who prefers ``language``.

    The ``client`` asks for English in its headers, so a Spanish page proves the
    profile's language, not the browser's, chose the tree.
    """
    client.force_login(EmployeeFactory(preferred_language=language).user)
    response = client.get(url)
    assert response.status_code == 200, (url, language)
    html = response.content.decode()
    assert NOT_TRANSLATED not in html
    assert 'class="notice"' not in html
    return html


def _culture_page(slug: str, language: str) -> CulturePage:
    return CulturePage.objects.get(slug=slug, locale__language_code=language)


def _people_cards(page: CulturePage) -> list:
    return next(b.value for b in page.body if b.block_type == "people_cards")["people"]


def test_spanish_and_english_readers_each_read_mission_in_their_language(
    client, seeded
):
    spanish = _culture_page("mision-y-vision", "es")
    english = _culture_page("mision-y-vision", "en")
    assert spanish.url == english.url == "/quienes-somos/mision-y-vision/"

    html = _read(client, spanish.url, "es")
    assert "Misión y visión" in html
    assert "Nuestra misión" in html
    assert "Hospitalidad de verdad" in html
    assert "Aprender cada día" in html
    assert "La hospitalidad empieza por casa" in html
    assert "Mission and vision" not in html

    html = _read(client, spanish.url, "en")
    assert "Mission and vision" in html
    assert "Our mission" in html
    assert "Genuine hospitality" in html
    assert "Learning every day" in html
    assert "Hospitality begins at home" in html
    assert "Misión y visión" not in html
    assert "Hospitalidad de verdad" not in html


def test_english_pages_are_real_translations_not_aliases(seeded):
    english = (
        Page.objects.filter(locale__language_code="en", depth__gte=3)
        .type(CultureIndexPage, CulturePage)
        .specific()
    )
    assert len(english) == 6
    for page in english:
        assert page.alias_of_id is None, page.title
        assert page.live, page.title
        source = page.get_translation(Locale.get_default())
        assert page.title != source.title


def test_five_values_in_each_language(seeded):
    for language, first in [
        ("es", "Hospitalidad de verdad"),
        ("en", "Genuine hospitality"),
    ]:
        values = Value.objects.filter(locale__language_code=language)
        assert values.count() == 5
        assert values.order_by("sort_order").first().name == first
        assert all(value.statement and value.description for value in values)


def test_history_page_shows_the_timeline_from_1987(client, seeded):
    url = _culture_page("nuestra-historia", "es").url

    html = _read(client, url, "es")
    assert 'datetime="1987-05-04"' in html
    assert "Abre el Hotel Brisa Madrid" in html
    assert "Llegamos a Sevilla" in html
    assert "Certificado de turismo sostenible" in html

    html = _read(client, url, "en")
    assert 'datetime="2025-02-03"' in html
    assert "Hotel Brisa Madrid opens" in html
    assert "We arrive in Seville" in html
    assert "Cimientos is born" in html


def test_social_media_policy_asks_for_the_hashtag_and_keeps_it_voluntary(
    client, seeded
):
    url = _culture_page("politica-de-redes-sociales", "es").url

    html = _read(client, url, "es")
    assert "callout-important" in html
    assert "#EmpleadoDeBrisa" in html
    assert "Nunca datos de huéspedes" in html
    assert "Es voluntario" in html

    html = _read(client, url, "en")
    assert "#EmpleadoDeBrisa" in html
    assert "Never guest data" in html
    assert "voluntary" in html


def test_how_we_work_introduces_people_from_their_profiles(client, seeded):
    page = _culture_page("como-trabajamos", "es")
    people = _people_cards(page)
    assert [p["employee"].user.email for p in people] == [
        "lucia.ferrer@brisa.example",
        "marta.quintana@brisa.example",
    ]

    html = _read(client, page.url, "es")
    assert "Marta Quintana León" in html
    assert "Directora de Personas" in html

    html = _read(client, page.url, "en")
    assert "Marta Quintana León" in html
    assert "People Director" in html


def test_people_cards_fall_back_to_names_without_the_demo_staff(client):
    identity_demo_seed()
    page = _culture_page("como-trabajamos", "es")
    assert [p["employee"] for p in _people_cards(page)] == [None, None]
    html = _read(client, page.url, "es")
    assert "Lucía Ferrer" in html
    assert "Directora general" in html


def test_home_welcomes_and_links_to_pages_in_the_readers_language(client, seeded):
    html = _read(client, "/", "es")
    assert "Te damos la bienvenida a" in html
    assert "Grupo Brisa" in html
    for title in ["Misión y visión", "Nuestra historia", "Política de redes sociales"]:
        assert title in html

    html = _read(client, "/", "en")
    assert "Welcome to" in html
    for title in ["Mission and vision", "Our history", "Social media policy"]:
        assert title in html
    assert "Misión y visión" not in html

    for home in HomePage.objects.all():
        links = home.featured_links.select_related("link_page__locale")
        assert len(links) == 3
        assert {link.link_page.locale_id for link in links} == {home.locale_id}


def test_brand_settings_carry_the_disclosure_hashtag(seeded):
    brand = BrandSettings.for_site(Site.objects.get(is_default_site=True))
    assert brand.company_name == "Grupo Brisa"
    assert brand.disclosure_hashtag == "#EmpleadoDeBrisa"
    assert brand.utm_source_default == "brisa-embajadores"
    brand.full_clean()  # the colour passes the contrast check


def test_every_demo_page_renders_for_both_readers(client, seeded):
    # Modules only open to people enrolled in their path; the onboarding
    # tests cover them.
    pages = Page.objects.live().filter(depth__gte=2).not_type(ModulePage)
    urls = {page.url for page in pages}
    assert len(urls) == 7 + 3  # identity pages, then the path index and two paths
    for language in ("es", "en"):
        for url in urls:
            _read(client, url, language)


def test_seeding_twice_duplicates_nothing(seeded):
    counts = (
        Page.objects.count(),
        CultureIndexPage.objects.count(),
        CulturePage.objects.count(),
        Value.objects.count(),
        FeaturedLink.objects.count(),
        Revision.objects.count(),
    )
    call_command("seed_demo", verbosity=0)
    assert (
        Page.objects.count(),
        CultureIndexPage.objects.count(),
        CulturePage.objects.count(),
        Value.objects.count(),
        FeaturedLink.objects.count(),
        Revision.objects.count(),
    ) == counts
    assert CulturePage.objects.count() == 10
    assert Value.objects.count() == 10
    assert not any(Page.find_problems())  # the page tree stays consistent


def test_an_english_alias_left_by_tree_sync_becomes_a_real_translation():
    """An editor's Spanish page is aliased into English by wagtail-localize."""
    home = HomePage.objects.get(locale__language_code="es")
    index = home.add_child(
        instance=CultureIndexPage(title="Quiénes somos", slug="quienes-somos")
    )
    index.save_revision().publish()
    alias = index.copy_for_translation(
        Locale.objects.get(language_code="en"), alias=True
    )

    identity_demo_seed()

    english = CultureIndexPage.objects.get(pk=alias.pk)
    assert english.alias_of_id is None
    assert english.title == "Who we are"
    assert CultureIndexPage.objects.count() == 2
