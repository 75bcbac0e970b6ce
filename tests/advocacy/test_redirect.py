"""``/s/<code>``: the tracked-link redirect served in front of Django.

Requests go through ``config.asgi.application``, as a browser's would. Tests that
store clicks run twice: straight into the database (no Redis) and through the
Redis stream plus ``advocacy_drain_clicks``, the second only when ``REDIS_URL``
is set.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import uuid
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import pytest
import redis
from asgiref.sync import sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import timezone, translation
from wagtail.models import Site

from advocacy import clicks, redirect
from advocacy.models import (
    BrandPost,
    Campaign,
    Click,
    Network,
    Notification,
    PointsEntry,
    TrackedLink,
    click_uid,
)
from config.asgi import application
from identity.models import BrandSettings
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db(transaction=True)

VISITOR_IP = "203.0.113.45"
BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
POST_URL = "https://brisa.example/hoteles/cadiz?ref=boletin&utm_source=old#reserva"
PREVIEW_AGENTS = [
    "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "Twitterbot/1.0",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "WhatsApp/2.23.20.0 A",
    "TelegramBot (like TwitterBot)",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "http.rb/5.1.1 (Mastodon/4.2.0; +https://mastodon.social/)",
    "SomeCrawler/3.1",
    "Mozilla/5.0 (compatible; example-spider)",
    "",
]
PEOPLE_AGENTS = [
    BROWSER,
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 [LinkedInApp]/9.29.1",
    "Mozilla/5.0 (Linux; Android 9; CUBOT P30) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/120.0 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
]


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def location(self) -> str:
        return self.headers["location"]


async def fetch(
    path: str,
    *,
    method: str = "GET",
    query: str = "",
    headers: list[tuple[str, str]] | None = None,
    ip: str = VISITOR_IP,
    user_agent: str | None = BROWSER,
) -> Answer:
    raw_headers = [(b"host", b"testserver")]
    if user_agent is not None:
        raw_headers.append((b"user-agent", user_agent.encode()))
    for name, value in headers or []:
        raw_headers.append((name.lower().encode(), value.encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": raw_headers,
        "client": (ip, 51234),
        "server": ("testserver", 80),
    }
    communicator = ApplicationCommunicator(application, scope)
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(timeout=10)
    body = b""
    while True:
        message = await communicator.receive_output(timeout=10)
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await communicator.wait(timeout=10)
    return Answer(
        status=start["status"],
        headers={k.decode().lower(): v.decode() for k, v in start["headers"]},
        body=body,
    )


def stream_entries() -> list[dict[bytes, bytes]]:
    client = redis.Redis.from_url(django_settings.REDIS_URL)
    try:
        return [
            fields for _, fields in client.xrange(django_settings.ADVOCACY_CLICK_STREAM)
        ]
    finally:
        client.close()


@sync_to_async
def stored_clicks() -> list[Click]:
    """Every click stored, once the stream (if any) is drained as production does."""
    if django_settings.REDIS_URL:
        call_command("advocacy_drain_clicks", "--once", stdout=io.StringIO())
    return list(Click.objects.order_by("id"))


@pytest.fixture(autouse=True)
def _own_click_stream(settings):
    """A stream of this test's own on a shared Redis; no destination held over."""
    settings.ADVOCACY_CLICK_STREAM = f"cimientos-test-clicks-{uuid.uuid4().hex[:12]}"
    redirect.link_cache_clear()
    yield
    redirect.link_cache_clear()
    if settings.REDIS_URL:
        client = redis.Redis.from_url(settings.REDIS_URL)
        client.delete(settings.ADVOCACY_CLICK_STREAM)
        client.close()


@pytest.fixture(params=["database", "redis_stream"])
def store(request, settings) -> str:
    """Where clicks go first: the database (no Redis) or the Redis stream."""
    if request.param == "redis_stream":
        if not settings.REDIS_URL:
            pytest.skip("REDIS_URL is not set")
    else:
        settings.REDIS_URL = ""
    return request.param


@pytest.fixture
def post(transactional_db) -> BrandPost:
    campaign = Campaign.objects.create(
        name="Verano",
        slug="verano-2026",
        starts_on=dt.date(2026, 6, 1),
        ends_on=dt.date(2026, 8, 31),
    )
    return BrandPost.objects.create(
        title="Abrimos en Cádiz",
        commentary="Nuestro nuevo hotel.",
        url=POST_URL,
        live=True,
        campaign=campaign,
    )


