"""Property-based: whatever a signed-in person sends, no page answers 5xx.

Pages are found by walking the URLConf (path parameters filled from a small
world of one of everything, with people and records dated at the ends of the
calendar) and the page tree. Each page is fetched as each role (admin pages as
the admin role who works there, see ``_discover``); its forms (``<form>``
fields, htmx ``hx-get``/``hx-post``), the query parameters of links to it and
a few parameters many views read become targets. Hypothesis then sends
generated values to every target: text with NUL bytes and any unicode, huge
and negative integers, dates at the ends of the calendar, empty and very long
strings; downloads are read to their end. Every request runs in a savepoint
that is rolled back, so each case sees the same world.

A run prints ``FUZZ cases=… pages=…`` and sends at least ``MIN_CASES``.
``FUZZ_CASES=10000`` searches deeper; ``FUZZ_TRACE=<file>`` logs every request
as it is sent.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import sys
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from wagtail.models import Page, Revision, TaskState, Workflow, WorkflowState

from .fuzz_world import ROLE_GROUPS, World, world_build, world_dates_at_the_ends

pytestmark = pytest.mark.django_db

MIN_CASES = 1000
# Spread over the targets, at least two each; FUZZ_CASES=10000 for a deeper run.
CASES = int(os.environ.get("FUZZ_CASES", "1050"))

# Read by many views without a form naming them (pagination, search, sorting).
COMMON_PARAMS = ["q", "p", "page", "ordering", "sort", "next", "id", "locale"]

# Paths no fuzzing can learn anything from, or that end the session under test.
SKIPPED_PATHS = re.compile(
    r"^/(admin/failwhale/|admin/test404/|admin/logout/|accounts/logout/|healthz)"
)

# Hypothesis tries the simplest case first: every field at the first value.
NASTY_VALUES = [
    "9" * 20,
    "\x00",
    "a\x00b",
    "",
    " ",
    "'",
    '"',
    "' OR '1'='1",
    '"unclosed',
    "a OR b",
    "NOT",
    "AND (",
    "-",
    "*",
    "%",
    "_",
    "\\",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "²",
    "٣",
    "１２",
    "NaN",
    "inf",
    "1e400",
    "0x1F",
    "1.5",
    "-0",
    "[]",
    "{}",
    str(2**63),
    str(2**63 - 1),
    str(-(2**63) - 1),
    "9" * 400,
    "-1",
    "0",
    "0001-01-01",
    "9999-12-31",
    "0000-00-00",
    "2024-02-30",
    "2024-13-01",
    "10000-01-01",
    "0001-01-01 00:00",
    "9999-12-31 23:59:59",
    "x" * 10_000,
]

values = st.one_of(
    st.sampled_from(NASTY_VALUES),
    st.text(max_size=30),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.dates().map(dt.date.isoformat),
)


# --- Discovery -------------------------------------------------------------------


@dataclass
class Form:
    method: str
    action: str
    multipart: bool
    # name -> values the page offers (its default, its options)
    fields: dict[str, list[str]] = field(default_factory=dict)
    multiple: set[str] = field(default_factory=set)


class PageParser(HTMLParser):
    """The forms, htmx requests and same-site links of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(
                method=(a.get("method") or "get").upper(),
                action=a.get("action", ""),
                multipart="multipart" in a.get("enctype", ""),
            )
            self.forms.append(self._form)
        for attr, method in (("hx-get", "GET"), ("hx-post", "POST")):
            if a.get(attr):
                hx = Form(method=method, action=a[attr], multipart=False)
                if a.get("name"):
                    hx.fields[a["name"]] = [a.get("value", "")]
                try:
                    extra = json.loads(a.get("hx-vals", "") or "{}")
                except ValueError:
                    extra = {}
                if isinstance(extra, dict):
                    for key, value in extra.items():
                        hx.fields[str(key)] = [str(value)]
                self.forms.append(hx)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        form = self._form
        if form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind == "file":
                form.multipart = True
                return
            if kind in ("submit", "button", "image", "reset"):
                form.fields.setdefault(name, []).append(a.get("value", ""))
                return
            form.fields.setdefault(name, []).append(a.get("value", ""))
            if kind == "checkbox":
                form.multiple.add(name)
        elif tag in ("textarea", "button") and name:
            form.fields.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            form.fields.setdefault(name, [])
            if "multiple" in a:
                form.multiple.add(name)
        elif tag == "option" and self._select:
            form.fields[self._select].append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _patterns(resolvers=None, prefix: str = "") -> Iterator[tuple[str, object]]:
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _path_samples(world: World) -> dict[str, object]:
    """Values for path parameters, by name, then by name within a URL prefix."""
    post_state = WorkflowState.objects.filter(
        base_content_type__model="brandpost"
    ).first()
    task_state = TaskState.objects.first()
    page_revision = Revision.objects.filter(object_id=str(world.module.pk)).first()
    post_revision = Revision.objects.filter(object_id=str(world.post.pk)).first()
    workflow = Workflow.objects.first()
    return {
        "page_id": world.module.pk,
        "parent_page_id": world.path.pk,
        "page_to_move_id": world.module.pk,
        "destination_id": world.path.pk,
        "page_pk": world.module.pk,
        "revision_id": page_revision.pk if page_revision else 1,
        "revision_id_a": "earliest",
        "revision_id_b": "latest",
        "task_state_id": task_state.pk if task_state else 1,
        "workflow_state_id": post_state.pk if post_state else 1,
        "task_id": 1,
        "workflow_pk": workflow.pk if workflow else 1,
        "document_id": world.document.pk,
        "doc_id": world.document.pk,
        "image_id": world.image.pk,
        "employee_id": world.people["employee"].pk,
        "enrolment_id": world.enrolment.pk,
        "module_id": world.module.pk,
        "collection_id": 1,
        "redirect_id": 1,
        "app_label": "advocacy",
        "model_name": "brandpost",
        "app_name": "identity",
        "content_type_app_name": "onboarding",
        "content_type_model_name": "modulepage",
        "action_name": "approve",
        "action": "delete",
        "filter_spec": "original",
        "token": "not-a-real-token",
        "code": world.certificate.code,
        "path": "original_images/missing.png",
        "object_id": str(world.post.pk),
        # Within a prefix: which object `pk` names there.
        "hub/posts/": world.post.pk,
        "hub/milestones/": world.prompt.pk,
        "hub/notifications/": world.notification.pk,
        "onboarding/modules/": world.module.pk,
        "onboarding/attempts/": world.attempt.pk,
        "admin/people-import/": world.people_import.pk,
        "admin/people/": world.people["employee"].pk,
        "admin/users/": world.people["employee"].user.pk,
        "admin/enrolments/": world.enrolment.pk,
        "admin/snippets/advocacy/brandpost/": world.post.pk,
        "admin/snippets/advocacy/campaign/": world.campaign.pk,
        "admin/snippets/advocacy/topic/": world.topic.pk,
        "admin/snippets/identity/value/": world.extra["value"].pk,
        "admin/workflows/": workflow.pk if workflow else 1,
        "admin/pages/": world.module.pk,
        "brandpost-revision": post_revision.pk if post_revision else 1,
    }


