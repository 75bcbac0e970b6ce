"""Measure the team dashboard in a process of its own, on a large PostgreSQL data set.

Run by ``bench.team_dashboard`` with ``DATABASE_URL`` naming a fresh database.
It migrates, then builds an organisation of ``BENCH_TEAM_EMPLOYEES`` people
(10,000) with ``BENCH_TEAM_CLICKS`` clicks (1,000,000): the few Wagtail pages
(one path of ten modules, thirty brand posts) through Wagtail's own API, and
everything else with ``COPY`` (psycopg's ``cursor.copy()``), valid as the
services would leave it (unique constraints, foreign keys, dates in order).
With ``BENCH_TEAM_REUSE=1`` a database that already holds the data set is
only migrated, so an index can be tried without building it all again.

Three managers matter: one with a reporting line of 500 people at depths 1 to
4, whose ``/insights/team/`` is timed over ``BENCH_TEAM_REQUESTS`` requests
(100), and two with lines of exactly 5 and 50, whose pages must cost the same
number of queries. The rest of the organisation is there so every query has
to find the line's rows among everyone's.

Prints one JSON object on stdout; ``#`` lines on stderr say how long each step
took. ``BENCH_TEAM_PROFILE=1`` also prints where a request's time goes: the
slowest statements, wall and SQL time of each part of the view (the template
render included), and cProfile's busiest functions.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED = 6
EMPLOYEES = int(os.environ.get("BENCH_TEAM_EMPLOYEES", "10000"))
CLICKS = int(os.environ.get("BENCH_TEAM_CLICKS", "1000000"))
SHARES = int(os.environ.get("BENCH_TEAM_SHARES", "75000"))
POSTS = 30
HISTORY_DAYS = 183  # shares and clicks: about six months
PREVIEW_RATE = 0.15
LINE = 500
URL = "/insights/team/"

DEPARTMENTS = [
    "Operaciones",
    "Ventas",
    "Marketing",
    "Tecnología",
    "Finanzas",
    "Personas",
    "Atención al cliente",
    "Logística",
    "Producto",
    "Calidad",
]
# Where org_build puts the three measured managers: after the CEO and the
# directors, the manager of 500, then the manager of 5, then the one of 50.
MANAGERS = {"bench": 1 + len(DEPARTMENTS)}
MANAGERS["small"] = MANAGERS["bench"] + 1 + LINE
MANAGERS["medium"] = MANAGERS["small"] + 1 + 5
SMALL_DEPARTMENTS = ["Legal", "Consejo"]  # too few people for pulse figures
TEAMS_PER_DEPARTMENT = 6
FIRST_NAMES = (
    "Ana Bruno Carla Dani Elena Fermín Gala Hugo Irene Jorge Lucía Mario Nerea "
    "Óscar Paula Quique Rosa Sergio Tania Ulises Vera Xavi Yolanda Zoe Alba Bea "
    "César Diana Eva Fede"
).split()
SURNAMES = (
    "García López Martín Sánchez Pérez Gómez Ruiz Díaz Moreno Álvarez Romero "
    "Navarro Torres Domínguez Vázquez Ramos Gil Serrano Blanco Molina Castro "
    "Ortega Rubio Marín Sanz Iglesias Núñez Medina Garrido Cortés"
).split()
NETWORKS = ["linkedin", "linkedin", "linkedin", "x", "facebook", "whatsapp", "email"]
REFERRERS = {
    "linkedin": ["www.linkedin.com", "lnkd.in", ""],
    "x": ["t.co", ""],
    "facebook": ["l.facebook.com", "m.facebook.com", ""],
    "whatsapp": [""],
    "email": ["mail.google.com", "outlook.live.com", ""],
}
COUNTRIES = ["ES", "ES", "ES", "MX", "AR", "CO", "CL", "US", ""]
BOT_AGENTS = ["LinkedInBot", "Twitterbot", "facebookexternalhit", "WhatsApp", "Slack"]


def log(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


@contextmanager
def step(name: str, timings: dict[str, float]) -> Iterator[None]:
    started = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - started
    log(f"{name}: {timings[name]:.1f}s")


# --- the organisation -----------------------------------------------------------


@dataclass
class Person:
    index: int
    manager: int | None
    department: int
    start: dt.date
    status: str = "active"
    team: int = 0
    reports: list[int] = field(default_factory=list)


@dataclass
class Org:
    people: list[Person]
    bench: int  # the manager of 500
    small: int  # the manager of 5
    medium: int  # the manager of 50


def email(index: int) -> str:
    return f"persona{index:05d}@brisa.example"


def _days_ago(rnd: random.Random, today: dt.date, low: int, high: int) -> dt.date:
    return today - dt.timedelta(days=rnd.randint(low, high))


def org_build(rnd: random.Random, today: dt.date) -> Org:
    """A CEO, ten directors, and under them every other person in a tree.

    The three measured lines are built first at fixed sizes; everyone else is
    spread over middle managers and team leads under the other directors.
    """
    people: list[Person] = []

    def add(manager: int | None, department: int, start: dt.date) -> int:
        person = Person(len(people), manager, department, start)
        people.append(person)
        if manager is not None:
            people[manager].reports.append(person.index)
        return person.index

    def veteran() -> dt.date:
        return _days_ago(rnd, today, 400, 3000)

    def recent() -> dt.date:
        return _days_ago(rnd, today, 0, 365)

    ceo = add(None, 0, veteran())
    directors = [add(ceo, d, veteran()) for d in range(len(DEPARTMENTS))]

    # The line of 500: 5 at depth 1, 20 at depth 2, 80 at depth 3, 395 at 4.
    bench = add(directors[0], 0, veteran())
    depth1 = [add(bench, 0, veteran()) for _ in range(5)]
    depth2 = [add(m, 0, veteran()) for m in depth1 for _ in range(4)]
    depth3 = [
        add(m, 0, _days_ago(rnd, today, 200, 900)) for m in depth2 for _ in range(4)
    ]
    for n in range(LINE - 105):
        add(depth3[n % len(depth3)], 0, recent())
    for n, manager in enumerate((bench, *depth1, *depth2, *depth3)):
        people[manager].department = n % 3  # a line across three departments
    # The small lines start long enough ago that everyone in them has had the
    # chance to certify, share and answer the pulse, so no part of the page is
    # skipped for the small line and not for the large one.
    small = add(directors[1], 1, veteran())
    for _ in range(5):
        add(small, 1, _days_ago(rnd, today, 150, 300))
    medium = add(directors[2], 2, veteran())
    for leader in [add(medium, 2, _days_ago(rnd, today, 150, 300)) for _ in range(5)]:
        for _ in range(9):
            add(leader, 2, _days_ago(rnd, today, 150, 300))

    rest = EMPLOYEES - len(people)
    middle = [
        add(directors[1 + n % 9], 1 + n % 9, veteran())
        for n in range(max(rest // 95, 1))
    ]
    leads = [
        add(m, people[m].department, _days_ago(rnd, today, 300, 1500))
        for m in middle
        for _ in range(9)
        if len(people) < EMPLOYEES
    ]
    n = 0
    while len(people) < EMPLOYEES:
        lead = leads[n % len(leads)]
        department = people[lead].department
        if rnd.random() < 0.05:
            department = rnd.randrange(len(DEPARTMENTS))
        index = add(lead, department, recent())
        if rnd.random() < 0.02:
            people[index].start = today + dt.timedelta(days=rnd.randint(1, 14))
            people[index].status = "pre_hire"
        elif rnd.random() < 0.02:
            people[index].status = "left"
        n += 1
    tail = [p for p in people[-200:] if not p.reports]
    for offset, person in enumerate(tail[:5]):
        person.department = len(DEPARTMENTS) + (offset % len(SMALL_DEPARTMENTS))
    for person in people:
        person.team = rnd.randrange(TEAMS_PER_DEPARTMENT)
    if (bench, small, medium) != tuple(MANAGERS.values()):
        raise SystemExit(f"managers at {bench, small, medium}, expected {MANAGERS}")
    return Org(people=people, bench=bench, small=small, medium=medium)


# --- COPY ------------------------------------------------------------------------


def copy_rows(model, columns: list[str], rows: Iterable[tuple]) -> int:
    """``COPY`` rows into ``model``'s table; columns are attribute names."""
    from django.db import connection

    names = ", ".join(
        connection.ops.quote_name(model._meta.get_field(c).column) for c in columns
    )
    table = connection.ops.quote_name(model._meta.db_table)
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def sequences_reset(models: list) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


