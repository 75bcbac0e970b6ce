"""Every answer carries Content-Security-Policy and Permissions-Policy.

Pages, the admin, errors, static files, media, ``/healthz`` and the tracked-link
redirects answered in front of Django. Inline scripts run only with the
request's nonce, so the admin's own inline scripts must carry it; 429 answers
say when to try again.
"""

from __future__ import annotations

import io
import re

import pytest
from asgiref.testing import ApplicationCommunicator
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image as PILImage

from advocacy.models import BrandPost, Network, TrackedLink
from config.asgi import application
from identity.models import HomePage
from people import roles
from tests.factories import EmployeeFactory, UserFactory, admin_ready

SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    directives = (part.strip().split(" ", 1) for part in header.split(";"))
    return {d[0]: d[1] if len(d) > 1 else "" for d in directives if d[0]}


def _nonce(response) -> str:
    (nonce,) = re.findall(r"'nonce-([^']+)'", _policy(response)["script-src"])
    return nonce


def _assert_guarded(headers) -> None:
    assert "camera=()" in headers["Permissions-Policy"]
    assert "geolocation=()" in headers["Permissions-Policy"]
    policy = headers["Content-Security-Policy"]
    assert "object-src 'none'" in policy or "default-src 'none'" in policy
    script_src = re.search(r"script-src ([^;]*)", policy)
    assert script_src is None or "'unsafe-inline'" not in script_src.group(1)


def _inline_scripts_without_the_nonce(response) -> list[str]:
    """Executable inline ``<script>`` tags that lack this answer's nonce."""
    nonce = _nonce(response)
    missing = []
    for attributes in SCRIPT.findall(response.content.decode()):
        if "src=" in attributes or "application/json" in attributes:
            continue
        if f'nonce="{nonce}"' not in attributes:
            missing.append(attributes)
    return missing


def _signed_in(client, *, role_names=(), mfa=False):
    user = UserFactory(roles=list(role_names))
    EmployeeFactory(user=user)
    client.force_login(admin_ready(user) if mfa else user)
    return client


@pytest.mark.django_db
def test_a_page_has_a_policy_with_a_fresh_nonce_for_each_answer(client):
    _signed_in(client)

    first, second = client.get("/onboarding/"), client.get("/onboarding/")

    assert first.status_code == 200
    _assert_guarded(first)
    policy = _policy(first)
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'self'"
    assert _nonce(first) != _nonce(second)
    assert _inline_scripts_without_the_nonce(first) == []


@pytest.mark.django_db
def test_the_sign_in_page_and_a_missing_page_have_the_policy(client):
    sign_in = client.get("/accounts/login/")
    _signed_in(client)
    missing = client.get("/no-such-page/")

    assert sign_in.status_code == 200
    assert missing.status_code == 404
    for response in (sign_in, missing):
        _assert_guarded(response)
        assert _nonce(response)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/reports/path-funnel/",  # date range filter: inline date pickers
        "/admin/images/",
    ],
)
def test_admin_pages_inline_scripts_carry_the_nonce(client, url):
    _signed_in(client, role_names=[roles.HR_EDITOR, roles.HR_LEAD], mfa=True)

    response = client.get(url)

    assert response.status_code == 200
    _assert_guarded(response)
    assert _inline_scripts_without_the_nonce(response) == []


@pytest.mark.django_db
def test_the_page_editor_with_streamfield_and_choosers_carries_the_nonce(client):
    _signed_in(client, role_names=[roles.HR_EDITOR, roles.HR_LEAD], mfa=True)
    home = HomePage.objects.get(locale__language_code="es")

    response = client.get(f"/admin/pages/add/identity/culturepage/{home.pk}/")

    assert response.status_code == 200
    text = response.content.decode()
    assert "initDateTimeChooser(" in text  # the publishing schedule
    assert _inline_scripts_without_the_nonce(response) == []


