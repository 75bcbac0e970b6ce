"""The values page: each value in the reader's language and where it is used."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Locale, PageViewRestriction

from identity import selectors
from identity.models import CulturePage, HomePage, Value
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def _spanish() -> Locale:
    return Locale.objects.get(language_code="es")


def _english() -> Locale:
    return Locale.objects.get(language_code="en")


def _value(name: str, statement: str, *, sort_order: int = 0, description=""):
    return Value.objects.create(
        name=name,
        statement=statement,
        description=description,
        sort_order=sort_order,
        locale=_spanish(),
    )


def _translate_value(value: Value, name: str, statement: str) -> Value:
    english = value.copy_for_translation(_english())
    english.name = name
    english.statement = statement
    english.save()
    return english


def _page_using(value: Value, title: str, *, slug: str, live: bool = True):
    home = HomePage.objects.get(locale__language_code="es")
    page = home.add_child(
        instance=CulturePage(
            title=title,
            slug=slug,
            live=live,
            body=[("value_card", {"value": value, "note": ""})],
        )
    )
    if live:
        page.save_revision().publish()
    return page


def _translate_page(page, title: str):
    english = page.copy_for_translation(_english())
    english.title = title
    english.save_revision().publish()
    return english


@pytest.fixture
def spanish_reader(client):
    client.force_login(EmployeeFactory(preferred_language="es").user)
    return client


@pytest.fixture
def english_reader(client):
    client.force_login(EmployeeFactory(preferred_language="en").user)
    return client


def _values_page(client) -> str:
    response = client.get("/values/")
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/values/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/values/")


def test_no_values_yet_shows_an_empty_state(english_reader):
    assert "Our values have not been published yet" in _values_page(english_reader)


def test_values_are_listed_in_their_order_with_statement_and_description(
    spanish_reader,
):
    _value("Cuidado", "Cuidamos cada detalle.", sort_order=2)
    _value(
        "Cercanía",
        "Tratamos a cada huésped por su nombre.",
        sort_order=1,
        description="<p>Saludamos <b>siempre</b>.</p>",
    )
    page = _values_page(spanish_reader)
    assert page.index("Cercanía") < page.index("Cuidado")
    assert "Tratamos a cada huésped por su nombre." in page
    assert "Cuidamos cada detalle." in page
    assert "Saludamos <b>siempre</b>." in page


def test_english_reader_sees_translations_and_spanish_where_none_exists(
    english_reader,
):
    closeness = _value("Cercanía", "Por su nombre.", sort_order=1)
    _translate_value(closeness, "Closeness", "By their name.")
    _value("Alegría", "Sonreímos.", sort_order=2)

    page = _values_page(english_reader)
    assert "Closeness" in page
    assert "By their name." in page
    assert "Cercanía" not in page
    # Not translated yet: shown in Spanish, marked as such for screen readers.
    assert '<li class="card value-entry" lang="es" id="value-' in page
    assert "Alegría" in page


def test_each_value_links_to_the_live_pages_that_use_it(spanish_reader):
    closeness = _value("Cercanía", "Por su nombre.")
    _value("Alegría", "Sonreímos.", sort_order=1)
    _page_using(closeness, "Recepción", slug="recepcion")
    _page_using(closeness, "Borrador de bar", slug="bar", live=False)
    private = _page_using(closeness, "Dirección", slug="direccion")
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.LOGIN
    )

    page = _values_page(spanish_reader)
    assert '<a href="/recepcion/">Recepción</a>' in page
    assert "Borrador de bar" not in page
    assert "Dirección" not in page
    # Alegría is on no page yet.
    assert page.count("Ninguna página menciona este valor todavía.") == 1


def test_english_reader_gets_the_english_page_that_uses_the_value(english_reader):
    closeness = _value("Cercanía", "Por su nombre.")
    _translate_value(closeness, "Closeness", "By their name.")
    reception = _page_using(closeness, "Recepción", slug="recepcion")
    # The translation still points at the Spanish value; it is one page.
    _translate_page(reception, "Front desk")
    _page_using(closeness, "Cocina", slug="cocina")

    page = _values_page(english_reader)
    assert '<a href="/recepcion/">Front desk</a>' in page
    assert ">Recepción</a>" not in page
    # No English version of the kitchen page yet: the Spanish one is listed.
    assert '<a href="/cocina/" lang="es">Cocina</a>' in page


def _queries_for_values_page(count: int) -> int:
    for number in range(count):
        value = _value(f"Valor {number}", "Frase.", sort_order=number)
        _translate_value(value, f"Value {number}", "Sentence.")
        page = _page_using(value, f"Página {number}", slug=f"p{value.pk}")
        _translate_page(page, f"Page {number}")
    with CaptureQueriesContext(connection) as queries:
        usages = selectors.value_list(locale=_english())
    assert len(usages) == Value.objects.filter(locale=_english()).count()
    assert all(len(usage.pages) == 1 for usage in usages)
    return len(queries)


def test_listing_values_takes_the_same_queries_for_one_or_many():
    assert _queries_for_values_page(1) == _queries_for_values_page(4)