_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)|\([^)]*\)")


def _fill(route: str, samples: dict[str, object]) -> str | None:
    """A concrete path for ``route``, or ``None`` if a parameter has no sample."""
    prefix_value = next(
        (
            samples[key]
            for key in sorted(samples, key=len, reverse=True)
            if "/" in key and route.startswith(key)
        ),
        None,
    )
    missing = False

    def value(match: re.Match) -> str:
        nonlocal missing
        name = match.group(2) or match.group(3)
        if name is None:  # an unnamed regex group
            return "1" if r"\d" in match.group(0) else "x"
        if name == "pk" and prefix_value is not None:
            return str(prefix_value)
        if name == "revision_id" and "brandpost" in route:
            return str(samples["brandpost-revision"])
        if name in samples:
            return str(samples[name])
        if match.group(1) == "int" or name.endswith("id") or name == "pk":
            return "1"
        missing = True
        return ""

    path = _PARAM.sub(value, route)
    path = path.replace("^", "").replace("$", "").replace("\\", "")
    if missing or any(c in path for c in "*?[]"):
        return None
    return "/" + path


@dataclass
class Target:
    role: str
    method: str
    path: str
    multipart: bool
    fields: dict[str, list[str]]
    multiple: set[str]
    optional: bool  # GET parameters: each may be absent

    @property
    def key(self) -> tuple:
        return (self.role, self.method, self.path, tuple(sorted(self.fields)))