@pytest.mark.django_db
def test_admin_refusal_and_mfa_redirect_cannot_be_framed(client):
    employee = _signed_in(client)
    refused = employee.get("/admin/")
    client.logout()
    _signed_in(client, role_names=[roles.HR_EDITOR])
    sent_to_mfa = client.get("/admin/")

    assert refused.status_code == 403
    assert sent_to_mfa.status_code == 302
    for response in (refused, sent_to_mfa):
        assert response["X-Frame-Options"] == "SAMEORIGIN"
        _assert_guarded(response)


@pytest.mark.django_db
def test_healthz_has_the_policy(client):
    response = client.get("/healthz")

    _assert_guarded(response)
    assert _policy(response)["default-src"] == "'self'"


@pytest.mark.django_db
def test_static_files_have_the_policy(client, settings):
    settings.WHITENOISE_USE_FINDERS = True  # as `make run`; read per client

    response = client.get("/static/js/site.js")

    assert response.status_code == 200
    _assert_guarded(response)


@pytest.mark.django_db
def test_media_images_have_the_policy(client):
    buffer = io.BytesIO()
    PILImage.new("RGB", (4, 4), "blue").save(buffer, "PNG")
    name = default_storage.save(
        "original_images/blue.png", ContentFile(buffer.getvalue())
    )
    _signed_in(client)

    response = client.get(f"/media/{name}")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    _assert_guarded(response)


# The tracked-link redirect answers in front of Django, through config.asgi.


async def _asgi_get(path: str) -> tuple[int, dict[str, str]]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"user-agent", b"Mozilla/5.0")],
        "client": ("203.0.113.7", 50000),
        "server": ("testserver", 80),
    }
    communicator = ApplicationCommunicator(application, scope)
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(timeout=10)
    while (await communicator.receive_output(timeout=10)).get("more_body"):
        pass
    await communicator.wait(timeout=10)
    headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    return start["status"], headers


def _case_insensitive(headers: dict[str, str]) -> dict[str, str]:
    names = {
        "permissions-policy": "Permissions-Policy",
        "content-security-policy": "Content-Security-Policy",
    }
    return {names.get(k, k): v for k, v in headers.items()}


@pytest.mark.django_db(transaction=True)
async def test_tracked_link_answers_have_the_policy():
    from asgiref.sync import sync_to_async

    @sync_to_async
    def make_link() -> str:
        post = BrandPost.objects.create(
            title="Abrimos en Cádiz", url="https://brisa.example/cadiz", live=True
        )
        link = TrackedLink.objects.create(
            employee=EmployeeFactory(), post=post, network=Network.LINKEDIN
        )
        return link.code

    code = await make_link()
    for path, status in ((f"/s/{code}", 302), ("/s/nosuchcode", 404)):
        answer_status, headers = await _asgi_get(path)
        assert answer_status == status
        _assert_guarded(_case_insensitive(headers))
        assert headers["x-frame-options"] == "SAMEORIGIN"
        assert headers["x-content-type-options"] == "nosniff"


# 429: how long to wait


def _fail_sign_in(client, email: str):
    return client.post(
        "/accounts/login/", {"login": email, "password": "not-the-password"}
    )


@pytest.mark.django_db
def test_too_many_failed_sign_ins_say_when_to_try_again(client):
    UserFactory(email="ana@example.com")
    for _attempt in range(5):  # ACCOUNT_RATE_LIMITS: 5 failures per 5 minutes
        assert _fail_sign_in(client, "ana@example.com").status_code == 200

    refused = _fail_sign_in(client, "ana@example.com")

    assert refused.status_code == 429
    # The first failure leaves the five-minute window in about five minutes.
    assert 290 <= int(refused["Retry-After"]) <= 300
    _assert_guarded(refused)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "url", "data"),
    [
        ("login", "/accounts/login/", {"login": "x@example.com", "password": "x"}),
        ("reset_password", "/accounts/password/reset/", {"email": "x@example.com"}),
    ],
)
def test_every_rate_limited_answer_says_when_to_try_again(
    client, settings, action, url, data
):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, action: "1/m/ip"}
    client.post(url, data)

    refused = client.post(url, data)

    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
