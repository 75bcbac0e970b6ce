"""What a person sees of their own numbers, and the download of all their data."""

from __future__ import annotations

import datetime as dt
import json
import re
from datetime import timedelta

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from advocacy import rewards
from advocacy.models import Click, PointsEntry, Share, TrackedLink
from advocacy.services import consent_opt_in, share_create, suggestion_create
from identity.models import HomePage
from insights.export import COVERED, EXCLUDED, PERSONAL_MODELS, PULSE_ANSWERS_NOTE
from onboarding.models import ModulePage, PathIndexPage, PathPage
from onboarding.selectors import reflections_shared_with
from onboarding.services import (
    acknowledge,
    attempt_start,
    attempt_submit,
    enrolment_create,
    pulse_submit,
    reflection_save,
)
from people.models import Invitation
from tests.advocacy.test_sharing import _certify, _post
from tests.factories import DepartmentFactory, EmployeeFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

MY_NUMBERS = "/insights/me/"
EXPORT = "/insights/me/export.json"
TOKEN_HASH = "5e" * 32
MY_VISITORS = ("a1" * 32, "b2" * 32)
THEIR_VISITOR = "c3" * 32
MY_REFLECTION = "Me encantó conocer la historia del hotel y a su equipo."
THEIR_REFLECTION = "Reflexión de Carlos: todavía me cuesta el turno de noche."
MY_CAPTION = "Mi primer hotel con vistas al Guadalquivir: os lo recomiendo."
MY_OTHER_CAPTION = "Orgullosa de este premio: lo hemos trabajado todo el año."
THEIR_CAPTION = "Carlos opina: el mejor equipo de Sevilla, sin ninguna duda."


def _publish(parent, page):
    page = parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()  # as a request would load it: with its live revision
    return page


def _clicks(link: TrackedLink, visitors: list[str], *, preview: bool = False):
    """Store clicks as the redirect does, then run what follows them."""
    now = timezone.now()
    rows = [
        Click(
            link=link,
            at=now,
            day=now.astimezone(dt.UTC).date(),
            network=link.network,
            visitor=visitor,
            preview=preview,
        )
        for visitor in visitors
    ]
    Click.objects.bulk_create(rows)
    rewards.clicks_recorded(clicks=rows)


def _advocate(**fields):
    person = EmployeeFactory(**fields)
    _certify(person)
    consent_opt_in(employee=person)
    return person


@pytest.fixture
def modules(db) -> dict[str, ModulePage]:
    home = HomePage.objects.get(locale__language_code="es")
    index = _publish(home, PathIndexPage(title="Itinerarios", slug="itinerarios"))
    path = _publish(index, PathPage(title="Bienvenida", slug="bienvenida"))
    question = {
        "question": "Who is a guest?",
        "multiple": False,
        "options": [
            {"text": "Everyone who comes in", "correct": True, "feedback": ""},
            {"text": "Only VIPs", "correct": False, "feedback": ""},
        ],
    }

    def add(title: str, **fields) -> ModulePage:
        slug = title.lower().replace(" ", "-")
        return _publish(path, ModulePage(title=title, slug=slug, **fields))

    return {
        "path": path,
        # Released a week before the start, due on the start date: overdue.
        "before": add("Antes de empezar", release_day=-7, due_days=7),
        "values": add(
            "Nuestros valores", release_day=1, reflection_prompt="¿Qué te llevas?"
        ),
        "check": add(
            "Prueba", release_day=1, due_days=30, questions=[("question", question)]
        ),
        "policy": add(
            "Redes sociales",
            release_day=1,
            due_days=30,
            body=[
                ("policy", {"title": "Política de redes", "text": "<p>Sé amable.</p>"})
            ],
        ),
        "pulse": add(
            "Pulso",
            release_day=1,
            due_days=30,
            pulse_questions=[("scale", {"question": "Me siento bienvenida"})],
        ),
    }


