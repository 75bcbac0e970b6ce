from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from wagtail.models import Site

from identity.models import BrandSettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def brand() -> BrandSettings:
    return BrandSettings.for_site(Site.objects.get(is_default_site=True))


def test_brand_colour_must_be_readable_on_white(brand):
    brand.primary_colour = "#ffd54f"  # a light yellow: about 1.4:1 on white
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        brand.full_clean()
    assert "too light to read on white (contrast 1.4:1" in str(excinfo.value)
    brand.primary_colour = "#0b5d5e"
    brand.full_clean()


@pytest.mark.parametrize("bad", ["EmpleadoDeBrisa", "#Empleado de Brisa", "#", "#a"])
def test_disclosure_hashtag_must_be_one_hashtag(brand, bad):
    brand.disclosure_hashtag = bad
    with pytest.raises(ValidationError) as excinfo:
        brand.full_clean()
    assert "disclosure_hashtag" in excinfo.value.message_dict


def test_brand_name_and_colour_reach_every_page(client, brand, reader_es):
    brand.company_name = "Grupo Brisa"
    brand.primary_colour = "#0b5d5e"
    brand.save()
    client.force_login(reader_es)
    html = client.get("/").content.decode()
    assert "Grupo Brisa" in html
    assert "--brand: #0b5d5e" in html