@dataclass
class Run:
    world: World
    clients: dict[str, Client]
    cookies: dict[str, str]
    cases: int = 0
    fetched: int = 0
    pages: set[str] = field(default_factory=set)
    roles_pages: set[tuple[str, str]] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)


def _trace(line: str) -> None:
    """With FUZZ_TRACE=<file>, every request and failure as it happens."""
    if os.environ.get("FUZZ_TRACE"):
        with open(os.environ["FUZZ_TRACE"], "a") as trace:
            trace.write(line + "\n")


def _send(run: Run, role: str, method: str, path: str, data, multipart: bool):
    """One request in a savepoint rolled back afterwards; a crash is a 500."""
    _trace(f"{time.monotonic():.2f}\t{role}\t{method}\t{path}\t{str(data)[:200]!r}")
    client = run.clients[role]
    client.cookies[settings.SESSION_COOKIE_NAME] = run.cookies[role]
    try:
        with transaction.atomic():
            if method == "GET":
                response = client.get(path, data)
            elif multipart:
                response = client.post(path, data)
            else:
                response = client.post(
                    path,
                    urlencode(data, doseq=True),
                    content_type="application/x-www-form-urlencoded",
                )
            # A download fails while it streams, after the view returned.
            response.getvalue()
            transaction.set_rollback(True)
    except Exception as error:  # noqa: BLE001 - any crash is the finding
        frames = traceback.extract_tb(error.__traceback__)
        ours = [
            f
            for f in frames
            if "site-packages" not in f.filename and "test_fuzz" not in f.filename
        ]
        where = " / ".join(
            f"{frame.filename.split('site-packages/')[-1]}:{frame.lineno}"
            for frame in (*ours[-1:], frames[-1])
        )
        return 500, f"{type(error).__name__}: {str(error)[:200]} at {where}"
    return response.status_code, response


def _local(url: str, base: str) -> str | None:
    """The path of a same-site URL, relative ones resolved against ``base``."""
    parts = urlsplit(urljoin(base, url))
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


ADMIN_ROLES = ["HR editor", "HR lead", "Communications approver", "Administrator"]
# Who works in each part of the admin (people/roles.py): an admin page is
# fetched, and fuzzed, as one of them in turn; the Administrator does the rest
# and whatever the others are refused.
ADMIN_AREAS = [
    ("/admin/snippets/advocacy/", ["Communications approver", "HR editor"]),
    ("/admin/snippets/choose/advocacy/", ["Communications approver"]),
    ("/admin/snippets/identity/", ["HR editor", "HR lead"]),
    ("/admin/snippets/choose/identity/", ["HR lead"]),
    ("/admin/images/", ["Communications approver", "HR lead"]),
    ("/admin/documents/", ["HR editor"]),
    ("/admin/people", ["HR editor", "HR lead"]),
    ("/admin/employee_chooser/", ["HR lead"]),
    ("/admin/enrolments/", ["HR editor", "HR lead"]),
    ("/admin/reports/", ["HR lead", "HR editor"]),
    ("/admin/certificate-verify/", ["HR editor"]),
    ("/admin/pages/", ["HR editor", "HR lead"]),
    ("/admin/choose-page/", ["HR editor"]),
    ("/admin/settings/", ["Communications approver"]),
]
# Sign-in and account pages are the same for everyone: fetched as one person
# without a second factor and one with.
ACCOUNT_ROLES = ["employee", "Administrator"]