# --- the data set ----------------------------------------------------------------


@dataclass
class ModuleSpec:
    title: str
    release_day: int
    required: bool = True
    check: bool = False
    policy: bool = False
    pulse: bool = False
    recurrence_days: int | None = None
    after: str | None = None  # a prerequisite, by title


MODULES = [
    ModuleSpec("Bienvenida", -7),
    ModuleSpec("Nuestra historia", 1),
    ModuleSpec("Misión y valores", 2, check=True),
    ModuleSpec("Herramientas", 5, required=False),
    ModuleSpec("Seguridad y salud", 10, policy=True),
    ModuleSpec("¿Cómo te va? Encuesta de los 30 días", 30, pulse=True),
    ModuleSpec("Voz de marca", 45, check=True),
    ModuleSpec("Política de redes sociales", 50, policy=True, after="Voz de marca"),
    ModuleSpec("Embajadores", 60, check=True),
    ModuleSpec("Repaso de valores", 90, recurrence_days=180),
]


def _check_questions(slug: str) -> list[dict]:
    return [
        {
            "type": "question",
            "id": f"{slug}-q{q}",
            "value": {
                "question": f"Pregunta {q}",
                "multiple": False,
                "options": [
                    {
                        "type": "item",
                        "id": f"{slug}-q{q}-o{o}",
                        "value": {"text": f"Respuesta {o}", "correct": o == 0},
                    }
                    for o in range(3)
                ],
            },
        }
        for q in range(3)
    ]


