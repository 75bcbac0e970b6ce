"""Bad input gets a clear answer and changes nothing; it never gets a 500.

NUL bytes, ids past 64 bits and malformed admin submissions, on SQLite and
PostgreSQL alike (see config/badinput.py).
"""

from __future__ import annotations

import datetime as dt
import traceback

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.translation import override

from onboarding.models import ModulePage, Reflection
from people.models import Employee

from .fuzz_world import World, world_build

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"  # 20 digits: past any 64-bit integer
NUL_PAGE_TEXT = "contains a character that is not allowed (a NUL byte"


@pytest.fixture
def world() -> World:
    return world_build()


def _signed_in(world: World, role: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.users[role])
    return client


# --- NUL bytes -------------------------------------------------------------------


def test_a_nul_byte_in_a_query_parameter_is_answered_400_with_a_clear_page(world):
    client = _signed_in(world, "employee")

    for url in ("/hub/?q=caf%00e", "/hub/?topic=%00", "/search/?q=%00"):
        response = client.get(url)
        assert response.status_code == 400, url
        page = response.content.decode()
        assert "We could not read that request" in page
        assert NUL_PAGE_TEXT in page
        assert "the address" in page


def test_the_nul_page_is_in_the_readers_language(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(world.users["employee"])

    response = client.get("/hub/?q=%00")

    assert response.status_code == 400
    assert 'lang="es"' in response.content.decode()


@pytest.mark.parametrize("multipart", [False, True], ids=["urlencoded", "multipart"])
def test_a_nul_byte_in_a_form_field_is_refused_and_nothing_is_stored(world, multipart):
    client = _signed_in(world, "new hire")
    url = f"/onboarding/modules/{world.module.pk}/reflection/"
    data = {"text": "Me gustó\x00 mucho", "shared": "yes"}

    if multipart:
        response = client.post(url, data)
    else:
        response = client.post(
            url,
            "text=Me+gust%C3%B3%00+mucho&shared=yes",
            content_type="application/x-www-form-urlencoded",
        )

    assert response.status_code == 400
    assert "the form" in response.content.decode()
    assert not Reflection.objects.exists()
    # The same form without the NUL byte is saved.
    assert client.post(url, {"text": "Me gustó mucho"}).status_code == 302
    assert Reflection.objects.get().text == "Me gustó mucho"


def test_a_nul_byte_in_a_multipart_field_name_is_refused(world):
    client = _signed_in(world, "HR editor")

    response = client.post(
        "/admin/people-import/",
        {"no\x00te": "x", "file": SimpleUploadedFile("a.csv", b"email\n")},
    )

    assert response.status_code == 400


def test_a_nul_byte_in_the_path_is_answered_400(world):
    client = _signed_in(world, "employee")

    for url in (
        "/onboarding/certificates/AB%00CD/",
        "/people/invitation/abc%00def/",
        "/itinerarios%00/",
    ):
        response = client.get(url)
        assert response.status_code == 400, url
        assert NUL_PAGE_TEXT in response.content.decode()


def test_a_nul_byte_in_a_cookie_or_header_is_answered_400(world):
    client = Client()

    cookie = client.get("/", HTTP_COOKIE="sessionid=abcdefghij\x00klmnop")
    header = client.get(
        "/accounts/login/",
        HTTP_REFERER="https://a.example/\x00",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    spanish = client.get("/accounts/login/", HTTP_REFERER="https://a.example/\x00")

    assert cookie.status_code == 400
    assert header.status_code == 400
    assert "Something in the request headers contains" in header.content.decode()
    assert "las cabeceras de la petición" in spanish.content.decode()


def test_uploaded_file_contents_are_left_to_the_form_that_reads_them(world):
    """Binary files carry NUL bytes; only the form fields and names are checked."""
    client = _signed_in(world, "HR editor")

    response = client.post(
        "/admin/people-import/",
        {"file": SimpleUploadedFile("x.csv", b"email\nana\x00@example.com\n")},
    )

    assert response.status_code == 200
    assert "The file contains NUL characters" in response.content.decode()


# --- Ids past 64 bits ------------------------------------------------------------


def test_an_id_past_64_bits_in_the_path_is_not_found(world):
    employee = _signed_in(world, "new hire")
    admin = _signed_in(world, "Administrator")

    for url in (
        f"/onboarding/modules/{HUGE}/reflection/",
        f"/onboarding/modules/{HUGE}/complete/",
        f"/hub/posts/{HUGE}/share/",
        f"/onboarding/todo/{HUGE}/{HUGE}/done/",
    ):
        assert employee.post(url).status_code == 404, url
    for url in (
        f"/admin/enrolments/inspect/{HUGE}/",
        f"/admin/people/edit/{HUGE}/",
        f"/admin/pages/{HUGE}/revisions/compare/earliest...latest/",
        f"/admin/snippets/advocacy/brandpost/history/{HUGE}/revisions/"
        "compare/earliest...latest/",
        f"/documents/{HUGE}/politica.txt",
        f"/admin/images/{HUGE}{HUGE}{HUGE}/",
    ):
        assert admin.get(url).status_code == 404, url


def test_filters_with_ids_past_64_bits_find_nothing(world):
    admin = _signed_in(world, "Administrator")

    for url in (
        f"/admin/enrolments/?path={HUGE}",
        f"/admin/reports/overdue/?department={HUGE}&manager={HUGE}&path={HUGE}",
        f"/admin/reports/path-funnel/?path={HUGE}&department={HUGE}",
        f"/admin/reports/pulse/?path={HUGE}&department={HUGE}",
        f"/admin/reports/knowledge-checks/?path={HUGE}",
        f"/admin/reports/knowledge-checks/questions/?module={HUGE}",
        f"/admin/reports/advocacy-reach/?campaign={HUGE}&department={HUGE}",
        f"/admin/snippets/advocacy/brandpost/?campaign={HUGE}&topics={HUGE}",
        f"/admin/employee_chooser/chosen-multiple/?id={HUGE}&id=abc",
        f"/admin/snippets/choose/advocacy/topic/chosen-multiple/?id={HUGE}&id=x",
        f"/admin/images/chooser/chosen-multiple/?id={HUGE}&id=-1",
    ):
        response = admin.get(url)
        assert response.status_code == 200, url


def test_the_orm_finds_no_row_for_an_id_past_64_bits(world):
    huge = int(HUGE)

    assert not ModulePage.objects.filter(pk=huge).exists()
    assert not Employee.objects.filter(department=huge).exists()
    assert not Employee.objects.filter(manager_id__in=[huge, -huge]).exists()
    assert list(Employee.objects.filter(pk__in=[huge, world.people["employee"].pk]))
    assert Employee.objects.exclude(department=huge).count() == Employee.objects.count()


# --- Admin search on SQLite ------------------------------------------------------

SEARCHES = [
    "hola",
    "Abrimos",
    '"',
    "'",
    '"unclosed',
    "a OR b",
    "NOT x",
    "title:hola",
    "commentary: x",
    "*",
    "(",
    "-x",
    "x" * 2000,
    "١٢",
]


def test_every_admin_listing_searches_and_sorts_whatever_is_typed(world):
    admin = _signed_in(world, "Administrator")
    listings = {
        "/admin/snippets/advocacy/brandpost/": ["title", "-live", "language"],
        "/admin/snippets/advocacy/campaign/": ["name", "-starts_on", "target"],
        "/admin/snippets/advocacy/topic/": ["name", "-name_en"],
        "/admin/snippets/identity/value/": ["name", "-statement", "sort_order"],
        "/admin/people/": ["full_name", "-start_date"],
        "/admin/enrolments/": [""],
        "/admin/users/": ["name", "-email"],
    }

    for listing, orderings in listings.items():
        for query in SEARCHES:
            for ordering in orderings:
                for url in (listing, listing + "results/"):
                    response = admin.get(url, {"q": query, "ordering": ordering})
                    assert response.status_code == 200, (url, query, ordering)
    found = admin.get("/admin/snippets/advocacy/brandpost/", {"q": "Sevilla"})
    assert "Abrimos en Sevilla" in found.content.decode()


# --- Dates at the ends of the calendar -------------------------------------------


def _where(error: BaseException) -> str:
    """The last line of our own code the error passed through."""
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if "site-packages" not in frame.filename
    ]
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"


REPORTS = [
    "advocacy-reach",
    "top-posts",
    "onboarding-advocacy",
    "pulse",
    "knowledge-checks",
    "knowledge-checks/questions",
    "path-funnel",
    "overdue",
]


def test_stored_dates_at_the_ends_of_the_calendar_break_no_page_or_download(world):
    """0001-01-01 and 9999-12-31 reached the database (an old import, a typo
    before forms checked): every page, report and download still answers."""
    from .fuzz_world import world_dates_at_the_ends

    extremes = world_dates_at_the_ends(world)
    failures = []

    def visit(role: str, urls: list[str]) -> None:
        client = _signed_in(world, role)
        for url in urls:
            try:
                response = client.get(url)
                response.getvalue()  # downloads fail while they stream
                status = response.status_code
            except Exception as error:  # noqa: BLE001 - list every page that fails
                status = f"{type(error).__name__}: {error} at {_where(error)}"
            if not isinstance(status, int) or status >= 500:
                failures.append((role, url, status))

    module_urls = [
        page.url for page in ModulePage.objects.live() if page.url is not None
    ]
    people = [*extremes.values(), *world.people.values()]
    for role in ("employee", "new hire", "manager"):
        visit(
            role,
            [
                "/",
                "/onboarding/",
                "/onboarding/todo/",
                f"/onboarding/certificates/{world.certificate.code}/",
                "/hub/",
                "/hub/leaderboard/",
                "/hub/leaderboard/?period=week",
                "/hub/leaderboard/?period=month",
                "/hub/notifications/",
                "/insights/me/",
                "/insights/me/export.json",
                "/insights/team/",
                "/insights/team/?overdue=1&sort=-due",
                "/insights/team/export.csv",
                "/insights/team/export.xlsx",
                "/insights/team/advocacy.csv",
                "/insights/team/advocacy.xlsx",
                *[f"/insights/team/people/{person.pk}/" for person in people],
                *module_urls,
            ],
        )
    reports = [f"/admin/reports/{report}/" for report in REPORTS]
    visit(
        "Administrator",
        [
            "/admin/",
            "/admin/people/",
            *[f"/admin/people/edit/{person.pk}/" for person in people],
            "/admin/enrolments/",
            *[
                f"/admin/enrolments/inspect/{enrolment.pk}/"
                for enrolment in world.path.enrolments.all()
            ],
            f"/admin/certificate-verify/?code={world.certificate.code}",
            "/admin/snippets/advocacy/campaign/",
            f"/admin/snippets/advocacy/campaign/edit/{world.campaign.pk}/",
            "/admin/snippets/advocacy/brandpost/",
            *reports,
            *[f"{url}?export=csv" for url in reports],
            *[f"{url}?export=xlsx" for url in reports],
        ],
    )
    assert not failures, "\n".join(map(str, failures))


def test_onboarding_tick_survives_dates_at_the_ends_of_the_calendar(world):
    from io import StringIO

    from django.core.management import call_command

    from onboarding import reminders
    from onboarding.models import Reminder

    from .fuzz_world import world_dates_at_the_ends

    extremes = world_dates_at_the_ends(world)
    out = StringIO()

    with override("en"):
        call_command("onboarding_tick", stdout=out)
    # And on a Monday morning, when digests and overdue reminders are due.
    monday = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    reminders.reminders_tick(now=monday)
    reminders.reminders_tick(now=monday + dt.timedelta(days=3))

    assert "Reminders queued" in out.getvalue()
    assert Reminder.objects.filter(employee=extremes["ancient"]).exists()


# --- Searches and filters the admin offers ---------------------------------------


def test_a_double_quote_in_any_admin_search_box_finds_what_it_can(world):
    """On SQLite a lone ``"`` broke the search query ("unterminated string")."""
    admin = _signed_in(world, "HR editor")

    for url in (
        "/admin/images/",
        "/admin/documents/",
        "/admin/choose-page/search/",
        "/admin/pages/search/",
        "/admin/pages/usage/onboarding/modulepage/results/",
        "/search/",
    ):
        for query in ('"', 'x"y', '"unclosed phrase', '""'):
            assert admin.get(url, {"q": query}).status_code == 200, (url, query)
    found = admin.get("/admin/images/", {"q": 'Logo"'})
    assert "Sorry, no images match" not in found.content.decode()


def test_searching_images_and_documents_with_a_usage_filter_works(world):
    """Wagtail's "usage count" filter could not be combined with a search."""
    admin = _signed_in(world, "HR editor")

    unused = admin.get("/admin/images/", {"q": "Logo", "usage_count_max": "0"})
    used = admin.get("/admin/images/", {"q": "Logo", "usage_count_min": "1"})
    documents = admin.get(
        "/admin/documents/", {"q": "Política", "usage_count_min": HUGE}
    )

    assert unused.status_code == used.status_code == documents.status_code == 200
    assert "Sorry, no images match" not in unused.content.decode()
    assert "Sorry, no images match" in used.content.decode()


# --- Admin submissions no browser would send ------------------------------------


def test_admin_forms_sent_without_their_widgets_fields_are_answered_400(world):
    admin = _signed_in(world, "Administrator")
    module = world.module

    # A page form without the StreamField's "-count" fields its script adds.
    edit = admin.post(f"/admin/pages/{module.pk}/edit/", {"title": "Primer día"})
    # Rich text that is not the editor's JSON.
    value = admin.post(
        "/admin/snippets/identity/value/add/",
        {"name": "Calidez", "statement": "Sí.", "description": "0001-01-01"},
    )
    # A parent page id that is not a number.
    copy = admin.post(
        f"/admin/pages/{module.pk}/copy/",
        {"new_title": "Copia", "new_slug": "copia", "new_parent_page": "abc"},
    )
    # A page number that is not a number.
    workflow = admin.get("/admin/workflows/edit/1/", {"p": "x"})

    for response in (edit, value, copy, workflow):
        assert response.status_code == 400
        assert "is not valid" in response.content.decode()
    assert ModulePage.objects.get(pk=module.pk).title == "Primer día"


def test_admin_requests_naming_what_does_not_exist_are_not_found(world):
    admin = _signed_in(world, "Administrator")
    module = world.module

    copy = admin.post(
        f"/admin/pages/{module.pk}/copy/",
        {"new_title": "Copia", "new_slug": "copia", "new_parent_page": "-765064"},
    )
    past_the_last_page = admin.get("/admin/workflows/edit/1/", {"p": "21455178"})

    assert copy.status_code == 404
    assert past_the_last_page.status_code == 404


def test_a_chooser_given_an_id_that_is_not_a_number_shows_it_as_empty(world):
    admin = _signed_in(world, "Administrator")
    post = world.post

    response = admin.post(
        f"/admin/snippets/advocacy/brandpost/edit/{post.pk}/",
        {"title": "", "campaign": "abc", "image": "9999-12-31"},
    )

    assert response.status_code == 200  # the form again, with its errors
    page = response.content.decode()
    assert "could not be saved due to errors" in page
    assert "Select a valid choice" in page


def test_a_next_link_that_is_not_a_path_is_ignored(world):
    admin = _signed_in(world, "Administrator")

    response = admin.post(
        f"/admin/pages/{world.module.pk}/unpublish/", {"next": "2024-13-01"}
    )

    assert response.status_code == 302
    assert not ModulePage.objects.get(pk=world.module.pk).live


def test_a_formset_claiming_more_forms_than_it_sends_is_refused_at_once(world):
    """TOTAL_FORMS=99999 made Wagtail's group editor build 2,000 forms (~45 s)."""
    admin = _signed_in(world, "Administrator")
    started = admin.get("/admin/groups/new/")
    assert started.status_code == 200

    response = admin.post(
        "/admin/groups/new/",
        {
            "name": "Temporal",
            "collection_permissions-TOTAL_FORMS": "99999",
            "collection_permissions-INITIAL_FORMS": "0",
            "page_permissions-TOTAL_FORMS": "0",
            "page_permissions-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 400
    assert not Group.objects.filter(name="Temporal").exists()


# --- Numbers that look like ids ---------------------------------------------------


def test_digits_that_are_not_ascii_or_too_long_name_nothing(world):
    """``"²".isdigit()`` is true but ``int("²")`` fails: these read as no id."""
    employee = _signed_in(world, "employee")
    manager = _signed_in(world, "manager")
    new_hire = _signed_in(world, "new hire")

    share = employee.get(f"/hub/posts/{world.post.pk}/share/", {"milestone": "²"})
    team = manager.get("/insights/team/", {"team": "²"})
    read = employee.post("/hub/notifications/read/", {"id": "١"})
    attempt = new_hire.post(
        f"/onboarding/attempts/{world.attempt.pk}/", {"page": "²", "q-x": "y"}
    )

    assert share.status_code == 404
    assert team.status_code == 200
    assert read.status_code == 404
    assert attempt.status_code in (200, 302)

    all_read = employee.post("/hub/notifications/read/", {"page": "²"})
    assert all_read.status_code == 302
    assert all_read["Location"] == "/hub/notifications/"

    hr = _signed_in(world, "HR editor")
    grant = hr.post(
        f"/admin/enrolments/attempt-grant/{world.enrolment.pk}/",
        {"module": "²"},
        follow=True,
    )
    assert grant.status_code == 200
    assert "Choose a module with a knowledge check." in grant.content.decode()


@pytest.mark.django_db(transaction=True)
async def test_the_hub_socket_ignores_a_last_id_that_is_not_one(settings):
    from asgiref.sync import sync_to_async
    from channels.testing import WebsocketCommunicator

    from advocacy.services import person_event_publish
    from config.asgi import application
    from tests.factories import EmployeeFactory

    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    }

    @sync_to_async
    def signed_in() -> tuple[int, bytes]:
        client = Client()
        user = EmployeeFactory().user
        client.force_login(user)
        name = settings.SESSION_COOKIE_NAME
        return user.pk, f"{name}={client.cookies[name].value}".encode()

    user_id, cookie = await signed_in()
    headers = [(b"origin", b"http://testserver"), (b"cookie", cookie)]
    for last in ("²", HUGE, "9" * 5000, "-1"):
        socket = WebsocketCommunicator(
            application, f"/ws/hub/?last={last}", headers=headers
        )
        assert (await socket.connect())[0], last
        await sync_to_async(person_event_publish)(
            user_id=user_id, event="advocacy.n", data={"last": last[:5]}
        )
        received = await socket.receive_json_from(timeout=5)
        assert received["data"] == {"last": last[:5]}
        await socket.disconnect()


def test_report_filters_answer_malformed_values_with_the_report(world):
    admin = _signed_in(world, "HR lead")
    filters = {
        "advocacy-reach": ["date_after", "date_before", "campaign", "group_by"],
        "top-posts": ["date_after", "network", "department"],
        "onboarding-advocacy": ["date_before", "campaign"],
        "pulse": ["month_after", "month_before", "path", "group_by"],
        "knowledge-checks": ["submitted_after", "submitted_before", "path"],
        "knowledge-checks/questions": ["module", "department"],
        "path-funnel": ["start_date_after", "start_date_before", "path"],
        "overdue": ["department", "manager", "path"],
    }
    malformed = ["0001-01-01", "9999-12-31", "2024-02-30", HUGE, "-1", "²", "x" * 500]

    for report, names in filters.items():
        for name in names:
            for value in malformed:
                for export in ("", "csv", "xlsx"):
                    query = {name: value, **({"export": export} if export else {})}
                    response = admin.get(f"/admin/reports/{report}/", query)
                    response.getvalue()
                    assert response.status_code == 200, (report, query)
            refused = admin.get(f"/admin/reports/{report}/", {name: "a\x00b"})
            assert refused.status_code == 400
