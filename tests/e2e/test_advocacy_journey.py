"""Communications approves a post in the admin; it appears live in an open hub."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect
from wagtail.models import Site

from advocacy.models import BrandPost
from advocacy.services import consent_opt_in
from identity.models import BrandSettings
from people import roles
from tests.advocacy.test_sharing import POST_FORM, _certify
from tests.factories import EmployeeFactory, UserFactory

from .support import CHROMIUM, CHROMIUM_MISSING, sign_in

if not CHROMIUM.exists():
    pytest.skip(CHROMIUM_MISSING, allow_module_level=True)

pytestmark = pytest.mark.e2e


def test_approved_post_appears_live_and_is_shared_with_a_tracked_link(
    live_asgi_server, new_page
):
    url = live_asgi_server.url
    brand = BrandSettings.for_site(Site.objects.get(is_default_site=True))
    brand.disclosure_hashtag = "#EmpleadoDeBrisa"
    brand.save()
    comms = UserFactory(email="comms@example.com", roles=[roles.COMMS_APPROVER])
    EmployeeFactory(user=comms, full_name="Carla Comms")
    secret = generate_totp_secret()
    TOTP.activate(comms, secret)
    advocate = EmployeeFactory(
        user=UserFactory(email="alba@example.com"), full_name="Alba Embajadora"
    )
    _certify(advocate)
    consent_opt_in(employee=advocate)
    # Submitted by HR, waiting for Communications.
    post = BrandPost.objects.create(**{**POST_FORM, "live": False})
    post.save_revision()
    post.get_workflow().start(post, comms)

    hub = new_page()
    hub.goto(url + "/accounts/login/")
    sign_in(hub, "alba@example.com")
    hub.goto(url + "/hub/")
    expect(hub.get_by_text("No approved posts yet.")).to_be_visible()
    expect(hub.locator("#hub-live[data-connected]")).to_have_count(1)
    # The same person has the hub open in a second tab too.
    second_tab = hub.context.new_page()
    second_tab.goto(url + "/hub/")
    expect(second_tab.locator("#hub-live[data-connected]")).to_have_count(1)

    admin = new_page()
    admin.goto(url + "/admin/")
    sign_in(admin, "comms@example.com", totp_secret=secret)
    admin.goto(url + f"/admin/snippets/advocacy/brandpost/edit/{post.pk}/")
    admin.get_by_role("button", name="More actions").click()
    admin.get_by_role("button", name="Approve and Publish").click()

    card = hub.locator(f"#post-{post.pk}")
    expect(card).to_contain_text("Abrimos en Sevilla")  # no reload
    expect(second_tab.locator(f"#post-{post.pk}")).to_contain_text("Abrimos")
    second_tab.close()

    # Share on LinkedIn in her own words: the composer opens with the link.
    card.get_by_role("link", name="Share").click()
    hub.get_by_label("Your words").fill("Mi equipo abre hotel en Sevilla, ¡venid!")
    hub.get_by_role("button", name="Share").click()
    intent = hub.locator("#share-intent").get_attribute("href")
    text = parse_qs(urlparse(intent).query)["text"][0]
    assert text.startswith("Mi equipo abre hotel en Sevilla, ¡venid! #EmpleadoDeBrisa ")
    short = text.rsplit(" ", 1)[1]
    assert short.startswith(url + "/s/")

    # Someone follows her link: the post's click counter moves in her hub.
    hub.get_by_role("link", name="Back to the hub").click()
    counter = hub.locator(f"#post-{post.pk} [data-stat=clicks]")
    expect(counter).to_have_text("0")
    expect(hub.locator("#hub-live[data-connected]")).to_have_count(1)
    # A reader's browser follows it (the hotel's own site is not reachable here).
    followed = new_page().request.get(short, max_redirects=0)
    assert followed.status == 302
    assert followed.headers["location"].startswith("https://brisa.example/sevilla?")
    if settings.REDIS_URL:
        # With Redis, clicks wait in the stream for the drain process.
        live_asgi_server.call(call_command, "advocacy_drain_clicks", "--once")
    expect(counter).to_have_text("1", timeout=10_000)
    # Her first share earned a badge; her link's first click is news too,
    # and the unread count in the navigation follows without a reload.
    unread = hub.locator("#nav-unread-count")
    expect(unread).to_have_text("2")
    hub.locator("#nav-notifications").click()
    expect(
        hub.get_by_role("link", name="You earned the badge “First share”")
    ).to_be_visible()
    expect(
        hub.get_by_role("link", name="Your link on LinkedIn", exact=False)
    ).to_contain_text("got its first click")