def pages_create():
    """The path and its modules, as HR would publish them."""
    from identity.models import HomePage
    from onboarding.models import ModulePage, PathIndexPage, PathPage

    def publish(parent, page):
        page = parent.add_child(instance=page)
        page.save_revision().publish()
        return page

    home = HomePage.objects.get(locale__language_code="es")
    index = publish(home, PathIndexPage(title="Itinerarios", slug="itinerarios"))
    path = publish(
        index,
        PathPage(
            title="Bienvenida a Brisa", slug="bienvenida", grants_certification=True
        ),
    )
    modules = {}
    for number, spec in enumerate(MODULES):
        slug = f"modulo-{number}"
        fields = {
            "title": spec.title,
            "slug": slug,
            "release_day": spec.release_day,
            "due_days": 7,
            "required": spec.required,
            "recurrence_days": spec.recurrence_days,
            "body": (
                [{"type": "policy", "value": {"title": spec.title, "text": "<p>…</p>"}}]
                if spec.policy
                else []
            ),
        }
        if spec.check:
            fields["questions"] = _check_questions(slug)
        if spec.pulse:
            fields["pulse_questions"] = [
                {"type": "scale", "id": f"{slug}-s{n}", "value": {"question": text}}
                for n, text in enumerate(
                    ["Me siento bienvenido.", "Sé qué se espera de mí."]
                )
            ]
            fields["pulse_enps"] = True
        module = path.add_child(instance=ModulePage(**fields))
        if spec.after:
            module.prerequisites = [modules[spec.after]]
        module.save_revision().publish()
        modules[spec.title] = ModulePage.objects.get(pk=module.pk)
    return path, list(modules.values())


def posts_create(rnd: random.Random, now: dt.datetime) -> list[tuple[int, dt.datetime]]:
    """Thirty approved posts published over the six months; (id, published)."""
    from advocacy.models import BrandPost

    posts = []
    for n in range(POSTS):
        post = BrandPost(
            title=f"Publicación {n + 1}",
            commentary="Lo que cuenta y por qué importa.",
            url=f"https://brisa.example/noticias/{n + 1}",
            hashtags="#Brisa",
            live=False,
        )
        post.save()
        post.save_revision().publish()
        published = now - dt.timedelta(
            days=HISTORY_DAYS * (POSTS - n) / POSTS, hours=rnd.randint(0, 8)
        )
        BrandPost.objects.filter(pk=post.pk).update(
            created_at=published - dt.timedelta(hours=3),
            first_published_at=published,
            last_published_at=published,
        )
        posts.append((post.pk, published))
    return posts