@pytest.fixture
def person(modules):
    """Ana: three days in, advocate, three modules done, three shares, clicks."""
    ana = _advocate(
        user=UserFactory(email="ana@example.com"),
        full_name="Ana Ruiz",
        start_date=timezone.localdate() - timedelta(days=3),
        timezone="Europe/Madrid",
        department=DepartmentFactory(name="Operaciones"),
        manager=EmployeeFactory(full_name="Marta Directora"),
        buddy=EmployeeFactory(full_name="Bruno Compañero"),
    )
    ana.team = TeamFactory(name="Recepción", department=ana.department)
    ana.save()
    Invitation.objects.create(
        employee=ana, token_hash=TOKEN_HASH, expires_at=timezone.now() + timedelta(7)
    )
    enrolment_create(employee=ana, path=modules["path"])
    reflection_save(
        employee=ana, module=modules["values"], text=MY_REFLECTION, shared=False
    )
    pulse_submit(
        employee=ana,
        module=modules["pulse"],
        data={block.id: "4" for block in modules["pulse"].pulse_questions},
    )
    acknowledge(employee=ana, module=modules["policy"])
    attempt = attempt_start(employee=ana, module=modules["check"])
    (block,) = modules["check"].questions
    vip = next(
        o.id for o in block.value["options"].bound_blocks if not o.value["correct"]
    )
    wrong = {block.id: [vip]}
    attempt_submit(employee=ana, attempt_id=attempt.pk, answers=wrong)

    sevilla = _post(title="Abrimos en Sevilla")
    award = _post(title="Premio de sostenibilidad")
    share_create(employee=ana, post=sevilla, network="linkedin", caption="")
    share_create(employee=ana, post=sevilla, network="x", caption=MY_CAPTION)
    share_create(employee=ana, post=award, network="linkedin", caption=MY_OTHER_CAPTION)
    link = TrackedLink.objects.get(employee=ana, post=sevilla, network="linkedin")
    # Three clicks by two visitors, and two link previews (not people).
    _clicks(link, [MY_VISITORS[0], MY_VISITORS[1], MY_VISITORS[0]])
    _clicks(link, [MY_VISITORS[0], MY_VISITORS[1]], preview=True)
    # Points from an earlier month count in the total only.
    PointsEntry.objects.create(
        employee=ana,
        reason=PointsEntry.Reason.SHARE,
        points=5,
        key="earlier",
        at=timezone.now() - timedelta(days=40),
    )
    suggestion_create(
        employee=ana,
        url="https://blog.example/cocina",
        why="Nuestra cocina sale en el blog.",
        title="La cocina de Brisa",
    )
    return ana


@pytest.fixture
def colleague(person, modules):
    """Carlos reports to Ana, shares in his own words and shares a reflection."""
    carlos = _advocate(full_name="Carlos Colega", manager=person)
    enrolment_create(employee=carlos, path=modules["path"])
    reflection_save(
        employee=carlos, module=modules["values"], text=THEIR_REFLECTION, shared=True
    )
    post = _post(title="Abrimos en Sevilla otra vez")
    share_create(employee=carlos, post=post, network="linkedin", caption=THEIR_CAPTION)
    _clicks(TrackedLink.objects.get(employee=carlos), [THEIR_VISITOR])
    return carlos


def _stat(html: str, name: str) -> str:
    found = re.search(rf'data-stat="{name}">(.*?)</(?:dd|p)>', html, re.DOTALL)
    assert found, f"no {name} on the page"
    text = re.sub(r"<[^>]+>", "", found.group(1))
    return " ".join(text.split())


def _path_card(html: str, title: str) -> str:
    return html.split(f'<h3 class="card-title">{title}</h3>', 1)[1].split("</div>")[0]


# --- The page -----------------------------------------------------------------------


def test_my_numbers_match_what_happened(client, person, colleague):
    client.force_login(person.user)
    html = client.get(MY_NUMBERS).content.decode()

    welcome = _path_card(html, "Bienvenida")
    # Reflection, policy and pulse done; the check failed; pre-boarding overdue.
    assert _stat(welcome, "modules-done") == "3 of 5 required"
    assert _stat(welcome, "overdue") == "1"
    assert _stat(welcome, "certificate") == "None yet"
    advocate = _path_card(html, "Embajador")
    assert _stat(advocate, "certificate").startswith(
        "Advocate certificate: valid until"
    )

    assert "You opted in to advocacy on" in _stat(html, "consent")
    assert _stat(html, "shares") == "3"
    assert _stat(html, "personalised") == "67% (2 shares)"
    assert "LinkedIn: 2" in html and "X: 1" in html
    assert _stat(html, "clicks") == "3"  # previews are not clicks
    assert _stat(html, "visitors") == "2"
    assert _stat(html, "previews") == "2"
    # 3 modules x 10, shares 5 + 5 + 5 + 5 + 5, 2 new visitors x 1; 5 last month.
    assert _stat(html, "points-total") == "62"
    assert _stat(html, "points-month") == "57"
    assert _stat(html, "leaderboard").startswith("Number 1, with 57 points")
    assert "First share" in html
    assert 'href="/insights/me/export.json"' in html