@pytest.fixture
def link(post) -> TrackedLink:
    return TrackedLink.objects.create(
        employee=EmployeeFactory(), post=post, network=Network.LINKEDIN
    )


# Destination


async def test_link_redirects_to_the_post_with_utm_and_its_own_query(link, post):
    answer = await fetch(f"/s/{link.code}")

    assert answer.status == 302
    target = urlsplit(answer.location)
    assert (target.scheme, target.netloc, target.path, target.fragment) == (
        "https",
        "brisa.example",
        "/hoteles/cadiz",
        "reserva",
    )
    assert parse_qsl(target.query) == [
        ("ref", "boletin"),
        ("utm_source", "linkedin"),
        ("utm_medium", "employee_advocacy"),
        ("utm_campaign", "verano-2026"),
        ("utm_content", str(post.pk)),
    ]
    assert answer.headers["cache-control"] == "private, no-store"
    assert answer.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert answer.headers["x-robots-tag"] == "noindex"


async def test_post_in_no_campaign_uses_the_brand_default_campaign(post):
    @sync_to_async
    def setup(value: str | None) -> str:
        BrandPost.objects.filter(pk=post.pk).update(campaign=None)
        if value is not None:
            brand = BrandSettings.for_site(Site.objects.get(is_default_site=True))
            BrandSettings.objects.filter(pk=brand.pk).update(utm_source_default=value)
        return TrackedLink.objects.create(
            employee=EmployeeFactory(), post=post, network=Network.X
        ).code

    def campaign_of(answer: Answer) -> str:
        return dict(parse_qsl(urlsplit(answer.location).query))["utm_campaign"]

    assert campaign_of(await fetch(f"/s/{await setup(None)}")) == "employee-advocacy"
    assert campaign_of(await fetch(f"/s/{await setup('gente-brisa')}")) == (
        "gente-brisa"
    )
    assert campaign_of(await fetch(f"/s/{await setup('')}")) == "advocacy"


async def test_link_still_redirects_after_its_post_is_unpublished_or_expired(
    link, post
):
    @sync_to_async
    def take_down() -> None:
        BrandPost.objects.filter(pk=post.pk).update(
            live=False, expired=True, expire_at=timezone.now() - dt.timedelta(days=1)
        )

    first = await fetch(f"/s/{link.code}")
    await take_down()
    await sync_to_async(redirect.link_target_forget)(codes=[link.code])
    second = await fetch(f"/s/{link.code}")

    assert second.status == 302
    assert second.location == first.location
    assert len(await stored_clicks()) == 2


async def test_editing_the_posts_url_moves_its_links_at_once(link, post):
    first = await fetch(f"/s/{link.code}")

    @sync_to_async
    def edit() -> None:
        post.refresh_from_db()
        post.url = "https://brisa.example/sevilla-nuevo"
        post.save()

    await edit()
    second = await fetch(f"/s/{link.code}")
    assert urlsplit(first.location).path != urlsplit(second.location).path
    assert second.location.startswith("https://brisa.example/sevilla-nuevo?")


async def test_nothing_in_the_request_changes_the_destination(link):
    expected = (await fetch(f"/s/{link.code}")).location
    attempts = [
        await fetch(f"/s/{link.code}", query="next=https://evil.example/"),
        await fetch(f"/s/{link.code}", query="url=https%3A%2F%2Fevil.example%2F"),
        await fetch(f"/s/{link.code}/"),
        await fetch(
            f"/s/{link.code}",
            headers=[
                ("host", "evil.example"),
                ("x-forwarded-host", "evil.example"),
                ("referer", "https://evil.example/"),
            ],
        ),
    ]
    assert [a.location for a in attempts] == [expected] * len(attempts)
    for suffix in ("/../evil", "/evil.example", "//evil.example"):
        answer = await fetch(f"/s/{link.code}{suffix}")
        assert answer.status == 404, suffix
        assert "location" not in answer.headers


# Not a link