def _at(day: dt.date, rnd: random.Random, zone) -> dt.datetime:
    return dt.datetime.combine(
        day, dt.time(rnd.randint(8, 18), rnd.randint(0, 59), rnd.randint(0, 59)), zone
    ).astimezone(dt.UTC)


def _random_between(rnd: random.Random, low: dt.datetime, high: dt.datetime):
    return low + (high - low) * rnd.random()


def data_create(timings: dict[str, float]) -> None:
    """Build the organisation, its onboarding and its advocacy."""
    import zoneinfo

    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone
    from psycopg.types.json import Jsonb

    from advocacy.models import AdvocacyConsent, Click, Share, TrackedLink
    from onboarding.models import (
        Acknowledgement,
        Certificate,
        CheckAttempt,
        Enrolment,
        ModuleProgress,
        PulseResponse,
        PulseSubmission,
    )
    from onboarding.selectors import module_release_date
    from people.models import Department, Employee, Team, User
    from people.services import manager_roles_sync

    rnd = random.Random(SEED)
    zone = zoneinfo.ZoneInfo("Europe/Madrid")
    now = timezone.now()
    today = timezone.localdate(now, zone)

    with step("pages and posts", timings):
        path, modules = pages_create()
        posts = posts_create(rnd, now)

    with step("people", timings), transaction.atomic():
        org = org_build(rnd, today)
        departments = Department.objects.bulk_create(
            [Department(name=name) for name in DEPARTMENTS + SMALL_DEPARTMENTS]
        )
        teams = {
            d.pk: Team.objects.bulk_create(
                [
                    Team(department=d, name=f"Equipo {n + 1}")
                    for n in range(TEAMS_PER_DEPARTMENT)
                ]
            )
            for d in departments
        }
        password = make_password(None)
        user_base = (
            User.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        ) + 1
        employee_base = (
            Employee.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        ) + 1
        copy_rows(
            User,
            [
                "id",
                "password",
                "is_superuser",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
            ],
            (
                (
                    user_base + p.index,
                    password,
                    False,
                    email(p.index),
                    False,
                    p.status != "left",
                    now,
                )
                for p in org.people
            ),
        )

        def employee_id(index: int) -> int:
            return employee_base + index

        def name(index: int) -> str:
            return (
                f"{FIRST_NAMES[index % len(FIRST_NAMES)]} "
                f"{SURNAMES[(index // len(FIRST_NAMES)) % len(SURNAMES)]} "
                f"{SURNAMES[(index * 7) % len(SURNAMES)]}"
            )

        copy_rows(
            Employee,
            [
                "id",
                "user_id",
                "full_name",
                "preferred_name",
                "preferred_language",
                "department_id",
                "team_id",
                "job_title",
                "location",
                "manager_id",
                "start_date",
                "status",
                "timezone",
            ],
            (
                (
                    employee_id(p.index),
                    user_base + p.index,
                    name(p.index),
                    "",
                    "en" if p.index % 5 == 0 else "es",
                    departments[p.department].pk,
                    teams[departments[p.department].pk][
                        0 if p.department >= len(DEPARTMENTS) else p.team
                    ].pk,
                    "Responsable" if p.reports else "Técnico",
                    "Madrid" if p.index % 3 else "Sevilla",
                    None if p.manager is None else employee_id(p.manager),
                    p.start,
                    p.status,
                    "Europe/Madrid",
                )
                for p in org.people
            ),
        )
        sequences_reset([User, Employee])
        manager_roles_sync()

    # Onboarding: one enrolment each in the path, progress as people go.
    with step("onboarding", timings), transaction.atomic():
        enrolment_base = (
            Enrolment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        ) + 1
        progress_rows, attempts, acks, submissions, responses = [], [], [], [], []
        certificates = []  # (enrolment id, person index, issued)
        enrolments = []
        module_by_title = {m.title: m for m in modules}
        specs = {m.pk: spec for m, spec in zip(modules, MODULES, strict=True)}
        layouts = {
            m.pk: Jsonb(
                [
                    [q.id, [o.id for o in q.value["options"].bound_blocks]]
                    for q in m.questions
                ]
            )
            for m in modules
        }
        pulse_keys = []
        for m in modules:
            pulse_keys = pulse_keys or [str(b.id) for b in m.pulse_questions]
        for p in org.people:
            enrolment_id = enrolment_base + p.index
            # Most people keep up; some fall behind and leave modules undone.
            diligence = (
                rnd.uniform(0.93, 1.0) if rnd.random() < 0.7 else rnd.uniform(0.5, 0.9)
            )
            done_at: dict[int, dt.datetime] = {}
            for module in modules:
                spec = specs[module.pk]
                release = module_release_date(start_date=p.start, module=module)
                if release > today:
                    continue
                if spec.after and module_by_title[spec.after].pk not in done_at:
                    continue
                roll = rnd.random()
                if roll < diligence:
                    completed = min(
                        _at(release + dt.timedelta(days=rnd.randint(0, 9)), rnd, zone),
                        now - dt.timedelta(minutes=rnd.randint(5, 600)),
                    )
                    started = completed - dt.timedelta(minutes=rnd.randint(5, 2880))
                    done_at[module.pk] = completed
                elif roll < diligence + (1 - diligence) / 2:
                    started = min(
                        _at(release + dt.timedelta(days=rnd.randint(0, 5)), rnd, zone),
                        now - dt.timedelta(minutes=rnd.randint(5, 600)),
                    )
                    completed = None
                else:
                    continue  # not opened: overdue once its due date passes
                progress_rows.append((enrolment_id, module.pk, started, completed, 0))
                if spec.check:
                    failed_first = completed is None or rnd.random() < 0.2
                    layout = layouts[module.pk]
                    number = 1
                    if failed_first:
                        attempts.append(
                            (
                                enrolment_id,
                                module.pk,
                                1,
                                layout,
                                Jsonb({}),
                                33,
                                False,
                                started,
                                started + dt.timedelta(minutes=4),
                            )
                        )
                        number = 2
                    if completed is not None:
                        attempts.append(
                            (
                                enrolment_id,
                                module.pk,
                                number,
                                layout,
                                Jsonb({}),
                                100,
                                True,
                                completed - dt.timedelta(minutes=4),
                                completed,
                            )
                        )
                if spec.policy and completed is not None:
                    acks.append(
                        (enrolment_id, module.pk, module.live_revision_id, completed)
                    )
                if spec.pulse and completed is not None and rnd.random() < 0.7:
                    submissions.append((enrolment_id, module.pk, completed))
                    scores = {key: rnd.randint(2, 5) for key in pulse_keys}
                    scores["enps"] = rnd.randint(4, 10)
                    responses.append(
                        (
                            module.pk,
                            path.pk,
                            departments[p.department].pk,
                            completed.astimezone(zone).date().replace(day=1),
                            Jsonb(scores),
                        )
                    )
            required = [m.pk for m in modules if m.required]
            completed_path = (
                max(done_at[pk] for pk in required)
                if all(pk in done_at for pk in required)
                else None
            )
            enrolled = _at(min(p.start, today) - dt.timedelta(days=14), rnd, zone)
            enrolments.append(
                (
                    enrolment_id,
                    employee_id(p.index),
                    path.pk,
                    "auto",
                    "",
                    enrolled,
                    "",
                    completed_path,
                )
            )
            if completed_path is not None:
                certificates.append((enrolment_id, p.index, completed_path))
        copy_rows(
            Enrolment,
            [
                "id",
                "employee_id",
                "path_id",
                "source",
                "reason",
                "enrolled_at",
                "withdrawal_reason",
                "completed_at",
            ],
            enrolments,
        )
        copy_rows(
            ModuleProgress,
            [
                "enrolment_id",
                "module_id",
                "started_at",
                "completed_at",
                "extra_attempts",
            ],
            sorted(progress_rows, key=itemgetter(2)),
        )
        copy_rows(
            CheckAttempt,
            [
                "enrolment_id",
                "module_id",
                "number",
                "layout",
                "answers",
                "score",
                "passed",
                "started_at",
                "submitted_at",
            ],
            attempts,
        )
        copy_rows(
            Acknowledgement,
            ["enrolment_id", "module_id", "revision_id", "acknowledged_at"],
            acks,
        )
        copy_rows(
            PulseSubmission, ["enrolment_id", "module_id", "submitted_at"], submissions
        )
        copy_rows(
            PulseResponse,
            ["id", "module_id", "path_id", "department_id", "month", "scores"],
            ((uuid.UUID(int=rnd.getrandbits(128), version=4), *r) for r in responses),
        )
        validity = dt.timedelta(days=path.certification_valid_days)
        copy_rows(
            Certificate,
            ["enrolment_id", "code", "issued_at", "expires_at", "advocate"],
            (
                (enrolment_id, f"{n:05d}-BENCH", issued, issued + validity, True)
                for n, (enrolment_id, _index, issued) in enumerate(certificates)
            ),
        )
        sequences_reset([Enrolment])
        expired = sum(1 for *_x, issued in certificates if issued + validity <= now)
        log(
            f"{len(enrolments)} enrolments, {len(progress_rows)} progress, "
            f"{len(attempts)} attempts, {len(acks)} acknowledgements, "
            f"{len(responses)} pulse answers, {len(certificates)} certificates "
            f"({expired} expired)"
        )

    # Advocacy: consent after certification, links and shares while opted in,
    # clicks after each link's first share.
    with step("advocacy", timings), transaction.atomic():
        consents = []
        windows = []  # (person index, from, until) while they could share
        for _enrolment, index, issued in certificates:
            if rnd.random() > 0.75:
                continue
            opted_in = min(issued + dt.timedelta(days=rnd.randint(0, 20)), now)
            opted_out = None
            if rnd.random() < 0.1:
                opted_out = _random_between(rnd, opted_in, now)
            consents.append(
                (employee_id(index), opted_in, opted_out, True, rnd.random() < 0.4, "")
            )
            # Sharing needs consent and a certificate still valid.
            windows.append((index, opted_in, min(opted_out or now, issued + validity)))
        copy_rows(
            AdvocacyConsent,
            [
                "employee_id",
                "opted_in_at",
                "opted_out_at",
                "on_leaderboards",
                "visible_to_manager",
                "mastodon_instance",
            ],
            consents,
        )

        link_base = (
            TrackedLink.objects.order_by("-pk").values_list("pk", flat=True).first()
            or 0
        ) + 1
        history_start = now - dt.timedelta(days=HISTORY_DAYS)
        links = []  # (id, code, employee, post, network, window start, window end)
        for index, start, end in windows:
            start = max(start, history_start)
            if end - start < dt.timedelta(days=1):
                continue
            open_posts = [(pk, at) for pk, at in posts if at < end]
            wanted = min(1 + int(rnd.expovariate(1 / 3)), 12)
            pairs = {
                (rnd.choice(open_posts), rnd.choice(NETWORKS)) for _ in range(wanted)
            }
            for (post_id, published), network in sorted(pairs):
                low = max(start, published)
                links.append(
                    (
                        link_base + len(links),
                        employee_id(index),
                        post_id,
                        network,
                        low,
                        end,
                    )
                )
        weights = [rnd.paretovariate(1.5) for _ in links]
        extra = SHARES - len(links)
        share_counts = [1] * len(links)
        for n in rnd.choices(range(len(links)), weights=weights, k=max(extra, 0)):
            share_counts[n] += 1
        shares = []
        link_rows = []
        first_share = {}
        for (link_id, employee, post_id, network, low, high), count in zip(
            links, share_counts, strict=True
        ):
            times = sorted(_random_between(rnd, low, high) for _ in range(count))
            first_share[link_id] = (times[0], network)
            link_rows.append(
                (link_id, f"bench{link_id:09d}", employee, post_id, network, times[0])
            )
            for at in times:
                personalised = rnd.random() < 0.45
                shares.append(
                    (
                        employee,
                        post_id,
                        link_id,
                        network,
                        "Mirad lo que hemos hecho."
                        if personalised
                        else "Texto sugerido.",
                        personalised,
                        at,
                    )
                )
        copy_rows(
            TrackedLink,
            ["id", "code", "employee_id", "post_id", "network", "created_at"],
            link_rows,
        )
        copy_rows(
            Share,
            [
                "employee_id",
                "post_id",
                "link_id",
                "network",
                "caption",
                "personalised",
                "created_at",
            ],
            sorted(shares, key=itemgetter(6)),
        )
        sequences_reset([TrackedLink])
        log(f"{len(consents)} consents, {len(link_rows)} links, {len(shares)} shares")

    with step("clicks", timings), transaction.atomic():
        link_ids = [row[0] for row in link_rows]
        per_link = [0] * len(link_ids)
        for n in rnd.choices(range(len(link_ids)), weights=weights, k=CLICKS):
            per_link[n] += 1

        bots: dict[tuple[str, dt.date], str] = defaultdict(
            lambda: f"{rnd.getrandbits(256):064x}"
        )

        def clicks() -> Iterator[tuple]:
            for link_id, count in zip(link_ids, per_link, strict=True):
                first, network = first_share[link_id]
                span = (now - first).total_seconds()
                referrers = REFERRERS[network]
                made = 0
                while made < count:
                    at = first + dt.timedelta(seconds=span * rnd.random() ** 1.5)
                    preview = rnd.random() < PREVIEW_RATE
                    if preview:
                        visitor = bots[(rnd.choice(BOT_AGENTS), at.date())]
                        repeats = 1
                    else:
                        visitor = f"{rnd.getrandbits(256):064x}"
                        # Some come back the same day: one visitor, several clicks.
                        repeats = 1 + (rnd.random() < 0.2) * rnd.randint(1, 3)
                    referrer = rnd.choice(referrers)
                    country = rnd.choice(COUNTRIES)
                    for r in range(min(repeats, count - made)):
                        when = min(at + dt.timedelta(minutes=7 * r), now)
                        if (
                            when.astimezone(dt.UTC).date()
                            != at.astimezone(dt.UTC).date()
                        ):
                            when = at
                        yield (
                            link_id,
                            when,
                            when.astimezone(dt.UTC).date(),
                            network,
                            referrer,
                            country,
                            visitor,
                            preview,
                        )
                        made += 1

        stored = copy_rows(
            Click,
            [
                "link_id",
                "at",
                "day",
                "network",
                "referrer_host",
                "country",
                "visitor",
                "preview",
            ],
            # In the order they arrive, so one link's clicks are spread over the
            # table as in production, not stored side by side.
            sorted(clicks(), key=itemgetter(1)),
        )
        log(f"{stored} clicks")

    with step("vacuum analyze", timings), connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def managers_find(indexes: dict[str, int]) -> dict[str, int]:
    """The employee ids of the measured managers, found by their email address,
    each checked to lead a line of the size it stands for."""
    from people.models import Employee
    from people.selectors import employee_reporting_line

    sizes = {"bench": LINE, "small": 5, "medium": 50}
    found = {}
    for key, index in indexes.items():
        manager = Employee.objects.get(user__email=email(index))
        size = employee_reporting_line(manager=manager).count()
        if size != sizes[key]:
            raise SystemExit(f"the {key} manager leads {size} people, not {sizes[key]}")
        found[key] = manager.pk
    return found


