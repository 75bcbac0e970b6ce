"""Onboarding reminders: what is due at a moment, and sending one of them.

``manage.py onboarding_tick`` calls :func:`reminders_tick` every few minutes.
The tick decides what is due and records it as a ``Reminder`` under a unique
key (``digest:<employee>:<week>``, ``overdue:<enrolment>:<module>:<due>``…),
so however often it runs a reminder exists once. A django-task then sends each
row under a row lock and stamps ``sent_at``, so it is never sent twice. What a
reminder is about (module ids, dates) is decided in the tick, at its ``now``;
the words are chosen when sending, in the person's language.

A weekly email with nothing to say is still recorded, marked
``NOTHING_TO_SEND`` in its payload and never sent: that is how later ticks in
the same week know the person was already looked at, without recomputing
their timelines every five minutes.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.models import Locale

from people.dates import date_add
from people.models import Employee

from .models import (
    DigestOptOut,
    Enrolment,
    ModulePage,
    ModuleProgress,
    PathPage,
    Reminder,
)
from .selectors import (
    ModuleStatus,
    employee_tasks,
    employee_today,
    employee_zone,
    enrolment_timeline,
    module_release_date,
)
from .views import unsubscribe_token

# Weekly emails go out at the first tick from Monday 08:00 where the person is;
# overdue reminders wait for 08:00 on their day too, rather than arrive at midnight.
SEND_FROM = time(8)
# An overdue reminder is only for a due date this recent, so that the first
# deployment (or a long outage) does not email everyone about old items.
OVERDUE_RECENT_DAYS = 2
# Unsent reminders are retried by every tick for this long, then given up.
RETRY_FOR = timedelta(days=7)
NOTHING_TO_SEND = "nothing_to_send"


# --- Deciding what is due ---------------------------------------------------------


def reminders_tick(*, now: datetime) -> dict[str, Counter]:
    """Record every reminder due at ``now`` and queue unsent ones for sending.

    Safe to run as often as wanted, also concurrently: keys are unique and the
    sender skips what is already sent. Returns ``{"created": …, "queued": …}``,
    counts by kind.
    """
    reachable = _reachable_people()
    people = {e.pk: e for e in reachable}
    enrolments: dict[int, list[Enrolment]] = {}
    for enrolment in (
        Enrolment.objects.filter(withdrawn_at__isnull=True, employee__in=reachable)
        .select_related("employee", "path")
        .order_by("enrolled_at")
    ):
        enrolments.setdefault(enrolment.employee_id, []).append(enrolment)

    created = Counter()
    for reminder in [
        *_digests_create(people=people, enrolments=enrolments, now=now),
        *_overdue_create(people=people, enrolments=enrolments, now=now),
        *_tasks_create(people=people, now=now),
    ]:
        created[reminder.kind] += 1
    return {"created": created, "queued": _unsent_enqueue()}


def _reachable_people() -> models.QuerySet[Employee]:
    """People who may get email: still here, with a sign-in that works."""
    return Employee.objects.exclude(status=Employee.Status.LEFT).filter(
        user__is_active=True
    )


def _past_send_time(*, employee: Employee, now: datetime) -> bool:
    local = now.astimezone(employee_zone(employee))
    return local.time() >= SEND_FROM


def _week(*, employee: Employee, now: datetime) -> tuple[str, date] | None:
    """This ISO week's label and last day where the person is, once its weekly
    emails are due (from Monday 08:00 local time); None before that."""
    local = now.astimezone(employee_zone(employee))
    monday = local.date() - timedelta(days=local.weekday())
    if local < datetime.combine(monday, SEND_FROM, tzinfo=local.tzinfo):
        return None
    year, week, _weekday = local.isocalendar()
    return f"{year}-W{week:02d}", monday + timedelta(days=6)


def _existing_keys(keys) -> set[str]:
    keys = list(keys)
    if not keys:
        return set()
    return set(Reminder.objects.filter(key__in=keys).values_list("key", flat=True))


def _reminder_create(
    *, employee_id: int, kind: str, key: str, payload: dict
) -> Reminder | None:
    """The new reminder, or None when one with the key exists (also concurrently)."""
    try:
        with transaction.atomic():
            reminder, created = Reminder.objects.get_or_create(
                key=key,
                defaults={"employee_id": employee_id, "kind": kind, "payload": payload},
            )
    except IntegrityError:
        return None
    return reminder if created else None


def _digests_create(
    *,
    people: dict[int, Employee],
    enrolments: dict[int, list[Enrolment]],
    now: datetime,
) -> list[Reminder]:
    """This week's digest for each enrolled person who has not opted out.

    Modules released in the last seven days and those overdue now; tasks for
    someone else are left out (they are not the person's to do).
    """
    opted_out = set(DigestOptOut.objects.values_list("employee_id", flat=True))
    keys = {}
    for employee_id in enrolments:
        if employee_id in opted_out:
            continue
        week = _week(employee=people[employee_id], now=now)
        if week is not None:
            keys[employee_id] = f"digest:{employee_id}:{week[0]}"
    existing = _existing_keys(keys.values())
    created = []
    for employee_id, key in keys.items():
        if key in existing:
            continue
        today = employee_today(employee=people[employee_id], now=now)
        released, overdue = [], []
        for enrolment in enrolments[employee_id]:
            for state in enrolment_timeline(enrolment=enrolment, now=now):
                if state.module.is_task:
                    continue
                item = {"module": state.module.pk, "due": state.due_date.isoformat()}
                if state.status == ModuleStatus.OVERDUE:
                    overdue.append(item)
                elif state.status == ModuleStatus.AVAILABLE and (
                    today - state.release_date < timedelta(days=7)
                ):
                    released.append(item)
        payload = {"released": released, "overdue": overdue}
        if not released and not overdue:
            payload[NOTHING_TO_SEND] = True
        reminder = _reminder_create(
            employee_id=employee_id,
            kind=Reminder.Kind.DIGEST,
            key=key,
            payload=payload,
        )
        if reminder is not None:
            created.append(reminder)
    return created


def _overdue_create(
    *,
    people: dict[int, Employee],
    enrolments: dict[int, list[Enrolment]],
    now: datetime,
) -> list[Reminder]:
    """A reminder the day a module becomes overdue (or the day after, to catch up).

    Timelines are only computed for enrolments where the schedule alone, or a
    re-opened module's new due date, says a module may have just become
    overdue and no reminder exists for it yet.
    """
    schedules: dict[int, list[ModulePage]] = {}
    reopened: dict[int, list[ModuleProgress]] = {}
    # Every person's "today" is within a day of the server's.
    server_today = now.date()
    for progress in ModuleProgress.objects.filter(
        enrolment__withdrawn_at__isnull=True,
        completed_at__isnull=True,
        due_override__gte=server_today - timedelta(days=OVERDUE_RECENT_DAYS + 1),
        due_override__lte=server_today,
    ):
        reopened.setdefault(progress.enrolment_id, []).append(progress)

    candidates: dict[int, tuple[Enrolment, date, set[str]]] = {}
    for employee_id, person_enrolments in enrolments.items():
        employee = people[employee_id]
        if not _past_send_time(employee=employee, now=now):
            continue
        today = employee_today(employee=employee, now=now)
        start = employee.start_date or today
        for enrolment in person_enrolments:
            if enrolment.path_id not in schedules:
                schedules[enrolment.path_id] = _schedule(enrolment.path)
            dues = [
                (
                    module.pk,
                    date_add(
                        module_release_date(start_date=start, module=module),
                        module.due_days,
                    ),
                )
                for module in schedules[enrolment.path_id]
            ]
            dues += [
                (p.module_id, p.due_override) for p in reopened.get(enrolment.pk, [])
            ]
            keys = {
                _overdue_key(enrolment_id=enrolment.pk, module_id=pk, due=due)
                for pk, due in dues
                if _recently_overdue(due=due, today=today)
            }
            if keys:
                candidates[enrolment.pk] = (enrolment, today, keys)

    existing = _existing_keys(k for _e, _t, keys in candidates.values() for k in keys)
    created = []
    for enrolment, today, keys in candidates.values():
        if keys <= existing:
            continue
        for state in enrolment_timeline(enrolment=enrolment, now=now):
            if (
                state.status != ModuleStatus.OVERDUE
                or state.module.is_task
                or not _recently_overdue(due=state.due_date, today=today)
            ):
                continue
            reminder = _reminder_create(
                employee_id=enrolment.employee_id,
                kind=Reminder.Kind.OVERDUE,
                key=_overdue_key(
                    enrolment_id=enrolment.pk,
                    module_id=state.module.pk,
                    due=state.due_date,
                ),
                payload={
                    "enrolment": enrolment.pk,
                    "module": state.module.pk,
                    "due": state.due_date.isoformat(),
                },
            )
            if reminder is not None:
                created.append(reminder)
    return created


def _schedule(path: PathPage) -> list[ModulePage]:
    """The path's live modules that the person does themself."""
    return [m for m in ModulePage.objects.child_of(path).live() if not m.is_task]


def _recently_overdue(*, due: date, today: date) -> bool:
    return today - timedelta(days=OVERDUE_RECENT_DAYS) <= due < today


def _overdue_key(*, enrolment_id: int, module_id: int, due: date) -> str:
    return f"overdue:{enrolment_id}:{module_id}:{due.isoformat()}"


def _tasks_create(*, people: dict[int, Employee], now: datetime) -> list[Reminder]:
    """This week's email for each manager or buddy with open tasks.

    Open tasks, and upcoming ones due by the end of the assignee's week.
    """
    if not ModulePage.objects.live().exclude(task_for="").exists():
        return []
    assignee_ids = set()
    for manager_id, buddy_id in (
        Enrolment.objects.filter(withdrawn_at__isnull=True)
        .exclude(employee__status=Employee.Status.LEFT)
        .values_list("employee__manager_id", "employee__buddy_id")
    ):
        assignee_ids.update({manager_id, buddy_id})
    keys = {}
    for assignee_id in assignee_ids:
        if assignee_id not in people:
            continue
        week = _week(employee=people[assignee_id], now=now)
        if week is not None:
            keys[assignee_id] = (f"tasks:{assignee_id}:{week[0]}", week[1])
    existing = _existing_keys(key for key, _end in keys.values())
    created = []
    for assignee_id, (key, week_end) in keys.items():
        if key in existing:
            continue
        tasks = [
            {
                "enrolment": task.enrolment.pk,
                "module": task.state.module.pk,
                "due": task.state.due_date.isoformat(),
                "role": task.role,
            }
            for task in employee_tasks(employee=people[assignee_id], now=now)
            if not task.done and (task.state.is_open or task.state.due_date <= week_end)
        ]
        payload: dict = {"tasks": tasks}
        if not tasks:
            payload[NOTHING_TO_SEND] = True
        reminder = _reminder_create(
            employee_id=assignee_id, kind=Reminder.Kind.TASKS, key=key, payload=payload
        )
        if reminder is not None:
            created.append(reminder)
    return created


def _unsent_enqueue() -> Counter:
    """Queue a send for every unsent reminder that may still go out.

    Reminders created by other code (a changed policy) are sent this way too.
    ``created_at`` is the wall clock, so the retry window is measured on it.
    """
    from .tasks import reminder_send  # the task module imports this one

    unsent = (
        Reminder.objects.filter(
            sent_at__isnull=True,
            created_at__gte=timezone.now() - RETRY_FOR,
            employee__user__is_active=True,
        )
        .exclude(employee__status=Employee.Status.LEFT)
        .exclude(payload__has_key=NOTHING_TO_SEND)
        .exclude(kind=Reminder.Kind.DIGEST, employee__digest_opt_out__isnull=False)
        .order_by("pk")
        .values_list("pk", "kind")
    )
    queued = Counter()
    for pk, kind in unsent:
        transaction.on_commit(partial(reminder_send.enqueue, pk))
        queued[kind] += 1
    return queued


# --- Sending one -------------------------------------------------------------------


def reminder_send(*, reminder_id: int) -> bool:
    """Send one reminder unless it went already; True when an email left.

    The row stays locked from the check to ``sent_at``, so two workers never
    both send it. If sending fails, nothing is recorded and a later tick
    queues it again.
    """
    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().filter(pk=reminder_id).first()
        if reminder is None or reminder.sent_at is not None:
            return False
        if reminder.payload.get(NOTHING_TO_SEND):
            return False
        employee = Employee.objects.select_related("user").get(pk=reminder.employee_id)
        if employee.status == Employee.Status.LEFT or not employee.user.is_active:
            return False
        if (
            reminder.kind == Reminder.Kind.DIGEST
            and DigestOptOut.objects.filter(employee=employee).exists()
        ):
            return False
        message = reminder_message(reminder=reminder, employee=employee)
        if message is None:
            # What it was about is gone (unpublished modules, finished tasks).
            reminder.payload[NOTHING_TO_SEND] = True
            reminder.save(update_fields=["payload"])
            return False
        message.send()
        reminder.sent_at = timezone.now()
        reminder.save(update_fields=["sent_at"])
    return True


def reminder_message(
    *, reminder: Reminder, employee: Employee
) -> EmailMultiAlternatives | None:
    """The email for ``reminder`` in the person's language; None if it says nothing."""
    builders = {
        Reminder.Kind.DIGEST: ("digest", _digest_context),
        Reminder.Kind.OVERDUE: ("overdue", _overdue_context),
        Reminder.Kind.TASKS: ("tasks", _tasks_context),
        Reminder.Kind.REACKNOWLEDGE: ("reacknowledge", _reacknowledge_context),
    }
    name, build = builders[reminder.kind]
    headers = {}
    with translation.override(employee.preferred_language):
        context = build(payload=reminder.payload)
        if context is None:
            return None
        context.update(
            employee=employee, my_path_url=_absolute(reverse("onboarding:my_path"))
        )
        if reminder.kind == Reminder.Kind.DIGEST:
            url = _absolute(
                reverse(
                    "onboarding:unsubscribe",
                    kwargs={"token": unsubscribe_token(employee=employee)},
                )
            )
            context["unsubscribe_url"] = url
            headers["List-Unsubscribe"] = f"<{url}>"
            # RFC 8058: mail apps may unsubscribe with one POST to that URL.
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        subject = context.pop("subject")
        text = render_to_string(f"onboarding/email/{name}.txt", context)
        html = render_to_string(f"onboarding/email/{name}.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=[employee.user.email], headers=headers
    )
    message.attach_alternative(html, "text/html")
    return message


def _absolute(url: str) -> str:
    if url.startswith(("http://", "https://")):
        return url
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + url


def _modules_for_reader(ids) -> dict[int, ModulePage]:
    """Live modules by id, each in the active language when translated."""
    modules = list(ModulePage.objects.live().filter(pk__in=set(ids)))
    shown = {m.pk: m for m in modules}
    try:
        locale = Locale.get_active()
    except Locale.DoesNotExist:
        return shown
    keys = {m.translation_key: m.pk for m in modules if m.locale_id != locale.pk}
    for page in ModulePage.objects.live().filter(
        locale=locale, translation_key__in=list(keys)
    ):
        shown[keys[page.translation_key]] = page
    return shown


def _module_url(page: ModulePage) -> str:
    return _absolute(page.get_url() or reverse("onboarding:my_path"))


def _items(entries: list[dict], modules: dict[int, ModulePage]) -> list[dict]:
    return [
        {
            "title": modules[e["module"]].title,
            "url": _module_url(modules[e["module"]]),
            "due": date.fromisoformat(e["due"]),
        }
        for e in entries
        if e["module"] in modules
    ]


def _digest_context(*, payload: dict) -> dict | None:
    modules = _modules_for_reader(
        e["module"] for e in [*payload["released"], *payload["overdue"]]
    )
    released = _items(payload["released"], modules)
    overdue = _items(payload["overdue"], modules)
    if not released and not overdue:
        return None
    return {
        "subject": _("Your onboarding this week"),
        "released": released,
        "overdue": overdue,
    }


def _overdue_context(*, payload: dict) -> dict | None:
    items = _items([payload], _modules_for_reader([payload["module"]]))
    if not items:
        return None
    return {
        "subject": _("Overdue: %(module)s") % {"module": items[0]["title"]},
        "item": items[0],
    }


def _reacknowledge_context(*, payload: dict) -> dict | None:
    items = _items([payload], _modules_for_reader([payload["module"]]))
    if not items:
        return None
    return {
        "subject": _("A policy has changed: %(module)s")
        % {"module": items[0]["title"]},
        "item": items[0],
    }


def _tasks_context(*, payload: dict) -> dict | None:
    entries = payload["tasks"]
    modules = _modules_for_reader(e["module"] for e in entries)
    enrolments = Enrolment.objects.select_related("employee").in_bulk(
        {e["enrolment"] for e in entries}
    )
    tasks = [
        {
            "description": modules[e["module"]].task_description
            or modules[e["module"]].title,
            "person": enrolments[e["enrolment"]].employee.full_name,
            "due": date.fromisoformat(e["due"]),
        }
        for e in entries
        if e["module"] in modules and e["enrolment"] in enrolments
    ]
    if not tasks:
        return None
    return {
        "subject": _("Your onboarding tasks this week"),
        "tasks": tasks,
        "todo_url": _absolute(reverse("onboarding:todo")),
    }