async def test_unknown_code_is_not_found(link, settings):
    answer = await fetch("/s/Unknown2345")

    assert answer.status == 404
    assert answer.headers["content-type"] == "text/plain; charset=utf-8"
    assert answer.headers["x-robots-tag"] == "noindex"
    with translation.override(settings.LANGUAGE_CODE):
        assert answer.body.decode().strip() == str(redirect.NOT_FOUND)
    assert await stored_clicks() == []


@pytest.mark.parametrize(
    "path",
    ["/s/", "/s/abc", "/s/" + "a" * 17, "/s/abcd-efg", "/s/abcd\n", "/s/ábcdef"],
)
async def test_malformed_code_is_not_found_without_asking_the_database(
    path, monkeypatch
):
    def fail(**kwargs):
        raise AssertionError("the database was asked")

    monkeypatch.setattr(redirect, "link_target_from_db", fail)
    assert (await fetch(path)).status == 404


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "OPTIONS"])
async def test_only_get_and_head_are_allowed(link, method):
    answer = await fetch(f"/s/{link.code}", method=method)

    assert answer.status == 405
    assert answer.headers["allow"] == "GET, HEAD"
    assert await stored_clicks() == []


async def test_other_paths_still_reach_django(transactional_db):
    answer = await fetch("/healthz")

    assert answer.status == 200
    assert b'"status": "ok"' in answer.body


# Clicks


async def test_a_visit_is_stored_as_a_click_with_its_context(link, store):
    answer = await fetch(
        f"/s/{link.code}",
        headers=[
            ("referer", "https://www.linkedin.com/feed/?trk=x"),
            ("cf-ipcountry", "es"),
        ],
    )
    assert answer.status == 302

    [click] = await stored_clicks()
    assert click.link_id == link.pk
    assert click.network == "linkedin"
    assert click.referrer_host == "www.linkedin.com"
    assert click.country == "ES"
    assert click.preview is False
    assert abs(timezone.now() - click.at) < dt.timedelta(minutes=1)
    assert click.day == click.at.astimezone(dt.UTC).date()
    assert len(click.visitor) == 64
    int(click.visitor, 16)


async def test_country_comes_from_either_header_and_only_as_two_letters(link):
    for headers in (
        [("x-country-code", "pt")],
        [("cf-ipcountry", "XX"), ("x-country-code", "FR")],
        [("cf-ipcountry", "T1")],
        [("x-country-code", "ESP")],
        [],
    ):
        await fetch(f"/s/{link.code}", headers=headers)

    assert [c.country for c in await stored_clicks()] == ["PT", "FR", "", "", ""]


async def test_previews_and_head_requests_are_stored_as_previews(link, store):
    for agent in PREVIEW_AGENTS:
        assert (await fetch(f"/s/{link.code}", user_agent=agent)).status == 302
    head = await fetch(f"/s/{link.code}", method="HEAD")
    assert head.status == 302
    assert head.body == b""
    for agent in PEOPLE_AGENTS:
        await fetch(f"/s/{link.code}", user_agent=agent)

    stored = await stored_clicks()
    previews = len(PREVIEW_AGENTS) + 1
    assert [c.preview for c in stored] == [True] * previews + [False] * len(
        PEOPLE_AGENTS
    )


async def test_visitors_are_told_apart_by_address_and_agent_but_not_by_visit(link):
    await fetch(f"/s/{link.code}", ip="198.51.100.7")
    await fetch(f"/s/{link.code}", ip="198.51.100.7")
    await fetch(f"/s/{link.code}", ip="198.51.100.8")
    await fetch(f"/s/{link.code}", ip="198.51.100.7", user_agent=PEOPLE_AGENTS[3])

    first, again, other_ip, other_agent = (c.visitor for c in await stored_clicks())
    assert first == again
    assert len({first, other_ip, other_agent}) == 3


def test_the_visitor_salt_changes_every_day():
    today = dt.date(2026, 3, 1)
    tomorrow = today + dt.timedelta(days=1)
    same = clicks.visitor_hash(ip=VISITOR_IP, user_agent=BROWSER, day=today)

    assert same == clicks.visitor_hash(ip=VISITOR_IP, user_agent=BROWSER, day=today)
    assert same != clicks.visitor_hash(ip=VISITOR_IP, user_agent=BROWSER, day=tomorrow)