def _refused(status: int, response) -> bool:
    """The admin said no to this role (rather than to the request)."""
    if status == 403:
        return True
    return status == 302 and response["Location"] in ("/admin/", "/")


def _discover(run: Run, paths: list[str]) -> list[Target]:
    """Fetch pages as each role and turn what they offer into targets.

    Site pages are fetched as every role (account pages as two). Each admin
    page is fetched as one admin role who works there (ADMIN_AREAS), the
    Administrator if refused, and the other roles are checked to be refused
    at the admin's door: this keeps a run short while every admin role sees
    its part of the admin.
    """
    targets: dict[tuple, Target] = {}
    link_params: dict[str, set[str]] = {}

    def add(target: Target) -> None:
        known = targets.get(target.key)
        if known is None:
            targets[target.key] = target
        else:
            for name, offered in target.fields.items():
                known.fields.setdefault(name, []).extend(offered)

    def fetch(role: str, path: str):
        status, response = _send(run, role, "GET", path, {}, False)
        run.fetched += 1
        if status >= 500:
            run.failures.append(f"{role} GET {path} (no parameters): {response}")
            _trace(run.failures[-1])
        return status, response

    def take(role: str, path: str, response) -> None:
        run.pages.add(path)
        run.roles_pages.add((role, path))
        add(Target(role, "GET", path, False, {}, set(), True))
        if "html" not in response.get("Content-Type", ""):
            return
        parser = PageParser()
        parser.feed(response.content.decode("utf-8", "replace"))
        for href in parser.links:
            local = _local(href, path)
            if local and "?" in local:
                target_path, query = local.split("?", 1)
                names = {k for k, _v in parse_qsl(query, keep_blank_values=True)}
                link_params.setdefault(target_path, set()).update(names)
        for form in parser.forms:
            action = _local(form.action, path) if form.action else path
            if action is None or SKIPPED_PATHS.match(action):
                continue
            action_path, _sep, query = action.partition("?")
            fields = {k: list(dict.fromkeys(v)) for k, v in form.fields.items()}
            for name, offered in parse_qsl(query, keep_blank_values=True):
                fields.setdefault(name, []).append(offered)
            method = form.method if form.method in ("GET", "POST") else "GET"
            add(
                Target(
                    role,
                    method,
                    action_path,
                    form.multipart,
                    fields,
                    set(form.multiple),
                    method == "GET",
                )
            )

    admin_paths = [p for p in paths if p.startswith("/admin/")]
    site_paths = [p for p in paths if not p.startswith("/admin/")]
    for role in run.clients:
        for path in site_paths:
            if path.startswith("/accounts/") and role not in ACCOUNT_ROLES:
                continue
            status, response = fetch(role, path)
            if status == 200:
                take(role, path, response)
        status, response = fetch(role, "/admin/")
        if role in ADMIN_ROLES and status == 200:
            take(role, "/admin/", response)
        elif role not in ADMIN_ROLES and status != 403:
            run.failures.append(f"{role} is not refused at /admin/ ({status})")
    turns: dict[str, int] = {}
    for path in admin_paths:
        if path == "/admin/" or path.endswith("/results/"):
            continue
        area, workers = next(
            (area for area in ADMIN_AREAS if path.startswith(area[0])),
            ("/admin/", ["Administrator"]),
        )
        turn = turns[area] = turns.get(area, -1) + 1
        for role in dict.fromkeys([workers[turn % len(workers)], "Administrator"]):
            status, response = fetch(role, path)
            if status == 200:
                take(role, path, response)
            if not _refused(status, response):
                break
    # A listing's htmx results take the listing's parameters.
    for target in list(targets.values()):
        results = target.path + "results/"
        if target.method == "GET" and results in admin_paths:
            add(
                Target(
                    target.role, "GET", results, False, dict(target.fields), set(), True
                )
            )
            run.pages.add(results)
    for target in targets.values():
        if target.method == "GET":
            for name in [*COMMON_PARAMS, *link_params.get(target.path, ())]:
                target.fields.setdefault(name, [""])
    return list(targets.values())


