"""Reading identity pages: in the reader's language, and only when signed in."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from identity.models import CulturePage

pytestmark = pytest.mark.django_db

NOTICE = "This page is not translated into your language yet"
NOTICE_ES = "Esta página aún no está traducida a tu idioma"


def _publish(parent, **fields) -> CulturePage:
    page = parent.add_child(instance=CulturePage(**fields))
    page.save_revision().publish()
    return page


@pytest.fixture
def mission(home_es, home_en, locale_en):
    spanish = _publish(
        home_es,
        title="Misión",
        slug="mision",
        body=[("quote", {"quote": "Hacemos sentir en casa.", "attribution": ""})],
    )
    english = spanish.copy_for_translation(locale_en)
    english.title = "Mission"
    english.body = [
        ("quote", {"quote": "We make people feel at home.", "attribution": ""})
    ]
    english.save_revision().publish()
    return spanish


def test_spanish_reader_gets_the_spanish_page(client, reader_es, mission):
    client.force_login(reader_es)
    html = client.get("/mision/").content.decode()
    assert "Hacemos sentir en casa." in html
    assert '<html lang="es">' in html
    assert NOTICE_ES not in html


def test_english_reader_gets_the_english_translation_at_the_same_address(
    client, reader_en, mission
):
    client.force_login(reader_en)
    html = client.get("/mision/").content.decode()
    assert "We make people feel at home." in html
    assert "Hacemos sentir en casa." not in html
    assert NOTICE not in html


def test_missing_translation_falls_back_to_spanish_with_a_notice(
    client, reader_en, home_es
):
    _publish(
        home_es,
        title="Historia",
        slug="historia",
        body=[("quote", {"quote": "Desde 1987.", "attribution": ""})],
    )
    client.force_login(reader_en)
    response = client.get("/historia/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Desde 1987." in html
    assert NOTICE in html
    assert 'lang="es"' in html  # the Spanish article is marked as Spanish


def test_untranslated_alias_also_shows_the_notice(
    client, reader_en, home_es, locale_en
):
    page = _publish(home_es, title="Voz", slug="voz", summary="Cómo hablamos.")
    page.copy_for_translation(locale_en, alias=True)
    client.force_login(reader_en)
    html = client.get("/voz/").content.decode()
    assert "Cómo hablamos." in html
    assert NOTICE in html


def test_unknown_page_is_still_404(client, reader_en, home_es):
    client.force_login(reader_en)
    assert client.get("/no-existe/").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in_for_pages(client, mission):
    for url in ["/", "/mision/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/")


def test_anonymous_visitors_never_get_images_or_documents(client, reader_es):
    image = Image.objects.create(title="Lobby", file=get_test_image_file())
    rendition = image.get_rendition("width-100")
    document = Document.objects.create(
        title="Manual", file=ContentFile(b"%PDF-1.4 manual", name="manual.pdf")
    )
    urls = [rendition.url, image.file.url, document.url]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url

    client.force_login(reader_es)
    assert client.get(rendition.url).status_code == 200
    assert client.get(document.url).status_code == 200


def test_media_paths_cannot_escape_the_media_folder(client, reader_es):
    client.force_login(reader_es)
    assert client.get("/media/../config/settings/base.py").status_code == 404
    assert client.get("/media/%2e%2e/manage.py").status_code == 404


def test_missing_page_gets_a_helpful_page_in_the_readers_language(client, reader_es):
    client.force_login(reader_es)
    response = client.get("/no-existe/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "No encontramos esa página" in html
    assert 'action="/search/"' in html
