"""Site search: in the reader's language, through StreamField content, paginated."""

from __future__ import annotations

import pytest
from wagtail.models import Locale, PageViewRestriction

from identity.models import CulturePage, HomePage
from identity.templatetags.identity_tags import highlight
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def _publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def _culture_page(title: str, body: list, *, slug: str, summary: str = ""):
    home = HomePage.objects.get(locale__language_code="es")
    page = home.add_child(
        instance=CulturePage(title=title, slug=slug, summary=summary, body=body)
    )
    return _publish(page)


def _quote(text: str) -> list:
    return [("quote", {"quote": text, "attribution": ""})]


def _translate(page, title: str, body: list, *, summary: str = ""):
    english = page.copy_for_translation(Locale.objects.get(language_code="en"))
    english.title = title
    english.summary = summary
    english.body = body
    return _publish(english)


@pytest.fixture
def hospitality():
    """A Spanish page whose words live only in blocks, and its translation."""
    spanish = _culture_page(
        "Cómo acogemos",
        _quote("La hospitalidad empieza por casa."),
        slug="como-acogemos",
        summary="Lo que hacemos el primer día.",
    )
    english = _translate(
        spanish,
        "How we welcome",
        _quote("Hospitality begins at home."),
        summary="What we do on day one.",
    )
    return spanish, english


@pytest.fixture
def spanish_reader(client):
    client.force_login(EmployeeFactory(preferred_language="es").user)
    return client


@pytest.fixture
def english_reader(client):
    client.force_login(EmployeeFactory(preferred_language="en").user)
    return client


def _search(client, query: str, **params) -> str:
    response = client.get("/search/", {"q": query, **params})
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/search/?q=casa")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/search/")


def test_empty_search_invites_the_reader_to_type_a_word(english_reader):
    page = _search(english_reader, "")
    assert "Type a word to search" in page
    assert "search-count" not in page


def test_spanish_reader_finds_the_spanish_page_by_a_word_in_a_quote_block(
    spanish_reader, hospitality
):
    page = _search(spanish_reader, "hospitalidad")
    assert "Cómo acogemos" in page
    assert 'href="/como-acogemos/"' in page
    assert "Lo que hacemos el primer día." in page
    assert "How we welcome" not in page


def test_english_reader_finds_the_translation_and_not_the_spanish_page(
    english_reader, hospitality
):
    page = _search(english_reader, "hospitality")
    assert "1 result for “hospitality”" in page
    assert "How we welcome" in page
    assert "What we do on day one." in page
    assert "Cómo acogemos" not in page
    assert "Not translated into your language yet" not in page

    # The Spanish word is only in the Spanish page, which is translated.
    page = _search(english_reader, "hospitalidad")
    assert "Nothing matches “hospitalidad”" in page
    assert "Cómo acogemos" not in page


def test_a_word_inside_a_rich_text_block_is_found(spanish_reader):
    history = _culture_page(
        "Nuestra historia",
        [("rich_text", "<p>Abrimos el primer hotel en <b>Cádiz</b>.</p>")],
        slug="historia",
    )
    history.search_description = "Desde 1987, en Cádiz."
    _publish(history)
    page = _search(spanish_reader, "hotel")
    assert "Nuestra historia" in page
    # Without a summary, the description for search engines stands in.
    assert "Desde 1987, en Cádiz." in page


def test_republishing_updates_what_search_finds(spanish_reader):
    page = _culture_page("Nuestra misión", _quote("Cuidar cada detalle."), slug="m")
    page.body = _quote("Recibir a cada huésped por su nombre.")
    _publish(page)

    assert "Nuestra misión" in _search(spanish_reader, "huésped")
    assert "Nuestra misión" not in _search(spanish_reader, "detalle")


def test_query_words_are_highlighted_and_titles_are_escaped(english_reader):
    _translate(
        _culture_page("Marca <b>", _quote("Voz de marca."), slug="marca"),
        "Brand <voice> & tone",
        _quote("How our brand speaks."),
        summary="Our brand voice, in short.",
    )
    page = _search(english_reader, "BRAND")
    assert "<mark>Brand</mark> &lt;voice&gt; &amp; tone" in page
    assert "Our <mark>brand</mark> voice, in short." in page
    assert "<voice>" not in page


def test_highlighting_ignores_case_and_accents_and_escapes_html():
    assert str(highlight("Canción de <b>bienvenida</b>", "cancion BIENV")) == (
        "<mark>Canción</mark> de &lt;b&gt;<mark>bienv</mark>enida&lt;/b&gt;"
    )
    # Only where a word starts: "en" does not light up "bienvenida".
    assert str(highlight("bienvenida", "en")) == "bienvenida"


def test_no_results_suggests_other_words(english_reader, hospitality):
    page = _search(english_reader, "submarine")
    assert "Nothing matches “submarine”" in page
    assert "Try other words" in page
    # The header search box keeps what was typed.
    assert 'value="submarine"' in page


def test_punctuation_in_the_query_is_not_an_error(english_reader, hospitality):
    page = _search(english_reader, '"hospitality (home')
    assert "How we welcome" in page


def test_results_are_paginated_by_ten_and_keep_the_query(spanish_reader):
    for number in range(12):
        _culture_page(
            f"Ficha {number:02d}", _quote("Turno de noche."), slug=f"f{number}"
        )

    first = _search(spanish_reader, "noche")
    assert first.count('class="search-result"') == 10
    assert 'href="?q=noche&amp;page=2"' in first

    second = _search(spanish_reader, "noche", page=2)
    assert second.count('class="search-result"') == 2
    assert 'href="?q=noche&amp;page=1"' in second

    # A page number that is not one goes to the first page, one too far to the last.
    assert (
        _search(spanish_reader, "noche", page="abc").count('class="search-result"')
        == 10
    )
    assert _search(spanish_reader, "noche", page=99).count('class="search-result"') == 2


def test_result_count_is_shown(english_reader):
    for number in range(3):
        _translate(
            _culture_page(f"Equipo {number}", _quote("Equipo."), slug=f"e{number}"),
            f"Team {number}",
            _quote("Teamwork first."),
        )
    assert "3 results for “teamwork”" in _search(english_reader, "teamwork")


def test_drafts_and_private_pages_are_not_found(spanish_reader):
    home = HomePage.objects.get(locale__language_code="es")
    home.add_child(
        instance=CulturePage(
            title="Borrador", slug="borrador", live=False, body=_quote("Secreto.")
        )
    )
    private = _culture_page("Nóminas", _quote("Secreto de nóminas."), slug="nominas")
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.LOGIN
    )

    page = _search(spanish_reader, "secreto")
    assert "Borrador" not in page
    assert "Nóminas" not in page


def test_a_page_not_yet_translated_is_found_in_spanish_and_says_so(english_reader):
    _culture_page("Código de vestimenta", _quote("Uniforme azul."), slug="codigo")
    page = _search(english_reader, "uniforme")
    assert "Código de vestimenta" in page
    assert "Not translated into your language yet; in Spanish." in page


def test_an_english_alias_of_a_spanish_page_is_found_once(english_reader):
    spanish = _culture_page("Uniformes", _quote("Chaqueta azul marino."), slug="u")
    spanish.copy_for_translation(Locale.objects.get(language_code="en"), alias=True)

    page = _search(english_reader, "chaqueta")
    assert "1 result for “chaqueta”" in page
    # The alias mirrors the Spanish text, and the reader is told so.
    assert "Uniformes" in page
    assert "Not translated into your language yet; in Spanish." in page
