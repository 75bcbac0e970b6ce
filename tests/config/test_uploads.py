"""Uploaded files never run in the browser.

Types a browser would run (HTML, SVG, XML, scripts) are refused at upload with
a message; files stored before that rule are downloaded, never shown; images
show only as images; an upload that is not a whole image gets a form error.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import Collection

from people import roles
from tests.factories import EmployeeFactory, UserFactory, admin_ready

pytestmark = pytest.mark.django_db

SCRIPTED_HTML = b"<!doctype html><script>document.title='owned'</script>"
SCRIPTED_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)


def _image_bytes(kind: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (120, 80), "teal").save(buffer, kind)
    return buffer.getvalue()


@pytest.fixture
def editor(client):
    user = UserFactory(roles=[roles.HR_EDITOR])
    EmployeeFactory(user=user)
    client.force_login(admin_ready(user))
    return client


@pytest.fixture
def reader(client):
    client.force_login(EmployeeFactory().user)
    return client


def _assert_downloaded(response, *, filename: str) -> None:
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert filename in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "sandbox" in policy


@pytest.mark.parametrize(
    "name", ["page.html", "page.htm", "page.xhtml", "drawing.svg", "feed.xml", "a.js"]
)
def test_documents_a_browser_would_run_are_refused_at_upload(editor, name):
    response = editor.post(
        "/admin/documents/add/",
        {
            "title": "Handbook",
            "file": SimpleUploadedFile(name, SCRIPTED_HTML),
            "collection": Collection.get_first_root_node().pk,
        },
    )

    assert response.status_code == 200
    extension = name.rsplit(".", 1)[1]
    assert f"File extension “{extension}” is not allowed." in response.text
    assert not Document.objects.exists()


def test_office_documents_are_still_accepted(editor):
    response = editor.post(
        "/admin/documents/add/",
        {
            "title": "Handbook",
            "file": SimpleUploadedFile("handbook.pdf", b"%PDF-1.4\n%%EOF\n"),
            "collection": Collection.get_first_root_node().pk,
        },
    )

    assert response.status_code == 302
    assert Document.objects.get().title == "Handbook"


def _upload_image(client, name: str, data: bytes):
    return client.post(
        "/admin/images/add/",
        {
            "title": "Picture",
            "file": SimpleUploadedFile(name, data),
            "collection": Collection.get_first_root_node().pk,
        },
    )


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("logo.svg", SCRIPTED_SVG, "Not a supported image format."),
        ("cut.png", _image_bytes("PNG")[:200], "Upload a valid image."),
        ("cut.jpg", _image_bytes("JPEG")[:300], "Upload a valid image."),
        ("page.jpg", SCRIPTED_HTML, "Upload a valid image."),
        ("noise.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "Upload a valid image."),
    ],
)
def test_images_that_are_not_whole_images_get_a_form_error(editor, name, data, message):
    response = _upload_image(editor, name, data)

    assert response.status_code == 200
    assert message in response.text
    assert not Image.objects.exists()


def test_uploaded_images_still_display_as_images(editor):
    assert _upload_image(editor, "team.png", _image_bytes()).status_code == 302
    image = Image.objects.get()

    original = editor.get(f"/media/{image.file.name}")
    rendition = editor.get(image.get_rendition("width-60").url)

    for response in (original, rendition):
        assert response.status_code == 200
        assert response["Content-Type"].startswith("image/")
        assert "attachment" not in response.get("Content-Disposition", "")
        assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "name", ["original_images/logo.svg", "images/page.html", "images/x.xhtml"]
)
def test_active_files_already_stored_are_downloaded_never_shown(reader, name):
    stored = default_storage.save(name, ContentFile(SCRIPTED_SVG))

    response = reader.get(f"/media/{stored}")

    _assert_downloaded(response, filename=stored.rsplit("/", 1)[1])
    assert response["Content-Type"] == "application/octet-stream"


@pytest.mark.parametrize("name", ["page.html", "drawing.svg", "handbook.pdf"])
def test_documents_already_stored_are_downloaded_never_shown(reader, name):
    document = Document(title="Old upload")
    document.file.save(name, ContentFile(SCRIPTED_HTML), save=False)
    document.save()

    response = reader.get(document.url)

    _assert_downloaded(response, filename=document.filename)


def test_restricted_documents_are_not_reachable_through_media(reader):
    """A document shared with one group only is refused to everyone else,
    also by the file's own name under /media/."""
    from django.contrib.auth.models import Group
    from wagtail.models import CollectionViewRestriction

    board = Collection.get_first_root_node().add_child(name="Board only")
    restriction = CollectionViewRestriction.objects.create(
        collection=board, restriction_type=CollectionViewRestriction.GROUPS
    )
    restriction.groups.add(Group.objects.create(name="Board"))
    document = Document(title="Board minutes", collection=board)
    document.file.save("minutes.pdf", ContentFile(b"%PDF-1.4 secret"), save=False)
    document.save()

    assert reader.get(document.url).status_code in (302, 403)
    response = reader.get(f"/media/{document.file.name}")
    assert response.status_code == 404
    assert b"secret" not in response.content