def _sample_paths(world: World) -> list[str]:
    samples = _path_samples(world)
    paths: list[str] = []
    for route, _pattern in _patterns():
        path = _fill(route, samples)
        if path and not SKIPPED_PATHS.match(path) and path not in paths:
            paths.append(path)
    for page in Page.objects.live().specific():
        url = page.get_url()
        if url and url.startswith("/") and url not in paths:
            paths.append(url)
    return paths


# --- Fuzzing ---------------------------------------------------------------------


def _strategy(target: Target):
    """Each field generated, or one of the values the page offers for it.

    Query parameters are each optional, but one of them (any) is always sent:
    the request without any is the page as discovered.
    """

    def one(name: str):
        offered = [v for v in target.fields[name] if isinstance(v, str)]
        choice = st.one_of(values, st.sampled_from(offered)) if offered else values
        if name in target.multiple:
            return st.lists(choice, min_size=1, max_size=3)
        return choice

    mapping = {name: one(name) for name in sorted(target.fields)}
    if not target.optional or not mapping:
        return st.fixed_dictionaries(mapping)
    return st.sampled_from(list(mapping)).flatmap(
        lambda focus: st.fixed_dictionaries(
            {focus: mapping[focus]},
            optional={name: s for name, s in mapping.items() if name != focus},
        )
    )


def _fuzz(run: Run, target: Target, *, examples: int) -> None:
    """Generated values for every field of ``target``; the first 5xx is kept.

    No shrinking: each example is one request, and the failure already names
    the exception, where it was raised and the values sent.
    """
    failed: list[str] = []

    @hypothesis_settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(data=_strategy(target), multipart=st.booleans())
    def case(data: dict, multipart: bool) -> None:
        if failed:
            return
        status, response = _send(
            run,
            target.role,
            target.method,
            target.path,
            data,
            target.multipart or multipart,
        )
        run.cases += 1
        if status >= 500:
            detail = response if isinstance(response, str) else f"status {status}"
            sent = {
                k: (v[:40] + "…" if len(v) > 40 else v) if isinstance(v, str) else v
                for k, v in data.items()
            }
            failed.append(f"{detail}\n    sent {sent!r}")

    case()
    if failed:
        run.failures.append(f"{target.role} {target.method} {target.path}: {failed[0]}")
        _trace("FAIL " + run.failures[-1])


@pytest.fixture
def world() -> World:
    """One of everything, and people and records dated at the ends of the
    calendar (0001-01-01, 9999-12-31), as an old import may have left them."""
    world = world_build()
    world_dates_at_the_ends(world, signed_in_too=False)
    return world


def test_no_page_answers_5xx_to_generated_input(world, capsys):
    clients: dict[str, Client] = {}
    cookies: dict[str, str] = {}
    for role, user in world.users.items():
        client = Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=True)
        client.force_login(user)
        clients[role] = client
        cookies[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    run = Run(world=world, clients=clients, cookies=cookies)
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.CRITICAL)
    try:
        targets = _discover(run, _sample_paths(world))
        # CASES spread over the targets; every target gets at least two.
        base, extra = divmod(CASES, len(targets))
        for number, target in enumerate(targets):
            examples = max(2, base + (number < extra))
            _fuzz(run, target, examples=examples)
    finally:
        request_log.setLevel(level)
    with capsys.disabled():
        sys.stdout.write(
            f"\nFUZZ cases={run.cases} pages={len(run.pages)} "
            f"role_pages={len(run.roles_pages)} fetched={run.fetched} "
            f"targets={len(targets)} roles={len(ROLE_GROUPS)} "
            f"failures={len(run.failures)}\n"
        )
    assert not run.failures, "\n".join(run.failures)
    assert run.cases >= MIN_CASES