@pytest.mark.parametrize("trusted", [False, True])
async def test_x_forwarded_for_counts_only_when_trusted(link, settings, trusted):
    settings.ADVOCACY_TRUST_X_FORWARDED_FOR = trusted
    for forwarded in ("198.51.100.7", "198.51.100.8, 10.0.0.1"):
        await fetch(
            f"/s/{link.code}", ip="10.0.0.1", headers=[("x-forwarded-for", forwarded)]
        )

    first, second = (c.visitor for c in await stored_clicks())
    assert (first != second) is trusted


async def test_no_ip_address_is_stored_anywhere(link, store, settings):
    settings.ADVOCACY_TRUST_X_FORWARDED_FOR = True
    addresses = ["203.0.113.45", "2001:db8::5", "198.51.100.77"]
    await fetch(f"/s/{link.code}", ip=addresses[0])
    await fetch(f"/s/{link.code}", ip=addresses[1])
    await fetch(
        f"/s/{link.code}",
        headers=[
            ("x-forwarded-for", addresses[2]),
            ("referer", f"http://{addresses[0]}/intranet"),
        ],
    )
    queued = stream_entries() if store == "redis_stream" else []
    assert len(await stored_clicks()) == 3

    rows = await sync_to_async(lambda: list(Click.objects.values()))()
    stored = [v.decode() for fields in queued for v in fields.values()]
    stored += [str(value) for row in rows for value in row.values()]
    for address in addresses:
        assert not [value for value in stored if address in value]


async def test_concurrent_clicks_are_all_counted(link, store, monkeypatch):
    lookups = []
    load = redirect._link_target_load_async

    async def counted_load(code):
        lookups.append(code)
        return await load(code)

    monkeypatch.setattr(redirect, "_link_target_load_async", counted_load)

    answers = await asyncio.gather(
        *(fetch(f"/s/{link.code}", ip=f"198.51.100.{n}") for n in range(50))
    )

    assert {a.status for a in answers} == {302}
    assert lookups == [link.code]
    stored = await stored_clicks()
    assert len(stored) == 50
    assert len({c.visitor for c in stored}) == 50


async def test_clicks_arriving_together_share_a_transaction(link, store, monkeypatch):
    if store != "database":
        pytest.skip("the stream is drained in batches anyway")
    batches = []
    store_batch = clicks.clicks_store

    def counted_store(*, records):
        batches.append(len(records))
        return store_batch(records=records)

    monkeypatch.setattr(clicks, "clicks_store", counted_store)

    await asyncio.gather(*(fetch(f"/s/{link.code}") for _ in range(40)))

    assert sum(batches) == 40
    assert len(batches) < 40
    assert len(await stored_clicks()) == 40


def test_a_click_on_a_deleted_link_does_not_cost_the_others(link):
    def record(link_id: int) -> clicks.ClickRecord:
        return clicks.ClickRecord(
            uid=click_uid(),
            link_id=link_id,
            network="linkedin",
            at=timezone.now(),
            referrer_host="",
            country="",
            visitor="0" * 64,
            preview=False,
        )

    stored = clicks.clicks_store(
        records=[record(link.pk), record(link.pk + 1000), record(link.pk)]
    )

    assert stored == 2
    assert Click.objects.filter(link=link).count() == 2


# What a click earns its link's owner


@sync_to_async
def _rewards(link) -> tuple[int, list[int]]:
    points = sum(
        PointsEntry.objects.filter(employee=link.employee, reason="click").values_list(
            "points", flat=True
        )
    )
    told = Notification.objects.filter(
        user=link.employee.user, kind="click_milestone"
    ).values_list("data", flat=True)
    return points, sorted(d["clicks"] for d in told)


async def test_ten_visitors_earn_ten_points_and_tell_the_owner(link, store):
    for n in range(10):
        await fetch(f"/s/{link.code}", ip=f"198.51.100.{n}")
    await fetch(f"/s/{link.code}", ip="198.51.100.1")  # the same visitor again
    await fetch(f"/s/{link.code}", user_agent="LinkedInBot/1.0")  # a preview
    assert len(await stored_clicks()) == 12

    # Stored straight in the database, the rewards follow within a second or
    # so; through Redis, the drain above already gave them.
    for _ in range(50):
        points, told = await _rewards(link)
        if told == [10]:
            break
        await asyncio.sleep(0.1)
    assert points == 10
    assert told == [10]  # the highest milestone reached, once