# --- measuring -------------------------------------------------------------------


def _client_for(employee_id: int):
    from django.test import Client

    from people.models import Employee

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(Employee.objects.get(pk=employee_id).user)
    return client


def _get(client) -> None:
    response = client.get(URL)
    if response.status_code != 200:
        raise SystemExit(f"GET {URL} answered {response.status_code}")


def queries_count(employee_id: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client_for(employee_id)
    _get(client)  # per-process caches warm up first
    with CaptureQueriesContext(connection) as captured:
        _get(client)
    return len(captured)


def sql_time(client, requests: int = 5) -> tuple[float, list[tuple[float, str]]]:
    """Median SQL milliseconds per request, and the slowest statements of one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    totals = []
    slowest: list[tuple[float, str]] = []
    for _ in range(requests):
        with CaptureQueriesContext(connection) as captured:
            _get(client)
        times = [(1000 * float(q["time"]), q["sql"]) for q in captured.captured_queries]
        totals.append(sum(t for t, _sql in times))
        slowest = sorted(times, reverse=True)[:8]
    return statistics.median(totals), slowest


class Sections:
    """Wall and SQL time of each part of the view, request after request.

    The view's helpers are wrapped where the view looks them up (the
    ``insights.team`` module and the names ``insights.team_views`` imported),
    and every statement's time is added to the part that sent it.
    """

    def __init__(self) -> None:
        self.current = "request (middleware, session, user)"
        self.wall: dict[str, float] = defaultdict(float)
        self.sql: dict[str, float] = defaultdict(float)
        self.queries: dict[str, int] = defaultdict(int)

    def wrap(self, name: str, function):
        def timed(*args, **kwargs):
            outer, self.current = self.current, name
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.wall[name] += time.perf_counter() - started
                self.current = outer

        return timed

    def statement(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.sql[self.current] += time.perf_counter() - started
            self.queries[self.current] += 1


def profile(client, requests: int = 10) -> None:
    """Where a request's time goes, per part of the view; then cProfile's top."""
    import cProfile
    import io
    import pstats
    from contextlib import ExitStack
    from unittest import mock

    from django.db import connection

    from insights import team, team_views

    sections = Sections()
    targets = [
        (team, "team_teams"),
        (team, "team_rows"),
        (team, "team_summary"),
        (team, "team_trend"),
        (team, "weeks_total"),
        (team_views, "_manager"),
        (team_views, "team_advocacy"),
        (team_views, "team_pulse"),
        (team_views, "render"),
    ]
    totals = []
    with ExitStack() as stack:
        for module, name in targets:
            if hasattr(module, name):
                wrapped = sections.wrap(name, getattr(module, name))
                stack.enter_context(mock.patch.object(module, name, wrapped))
        stack.enter_context(connection.execute_wrapper(sections.statement))
        for _ in range(requests):
            started = time.perf_counter()
            _get(client)
            totals.append(time.perf_counter() - started)
    total = sum(totals)
    parts = sum(sections.wall.values())
    sections.wall["request (middleware, session, user)"] = total - parts
    log(f"profile: mean of {requests} requests, {1000 * total / requests:.1f} ms each")
    log(f"  {'part':40s} {'wall ms':>8s} {'SQL ms':>8s} {'queries':>8s}")
    for name, seconds in sorted(sections.wall.items(), key=lambda kv: -kv[1]):
        log(
            f"  {name:40s} {1000 * seconds / requests:8.1f} "
            f"{1000 * sections.sql[name] / requests:8.1f} "
            f"{sections.queries[name] / requests:8.1f}"
        )
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(3):
        _get(client)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(20)
    log("cProfile, 3 requests, by own time:")
    for line in out.getvalue().splitlines():
        if line.strip() and not line.lstrip().startswith(("Ordered", "List")):
            log("  " + line.replace(str(ROOT) + "/", ""))


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.pop("REDIS_URL", None)
    if not os.environ.get("DATABASE_URL", "").startswith(
        ("postgres://", "postgresql://")
    ):
        raise SystemExit("The team dashboard bench needs DATABASE_URL on PostgreSQL.")
    import django

    django.setup()
    from django.core.management import call_command

    from people.models import Employee

    timings: dict[str, float] = {}
    with step("migrate", timings):
        call_command("migrate", verbosity=0)
    if os.environ.get("BENCH_TEAM_REUSE") == "1" and Employee.objects.exists():
        log("reusing the data set already in the database")
    else:
        started = time.perf_counter()
        data_create(timings)
        timings["generate"] = time.perf_counter() - started
        log(f"data set built in {timings['generate']:.1f}s")
    managers = managers_find(MANAGERS)
    # From here on this process is a web process: it gets ready as the ASGI
    # and WSGI entry points make one.
    from config.startup import web_process_ready

    web_process_ready()

    small = queries_count(managers["small"])
    medium = queries_count(managers["medium"])
    client = _client_for(managers["bench"])
    for _ in range(5):  # warm-up
        _get(client)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        _get(client)
    large = len(captured)
    timings_ms = []
    for _ in range(int(os.environ.get("BENCH_TEAM_REQUESTS", "100"))):
        started = time.perf_counter()
        _get(client)
        timings_ms.append((time.perf_counter() - started) * 1000)
    sql_ms, slowest = sql_time(client)
    if os.environ.get("BENCH_TEAM_PROFILE") == "1":
        log("slowest statements of one request:")
        for ms, sql in slowest:
            log(f"  {ms:7.1f} ms  {sql[:300]}")
        profile(client)
    print(
        json.dumps(
            {
                "queries_5": small,
                "queries_50": medium,
                "queries_500": large,
                "p95_ms": statistics.quantiles(timings_ms, n=100)[94],
                "median_ms": statistics.median(timings_ms),
                "sql_ms": sql_ms,
                "generate_s": timings.get("generate"),
            }
        )
    )


if __name__ == "__main__":
    main()
