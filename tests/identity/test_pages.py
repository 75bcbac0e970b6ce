"""Page types: creation through the admin with nested StreamField data,
rendering, and the tree rules that keep HR from building nonsense."""

from __future__ import annotations

import pytest
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from identity.models import CultureIndexPage, CulturePage, HomePage, Value
from onboarding.models import PathIndexPage
from people import roles
from tests.factories import EmployeeFactory, UserFactory

from .conftest import with_mfa


def _list(items: list[dict]) -> dict:
    """ListBlock form data: one entry per item, in order."""
    data = {
        str(i): {"value": item, "deleted": "", "order": str(i), "id": ""}
        for i, item in enumerate(items)
    }
    data["count"] = str(len(items))
    return data


def culture_page_form(title: str, value: Value, person) -> dict:
    return nested_form_data(
        {
            "title": title,
            "summary": "Quiénes somos y qué nos mueve.",
            "body": streamfield(
                [
                    ("heading", {"text": "Nuestra misión", "level": "h2"}),
                    ("rich_text", rich_text("<p>Hacer sentir en casa.</p>")),
                    (
                        "quote",
                        {
                            "quote": "La hospitalidad empieza por casa.",
                            "attribution": "Lucía",
                        },
                    ),
                    (
                        "callout",
                        {
                            "tone": "tip",
                            "title": "Consejo",
                            "text": rich_text("<p>Pregunta.</p>"),
                        },
                    ),
                    ("value_card", {"value": value.pk, "note": "En recepción."}),
                    (
                        "timeline",
                        {
                            "title": "Historia",
                            "events": _list(
                                [
                                    {
                                        "date": "1987-05-01",
                                        "title": "Primer hotel",
                                        "text": "",
                                    },
                                    {
                                        "date": "2024-03-15",
                                        "title": "Sevilla",
                                        "text": "Abrimos.",
                                    },
                                ]
                            ),
                        },
                    ),
                    (
                        "people_cards",
                        {
                            "title": "Quién te acompaña",
                            "people": _list(
                                [
                                    {
                                        "employee": person.pk,
                                        "name": "",
                                        "role": "",
                                        "bio": "",
                                        "photo": {
                                            "image": "",
                                            "decorative": "",
                                            "alt_text": "",
                                        },
                                    },
                                    {
                                        "employee": "",
                                        "name": "Invitada",
                                        "role": "Chef",
                                        "bio": "",
                                        "photo": {
                                            "image": "",
                                            "decorative": "",
                                            "alt_text": "",
                                        },
                                    },
                                ]
                            ),
                        },
                    ),
                    (
                        "brand_voice",
                        {
                            "title": "Cómo hablamos",
                            "pairs": _list(
                                [
                                    {
                                        "do": "Te esperamos.",
                                        "dont": "Diríjase al mostrador.",
                                    }
                                ]
                            ),
                        },
                    ),
                ]
            ),
        }
    )