# The Redis stream and its drain


@pytest.fixture
def redis_stream(settings) -> str:
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set")
    return settings.ADVOCACY_CLICK_STREAM


async def test_drain_stores_each_queued_click_once(link, redis_stream):
    for n in range(20):
        await fetch(f"/s/{link.code}", ip=f"198.51.100.{n}")
    assert len(stream_entries()) == 20
    assert await sync_to_async(Click.objects.count)() == 0

    @sync_to_async
    def drain() -> int:
        call_command("advocacy_drain_clicks", "--once", stdout=io.StringIO())
        return Click.objects.count()

    assert await drain() == 20
    assert await drain() == 20
    assert stream_entries() == []


async def test_drain_that_dies_before_acknowledging_loses_and_repeats_nothing(
    link, redis_stream, monkeypatch
):
    for n in range(10):
        await fetch(f"/s/{link.code}", ip=f"198.51.100.{n}")

    def die(*args, **kwargs):
        raise SystemExit("killed between the insert and the acknowledgement")

    @sync_to_async
    def drain() -> None:
        call_command(
            "advocacy_drain_clicks", "--once", "--batch-size=4", stdout=io.StringIO()
        )

    monkeypatch.setattr(clicks, "_acknowledge", die)
    with pytest.raises(SystemExit):
        await drain()
    assert await sync_to_async(Click.objects.count)() == 4
    monkeypatch.undo()

    await fetch(f"/s/{link.code}", ip="198.51.100.99")
    await drain()
    stored = await sync_to_async(list)(Click.objects.values_list("visitor", flat=True))
    assert len(stored) == 11
    assert len(set(stored)) == 11
    assert stream_entries() == []


# Pieces


@pytest.mark.parametrize(
    ("referrer", "host"),
    [
        ("https://www.linkedin.com/feed/", "www.linkedin.com"),
        ("android-app://com.linkedin.android/", "com.linkedin.android"),
        ("https://t.co/abc", "t.co"),
        ("https://www.linkedin.com./feed/", "www.linkedin.com"),
        ("https://WWW.LinkedIn.com/", "www.linkedin.com"),
        ("https://bücher.example/", "bücher.example"),
        ("https://127.0.0.1.nip.io/", "127.0.0.1.nip.io"),
        ("http://192.0.2.1/page", ""),
        ("http://[2001:db8::1]/", ""),
        ("http://[broken/", ""),
        ("", ""),
        # An IP address in every notation a browser takes as one.
        ("http://127.1/", ""),
        ("http://127.0.1/", ""),
        ("http://2130706433/", ""),
        ("http://0x7f000001/", ""),
        ("http://0x7f.0.0.1/", ""),
        ("http://0X7F.0x0.0.0x1/", ""),
        ("http://0177.0.0.1/", ""),
        ("http://017700000001/", ""),
        ("http://127.0.0.1./", ""),
        ("http://127.1.:8080/", ""),
        ("http://user:secret@127.0.0.1/", ""),
        ("http://%31%32%37.0.0.1/", ""),
        ("http://１２７.０.０.１/", ""),
        ("http://0/", ""),
        ("http://999.999.999.999/", ""),
        ("http://[::1]/", ""),
        ("http://[::ffff:127.0.0.1]/", ""),
        ("http://[::ffff:7f00:1]/", ""),
        ("http://[fe80::1%25eth0]/", ""),
        ("http://[64:ff9b::7f00:1]/", ""),
    ],
)
def test_referrer_keeps_the_host_only(referrer, host):
    assert clicks.referrer_host(referrer) == host


@pytest.mark.parametrize("agent", PREVIEW_AGENTS)
def test_preview_agents_are_recognised(agent):
    assert clicks.is_preview(method="GET", user_agent=agent)


@pytest.mark.parametrize("agent", PEOPLE_AGENTS)
def test_people_are_not_taken_for_previews(agent):
    assert not clicks.is_preview(method="GET", user_agent=agent)
    assert clicks.is_preview(method="HEAD", user_agent=agent)