def test_empty_states_say_what_to_do(client, db):
    newcomer = EmployeeFactory(full_name="Nadia Nueva")
    client.force_login(newcomer.user)
    html = client.get(MY_NUMBERS).content.decode()
    assert "You are not enrolled in any path yet." in html
    assert "You have not opted in to advocacy." in _stat(html, "consent")
    assert 'href="/hub/consent/"' in html
    assert "You have not shared anything yet." in html
    assert 'href="/hub/"' in html
    assert "Nobody has followed your links yet." in html
    assert _stat(html, "points-total") == "0"
    assert "No badges yet" in html
    assert _stat(html, "leaderboard").startswith("You are not shown on leaderboards")


def test_hidden_from_leaderboards_shows_no_position(client, person):
    person.advocacy_consent.on_leaderboards = False
    person.advocacy_consent.save()
    client.force_login(person.user)
    html = client.get(MY_NUMBERS).content.decode()
    assert _stat(html, "leaderboard").startswith("You are not shown on leaderboards")


def test_the_page_costs_the_same_queries_for_one_share_or_thirty(
    client, db, django_assert_num_queries
):
    advocate = _advocate(full_name="Alba Embajadora")
    posts = [_post(title=f"Post {n}") for n in range(11)]
    share_create(employee=advocate, post=posts[0], network="linkedin", caption="")
    _clicks(TrackedLink.objects.get(employee=advocate), [MY_VISITORS[0]])
    client.force_login(advocate.user)
    client.get(MY_NUMBERS)  # warm caches (content types, site, locale)
    with CaptureQueriesContext(connection) as one_share:
        assert client.get(MY_NUMBERS).status_code == 200

    networks = ["linkedin", "x", "facebook"]
    for n in range(29):  # one share per post, network and day: 29 distinct pairs
        share_create(
            employee=advocate,
            post=posts[1 + n % 10],
            network=networks[n % 3],
            caption=f"Con mis palabras, número {n}: {'¡bien! ' * (n % 4)}",
        )
    for link in TrackedLink.objects.filter(employee=advocate):
        _clicks(link, [f"{link.pk:064x}", MY_VISITORS[1]])
    assert Share.objects.filter(employee=advocate).count() == 30
    with django_assert_num_queries(len(one_share.captured_queries)):
        html = client.get(MY_NUMBERS).content.decode()
    assert _stat(html, "shares") == "30"


def test_the_nav_links_to_my_numbers_for_people_with_a_profile(client, person):
    client.force_login(person.user)
    html = client.get("/onboarding/").content.decode()
    assert re.search(r'<a href="/insights/me/"\s*>My numbers</a>', html)
    mine = client.get(MY_NUMBERS).content.decode()
    assert '<a href="/insights/me/" aria-current="page">My numbers</a>' in mine


def test_without_an_employee_profile_there_is_nothing_to_show(client, db):
    user = UserFactory(email="robot@example.com")
    client.force_login(user)
    assert client.get(MY_NUMBERS).status_code == 404
    assert client.get(EXPORT).status_code == 404


@pytest.mark.parametrize("url", [MY_NUMBERS, EXPORT])
def test_signed_out_visitors_are_sent_to_sign_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/insights/me/")


# --- The download -------------------------------------------------------------------


def _export(client, employee) -> tuple[dict, str]:
    client.force_login(employee.user)
    response = client.get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="cimientos-my-data-\d{4}-\d{2}-\d{2}\.json"',
        response["Content-Disposition"],
    )
    assert "no-store" in response["Cache-Control"]
    text = response.content.decode("utf-8")
    return json.loads(text), text