@pytest.mark.django_db
class TestPageTypes(WagtailPageTestCase):
    def setUp(self):
        self.admin = with_mfa(UserFactory(roles=[roles.ADMINISTRATOR]))
        self.client.force_login(self.admin)
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        self.home = HomePage.objects.get(locale__language_code="es")
        self.value = Value.objects.create(
            name="Cercanía", statement="Por su nombre.", locale=self.home.locale
        )
        self.person = EmployeeFactory(full_name="Marta Quintana", job_title="Directora")

    def test_culture_page_with_every_block_can_be_created_under_home(self):
        self.assertCanCreate(
            self.home, CulturePage, culture_page_form("Misión", self.value, self.person)
        )
        page = CulturePage.objects.get(title="Misión", locale=self.home.locale)
        assert [block.block_type for block in page.body] == [
            "heading",
            "rich_text",
            "quote",
            "callout",
            "value_card",
            "timeline",
            "people_cards",
            "brand_voice",
        ]
        assert page.body[5].value["events"][1]["title"] == "Sevilla"

    def test_culture_index_and_its_pages_can_be_created(self):
        self.assertCanCreate(
            self.home,
            CultureIndexPage,
            nested_form_data(
                {"title": "Quiénes somos", "intro": rich_text("<p>Hola</p>")}
            ),
        )
        index = CultureIndexPage.objects.get(
            title="Quiénes somos", locale=self.home.locale
        )
        self.assertCanCreate(
            index, CulturePage, culture_page_form("Historia", self.value, self.person)
        )
        assert (
            CulturePage.objects.get(title="Historia", locale=self.home.locale)
            .get_parent()
            .pk
            == index.pk
        )

    def test_every_page_renders_with_its_content(self):
        self.assertCanCreate(
            self.home, CulturePage, culture_page_form("Misión", self.value, self.person)
        )
        page = CulturePage.objects.get(title="Misión", locale=self.home.locale)
        self.assertPageIsRenderable(page)
        self.assertPageIsRenderable(self.home)
        html = self.client.get(page.url).content.decode()
        for text in [
            "Nuestra misión",
            "La hospitalidad empieza por casa.",
            "Cercanía",
            "Primer hotel",
            "Marta Quintana",
            "Directora",
            "Invitada",
            "Diríjase al mostrador.",
        ]:
            assert text in html, text
        index = self.home.add_child(
            instance=CultureIndexPage(title="Índice", slug="indice")
        )
        index.save_revision().publish()
        self.assertPageIsRenderable(index)

    def test_editors_can_preview_every_page_type(self):
        self.assertCanCreate(
            self.home, CulturePage, culture_page_form("Misión", self.value, self.person)
        )
        page = CulturePage.objects.get(title="Misión", locale=self.home.locale)
        index = self.home.add_child(
            instance=CultureIndexPage(title="Índice", slug="indice")
        )
        # The StreamField editor is drawn by JavaScript, so its form data is
        # given here rather than read from the edit page's HTML.
        form = culture_page_form("Misión", self.value, self.person)
        form["slug"] = page.slug
        self.assertPageIsPreviewable(page, post_data=form, user=self.admin)
        for previewed in [index, self.home]:
            self.assertPageIsPreviewable(previewed, user=self.admin)

    def test_tree_rules(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        self.assertAllowedSubpageTypes(
            HomePage, {CultureIndexPage, CulturePage, PathIndexPage}
        )
        self.assertAllowedSubpageTypes(CultureIndexPage, {CulturePage})
        self.assertAllowedSubpageTypes(CulturePage, set())
        self.assertCanNotCreateAt(CultureIndexPage, CultureIndexPage)
        self.assertCanNotCreateAt(Page, CulturePage)
        # Each language tree has exactly one home.
        assert not HomePage.can_create_at(Page.get_first_root_node())


def test_image_blocks_require_alt_text(db):
    from wagtail.blocks import StructBlockValidationError
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    from identity.blocks import CaptionedImageBlock

    image = Image.objects.create(title="Lobby", file=get_test_image_file())
    block = CaptionedImageBlock()
    missing = {"image": image.pk, "decorative": False, "alt_text": ""}
    with pytest.raises(StructBlockValidationError) as excinfo:
        block.clean(block.to_python({"image": missing, "caption": ""}))
    image_errors = excinfo.value.block_errors["image"]
    assert "alt_text" in image_errors.block_errors
    described = {"image": image.pk, "decorative": False, "alt_text": "Recepción"}
    cleaned = block.clean(block.to_python({"image": described, "caption": ""}))
    assert cleaned["image"].contextual_alt_text == "Recepción"
    decorative = {"image": image.pk, "decorative": True, "alt_text": ""}
    assert block.clean(block.to_python({"image": decorative, "caption": ""}))


def test_top_level_slugs_used_by_the_application_are_refused(db):
    from django.core.exceptions import ValidationError

    home = HomePage.objects.get(locale__language_code="es")
    with pytest.raises(ValidationError) as excinfo:
        home.add_child(instance=CulturePage(title="Buscar", slug="search"))
    assert "slug" in excinfo.value.message_dict
    index = home.add_child(instance=CultureIndexPage(title="Índice", slug="indice"))
    # Deeper down the same slug is harmless.
    assert index.add_child(instance=CulturePage(title="Buscar", slug="search")).pk