def test_the_download_holds_my_own_rows(client, person, colleague, modules):
    data, text = _export(client, person)
    assert list(data) == [
        "about",
        "profile",
        "account",
        "invitations",
        "onboarding",
        "advocacy",
        "notifications",
    ]
    profile = data["profile"]
    assert profile["email"] == "ana@example.com"
    assert profile["manager"] == "Marta Directora"
    assert profile["buddy"] == "Bruno Compañero"
    assert (profile["department"], profile["team"]) == ("Operaciones", "Recepción")
    assert profile["start_date"] == person.start_date.isoformat()
    assert "Bruno Compañero" in text  # UTF-8, not \u escapes
    assert data["account"]["email_addresses"][0]["email"] == "ana@example.com"
    assert data["invitations"][0]["sent"][:4].isdigit()

    onboarding = data["onboarding"]
    welcome = next(e for e in onboarding["enrolments"] if e["path"] == "Bienvenida")
    done = {m["module"] for m in welcome["modules"] if m["completed"]}
    assert done == {"Nuestros valores", "Redes sociales", "Pulso"}
    (ack,) = onboarding["acknowledgements"]
    assert ack["module"] == "Redes sociales"
    revision = modules["policy"].latest_revision
    assert ack["revision_of"] == json.loads(
        json.dumps(revision.created_at, cls=DjangoJSONEncoder)
    )
    (attempt,) = onboarding["knowledge_check_attempts"]
    assert attempt["score_percent"] == 0 and attempt["passed"] is False
    assert attempt["answers"] == [
        {"question": "Who is a guest?", "answer": ["Only VIPs"]}
    ]
    assert [r["text"] for r in onboarding["reflections"]] == [MY_REFLECTION]
    (pulse,) = onboarding["pulse_surveys_answered"]
    assert pulse["module"] == "Pulso" and re.fullmatch(r"\d{4}-\d{2}", pulse["month"])
    assert onboarding["pulse_answers"] == PULSE_ANSWERS_NOTE
    assert [c["status"] for c in onboarding["certificates"]] == ["valid"]

    advocacy = data["advocacy"]
    assert advocacy["consent"]["on_leaderboards"] is True
    assert sorted(s["caption"] for s in advocacy["shares"] if s["personalised"]) == [
        s.caption
        for s in Share.objects.filter(employee=person, personalised=True).order_by(
            "caption"
        )
    ]
    assert any(MY_CAPTION in s["caption"] for s in advocacy["shares"])
    (clicks,) = advocacy["clicks_per_link_per_day"]
    assert (clicks["clicks"], clicks["unique_visitors"], clicks["previews"]) == (
        3,
        2,
        2,
    )
    assert sum(p["points"] for p in advocacy["points"]) == 62
    assert [b["label"] for b in advocacy["badges"]] == ["First share"]
    (suggestion,) = advocacy["suggestions"]
    assert suggestion["title"] == "La cocina de Brisa"
    assert suggestion["status"] == "awaiting"
    assert {n["kind"] for n in data["notifications"]} >= {"badge", "click_milestone"}


def test_the_download_never_holds_anyone_elses_data_or_secrets(
    client, person, colleague
):
    # Ana manages Carlos and may read his shared reflection; it is still his.
    assert [r.text for r in reflections_shared_with(employee=person)] == [
        THEIR_REFLECTION
    ]
    _data, text = _export(client, person)
    assert THEIR_REFLECTION not in text
    assert THEIR_CAPTION not in text
    assert TrackedLink.objects.get(employee=colleague).code not in text
    assert "Carlos" not in text
    assert TOKEN_HASH not in text
    for visitor in (*MY_VISITORS, THEIR_VISITOR):
        assert visitor not in text
    assert '"key"' not in text  # ledger keys hold visitor ids


def test_every_relation_to_a_person_is_exported_or_excluded_with_a_reason(
    client, person
):
    """A new model pointing at a person fails here until the export decides."""
    from django.apps import apps

    found = set()
    for label in PERSONAL_MODELS:
        for relation in apps.get_model(label)._meta.get_fields(include_hidden=True):
            if relation.is_relation and relation.auto_created and not relation.concrete:
                model = relation.related_model._meta.label
                found.add(f"{model}.{relation.field.name}")
    assert not set(COVERED) & set(EXCLUDED)
    assert found - set(COVERED) - set(EXCLUDED) == set(), "not in the export"
    assert (set(COVERED) | set(EXCLUDED)) - found == set(), "no longer exists"
    assert all(reason.strip() for reason in EXCLUDED.values())

    data, _text = _export(client, person)
    for where in set(COVERED.values()):
        section, *rest = where.split(".")
        nodes = [data[section]]
        for key in rest:
            nodes = [
                n
                for node in nodes
                for n in (node if isinstance(node, list) else [node])
            ]
            assert all(key in node for node in nodes), where
            nodes = [node[key] for node in nodes]
