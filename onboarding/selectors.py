"""Reads about onboarding: where each module stands for a person, today."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.dates import date_add
from people.models import Employee

from .models import Enrolment, ModulePage, ModuleProgress, PathPage


class ModuleStatus(StrEnum):
    UPCOMING = "upcoming"
    AVAILABLE = "available"
    OVERDUE = "overdue"
    LOCKED = "locked"
    DONE = "done"
    DUE_AGAIN = "due_again"


STATUS_LABELS = {
    ModuleStatus.UPCOMING: _("Upcoming"),
    ModuleStatus.AVAILABLE: _("Available now"),
    ModuleStatus.OVERDUE: _("Overdue"),
    ModuleStatus.LOCKED: _("Locked"),
    ModuleStatus.DONE: _("Done"),
    ModuleStatus.DUE_AGAIN: _("Due again"),
}


def zone_named(name: str) -> zoneinfo.ZoneInfo:
    """The time zone of that name; UTC if it is not a known zone."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def employee_zone(employee: Employee) -> zoneinfo.ZoneInfo:
    """The person's time zone; UTC if what is stored is not a known zone."""
    return zone_named(employee.timezone)


def employee_today(*, employee: Employee, now: datetime | None = None) -> date:
    """Today's date where the person is (their time zone, not the server's)."""
    now = now or timezone.now()
    return now.astimezone(employee_zone(employee)).date()


def module_release_date(*, start_date: date, module: ModulePage) -> date:
    """Day 1 is the start date itself; day -7 is a week before it."""
    offset = module.release_day - 1 if module.release_day > 0 else module.release_day
    return date_add(start_date, offset)


@dataclass(frozen=True)
class ModuleState:
    module: ModulePage
    status: ModuleStatus
    release_date: date
    due_date: date
    completed_at: datetime | None = None
    due_again_date: date | None = None
    blocked_by: tuple[ModulePage, ...] = ()
    # The page to show the reader: the module in their language when it exists.
    display: ModulePage | None = None

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def is_open(self) -> bool:
        """Whether the person may open and complete it now."""
        return self.status in {
            ModuleStatus.AVAILABLE,
            ModuleStatus.OVERDUE,
            ModuleStatus.DUE_AGAIN,
            ModuleStatus.DONE,
        }


def module_state(
    *,
    module: ModulePage,
    start_date: date,
    today: date,
    progress: ModuleProgress | None,
    incomplete_prerequisites: tuple[ModulePage, ...] = (),
    renew_after: datetime | None = None,
) -> ModuleState:
    """Where one module stands. ``renew_after``: completions before it no longer
    count (an expired certification sends the person back to its path)."""
    release = module_release_date(start_date=start_date, module=module)
    due = date_add(release, module.due_days)
    completed_at = progress.completed_at if progress else None
    if progress is not None and completed_at is None and progress.due_override:
        # Re-opened by a changed policy: due on its own date.
        due = progress.due_override
    common = {"module": module, "release_date": release, "due_date": due}
    if completed_at is not None:
        again = None
        if renew_after is not None and completed_at < renew_after:
            again = timezone.localdate(renew_after)
        elif module.recurrence_days:
            again = date_add(completed_at.date(), module.recurrence_days)
        if again is not None and today >= again:
            return ModuleState(
                status=ModuleStatus.DUE_AGAIN,
                completed_at=completed_at,
                due_again_date=again,
                module=module,
                release_date=release,
                due_date=date_add(again, module.due_days),
            )
        return ModuleState(
            status=ModuleStatus.DONE,
            completed_at=completed_at,
            due_again_date=again,
            **common,
        )
    if today < release:
        return ModuleState(status=ModuleStatus.UPCOMING, **common)
    if incomplete_prerequisites:
        return ModuleState(
            status=ModuleStatus.LOCKED, blocked_by=incomplete_prerequisites, **common
        )
    if today > due:
        return ModuleState(status=ModuleStatus.OVERDUE, **common)
    return ModuleState(status=ModuleStatus.AVAILABLE, **common)


def enrolment_renew_after(*, enrolment: Enrolment, now: datetime | None = None):
    """When the person's certificate from a certifying path expired, if it has.

    Completions before that moment no longer count: the path becomes the
    refresher. None while the certificate is valid or never issued.
    """
    if not enrolment.path.grants_certification:
        return None
    latest = enrolment.certificates.order_by("-issued_at").first()
    now = now or timezone.now()
    if latest and latest.expires_at and latest.expires_at <= now:
        return latest.expires_at
    return None


def paths_modules(*, paths: Iterable[PathPage]) -> dict[int, list[ModulePage]]:
    """Each path's live modules by path id, in path order: one query for any
    number of paths (the dashboards and reports read many people's paths)."""
    paths = list(paths)
    if not paths:
        return {}
    by_tree_path = {p.path: p.pk for p in paths}
    where = models.Q()
    for p in paths:
        where |= models.Q(path__startswith=p.path, depth=p.depth + 1)
    modules: dict[int, list[ModulePage]] = {}
    for module in ModulePage.objects.live().filter(where).order_by("path"):
        parent = by_tree_path.get(module.path[: -ModulePage.steplen])
        if parent is not None:
            modules.setdefault(parent, []).append(module)
    return modules


def modules_prerequisites(*, module_ids: Iterable[int]) -> dict[int, list[int]]:
    """The ids of the modules each of ``module_ids`` needs done first, in one query."""
    through = ModulePage.prerequisites.through
    needs: dict[int, list[int]] = {}
    for from_id, to_id in through.objects.filter(
        from_modulepage_id__in=list(module_ids)
    ).values_list("from_modulepage_id", "to_modulepage_id"):
        needs.setdefault(from_id, []).append(to_id)
    return needs


def enrolment_timeline(
    *, enrolment: Enrolment, now: datetime | None = None
) -> list[ModuleState]:
    """Every live module of the enrolment's path with its state, in path order.

    Three queries whatever the number of modules: modules, prerequisites and
    the person's progress.
    """
    employee = enrolment.employee
    today = employee_today(employee=employee, now=now)
    start = employee.start_date or today
    modules = list(
        ModulePage.objects.child_of(enrolment.path).live().specific().order_by("path")
    )
    through = ModulePage.prerequisites.through
    prerequisites: dict[int, list[int]] = {}
    for from_id, to_id in through.objects.filter(
        from_modulepage_id__in=[m.pk for m in modules]
    ).values_list("from_modulepage_id", "to_modulepage_id"):
        prerequisites.setdefault(from_id, []).append(to_id)
    progress = {
        p.module_id: p for p in ModuleProgress.objects.filter(enrolment=enrolment)
    }
    by_id = {m.pk: m for m in modules}
    display = translations_for_reader(modules)
    renew_after = enrolment_renew_after(enrolment=enrolment, now=now)
    states = []
    for module in modules:
        blocked = tuple(
            by_id[pid]
            for pid in prerequisites.get(module.pk, [])
            if pid in by_id
            and (progress.get(pid) is None or progress[pid].completed_at is None)
        )
        state = module_state(
            module=module,
            start_date=start,
            today=today,
            progress=progress.get(module.pk),
            incomplete_prerequisites=tuple(display.get(m.pk, m) for m in blocked),
            renew_after=renew_after,
        )
        states.append(replace(state, display=display.get(module.pk, module)))
    return states


def translations_for_reader(modules: list[ModulePage]) -> dict[int, ModulePage]:
    """Each module's live translation in the active language, in two queries."""
    from wagtail.models import Locale

    try:
        locale = Locale.get_active()
    except Locale.DoesNotExist:
        return {}
    keys = {m.translation_key: m.pk for m in modules if m.locale_id != locale.pk}
    if not keys:
        return {}
    translated = ModulePage.objects.live().filter(
        locale=locale, translation_key__in=list(keys)
    )
    return {keys[t.translation_key]: t for t in translated}


@dataclass(frozen=True)
class PathOverview:
    enrolment: Enrolment
    states: list[ModuleState]

    @property
    def required(self) -> list[ModuleState]:
        return [s for s in self.states if s.module.required]

    @property
    def percent_done(self) -> int:
        required = self.required
        if not required:
            return 100
        done = sum(1 for s in required if s.completed_at is not None)
        return round(100 * done / len(required))

    def weeks(self) -> list[tuple[int, list[ModuleState]]]:
        """Modules grouped by week relative to the start (week 0 = pre-boarding)."""
        grouped: dict[int, list[ModuleState]] = {}
        for state in self.states:
            day = state.module.release_day
            week = 0 if day < 1 else (day - 1) // 7 + 1
            grouped.setdefault(week, []).append(state)
        return sorted(grouped.items())


NEXT_STEP_ORDER = [ModuleStatus.OVERDUE, ModuleStatus.DUE_AGAIN, ModuleStatus.AVAILABLE]


def employee_paths(
    *, employee: Employee, now: datetime | None = None
) -> list[PathOverview]:
    """Every active enrolment of the person with its timeline."""
    enrolments = (
        Enrolment.objects.filter(employee=employee, withdrawn_at__isnull=True)
        .select_related("employee", "path")
        .order_by("enrolled_at")
    )
    return [
        PathOverview(enrolment=e, states=enrolment_timeline(enrolment=e, now=now))
        for e in enrolments
    ]


def employee_next_step(*, overviews: list[PathOverview]) -> ModuleState | None:
    """What to do next: the most urgent open module (overdue first, then oldest)."""
    candidates = [s for o in overviews for s in o.states if s.status in NEXT_STEP_ORDER]
    if not candidates:
        return None
    return min(
        candidates,
        key=lambda s: (NEXT_STEP_ORDER.index(s.status), s.due_date, s.release_date),
    )


def module_state_for(
    *, employee: Employee, module: ModulePage, now: datetime | None = None
) -> tuple[Enrolment, ModuleState] | None:
    """The person's enrolment and state for one module (any language of it).

    None when the person is not enrolled in the module's path.
    """
    from wagtail.models import Locale

    default = Locale.get_default()
    source = module
    if module.locale_id != default.pk:
        source = module.get_translation_or_none(default) or module
    enrolment = (
        Enrolment.objects.filter(
            employee=employee,
            path_id=source.get_parent().pk,
            withdrawn_at__isnull=True,
        )
        .select_related("employee", "path")
        .first()
    )
    if enrolment is None:
        return None
    for state in enrolment_timeline(enrolment=enrolment, now=now):
        if state.module.translation_key == module.translation_key:
            return enrolment, state
    return None


# --- What a module asks of the person ------------------------------------------


@dataclass(frozen=True)
class CheckOptionView:
    id: str
    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class CheckQuestionView:
    id: str
    text: str
    multiple: bool
    options: list[CheckOptionView]


def _question_texts(page: ModulePage) -> dict[str, dict]:
    """Question and option texts of one page by block id (translations keep ids)."""
    texts: dict[str, dict] = {}
    for block in page.questions:
        options = {
            child.id: child.value for child in block.value["options"].bound_blocks
        }
        texts[block.id] = {"value": block.value, "options": options}
    return texts


def check_answer_kept(*, question: CheckQuestionView, chosen) -> list[str]:
    """The part of an answer that counts: options the question offered, and
    only the first for a single-choice question."""
    offered = {option.id for option in question.options}
    kept = [option_id for option_id in chosen if option_id in offered]
    return kept if question.multiple else kept[:1]


def check_answer_right(*, question: CheckQuestionView, chosen) -> bool:
    """Right means exactly the correct options; the one rule scoring and the
    knowledge-check report both use."""
    kept = check_answer_kept(question=question, chosen=chosen)
    return set(kept) == {option.id for option in question.options if option.correct}


def check_questions(
    *, source: ModulePage, display: ModulePage, layout: list | None = None
) -> list[CheckQuestionView]:
    """The check's questions in ``layout`` order (or the authored order).

    Correctness always comes from ``source`` (the default-language module);
    the words come from ``display``, falling back to the source's.
    """
    source_texts = _question_texts(source)
    display_texts = _question_texts(display) if display.pk != source.pk else {}
    if layout is None:
        layout = [[qid, list(q["options"])] for qid, q in source_texts.items()]
    questions = []
    for question_id, option_ids in layout:
        found = source_texts.get(question_id)
        if found is None:
            continue  # removed since the attempt began
        shown = display_texts.get(question_id, found)
        options = []
        for option_id in option_ids:
            option = found["options"].get(option_id)
            if option is None:
                continue
            words = shown["options"].get(option_id, option)
            options.append(
                CheckOptionView(
                    id=option_id,
                    text=words["text"],
                    correct=bool(option["correct"]),
                    feedback=words["feedback"],
                )
            )
        questions.append(
            CheckQuestionView(
                id=question_id,
                text=shown["value"]["question"],
                multiple=bool(found["value"]["multiple"]),
                options=options,
            )
        )
    return questions


@dataclass
class ModuleActivity:
    """Everything the module page needs about one person and one module."""

    enrolment: Enrolment
    state: ModuleState
    source: ModulePage
    display: ModulePage
    cycle_start: datetime | None
    attempts: list = field(default_factory=list)
    acknowledged_at: datetime | None = None
    reflection: object | None = None
    pulse_done: bool = False
    task_done_by: object | None = None
    # Attempts HR gave on top of the module's limit.
    extra_attempts: int = 0

    @property
    def open_attempt(self):
        return next((a for a in self.attempts if a.submitted_at is None), None)

    @property
    def last_result(self):
        submitted = [a for a in self.attempts if a.submitted_at is not None]
        return submitted[-1] if submitted else None

    @property
    def check_passed(self) -> bool:
        return any(a.passed for a in self.attempts)

    @property
    def attempts_used(self) -> int:
        """Submitted attempts in this cycle."""
        return sum(1 for a in self.attempts if a.submitted_at is not None)

    @property
    def attempts_allowed(self) -> int | None:
        """The module's limit plus what HR gave; None means no limit."""
        if not self.source.max_attempts:
            return None
        return self.source.max_attempts + self.extra_attempts

    @property
    def attempts_left(self) -> int | None:
        """None means no limit."""
        allowed = self.attempts_allowed
        if allowed is None:
            return None
        return max(allowed - self.attempts_used, 0)

    @property
    def best_score(self) -> int | None:
        scores = [a.score for a in self.attempts if a.score is not None]
        return max(scores) if scores else None

    @property
    def pending(self) -> list[str]:
        """What is still to do before the module counts as done, in page order."""
        pending = []
        if self.source.has_check and not self.check_passed:
            pending.append("check")
        if self.source.policies and self.acknowledged_at is None:
            pending.append("acknowledgement")
        if self.source.reflection_prompt and self.reflection is None:
            pending.append("reflection")
        if self.source.has_pulse and not self.pulse_done:
            pending.append("pulse")
        return pending

    @property
    def needs_renewal(self) -> bool:
        return self.state.status == ModuleStatus.DUE_AGAIN


def module_source(module: ModulePage) -> ModulePage:
    """The default-language module that enrolments and progress refer to."""
    from wagtail.models import Locale

    default = Locale.get_default()
    if module.locale_id == default.pk:
        return module
    return module.get_translation_or_none(default) or module


def module_activity(
    *, employee: Employee, module: ModulePage, now: datetime | None = None
) -> ModuleActivity | None:
    """The person's state and work on ``module`` (any language of it).

    None when they are not enrolled in its path.
    """
    from .models import (
        Acknowledgement,
        CheckAttempt,
        PulseSubmission,
        Reflection,
    )

    found = module_state_for(employee=employee, module=module, now=now)
    if found is None:
        return None
    enrolment, state = found
    source = state.module
    progress = ModuleProgress.objects.filter(enrolment=enrolment, module=source).first()
    cycle_start = _cycle_start(
        enrolment=enrolment, state=state, progress=progress, now=now
    )
    since = {} if cycle_start is None else {"started_at__gte": cycle_start}
    attempts = list(
        CheckAttempt.objects.filter(enrolment=enrolment, module=source, **since)
    )
    ack_since = {} if cycle_start is None else {"acknowledged_at__gte": cycle_start}
    ack = (
        Acknowledgement.objects.filter(enrolment=enrolment, module=source, **ack_since)
        .order_by("-acknowledged_at")
        .first()
    )
    return ModuleActivity(
        enrolment=enrolment,
        state=state,
        source=source,
        display=module,
        cycle_start=cycle_start,
        attempts=attempts,
        acknowledged_at=ack.acknowledged_at if ack else None,
        reflection=Reflection.objects.filter(
            enrolment=enrolment, module=source
        ).first(),
        pulse_done=PulseSubmission.objects.filter(
            enrolment=enrolment, module=source
        ).exists(),
        task_done_by=progress.completed_by if progress else None,
        extra_attempts=progress.extra_attempts if progress else 0,
    )


def _cycle_start(
    *,
    enrolment: Enrolment,
    state: ModuleState,
    progress: ModuleProgress | None,
    now: datetime | None = None,
) -> datetime | None:
    """Since when the person's work on a module counts (None: since ever).

    A module due again starts over at its last completion (or when the
    certificate expired); one re-opened by a changed policy, when re-opened.
    """
    if state.status == ModuleStatus.DUE_AGAIN:
        cycle_start = state.completed_at
        renew = enrolment_renew_after(enrolment=enrolment, now=now)
        if renew and (cycle_start is None or renew > cycle_start):
            cycle_start = renew
        return cycle_start
    if progress is not None and progress.reopened_at and not progress.completed_at:
        return progress.reopened_at
    return None


def enrolment_checks(
    *, enrolment: Enrolment, now: datetime | None = None
) -> list[ModuleActivity]:
    """The knowledge checks of the enrolment's path, for HR, in path order.

    One ``ModuleActivity`` per live module with a check, holding only the
    attempts of the current cycle (what the person sees on the module page).
    """
    from .models import CheckAttempt

    states = [
        s
        for s in enrolment_timeline(enrolment=enrolment, now=now)
        if s.module.has_check
    ]
    if not states:
        return []
    module_ids = [s.module.pk for s in states]
    progress = {
        p.module_id: p
        for p in ModuleProgress.objects.filter(
            enrolment=enrolment, module_id__in=module_ids
        )
    }
    attempts: dict[int, list] = {}
    for attempt in CheckAttempt.objects.filter(
        enrolment=enrolment, module_id__in=module_ids
    ):
        attempts.setdefault(attempt.module_id, []).append(attempt)
    checks = []
    for state in states:
        module = state.module
        row = progress.get(module.pk)
        cycle_start = _cycle_start(
            enrolment=enrolment, state=state, progress=row, now=now
        )
        checks.append(
            ModuleActivity(
                enrolment=enrolment,
                state=state,
                source=module,
                display=state.display or module,
                cycle_start=cycle_start,
                attempts=[
                    a
                    for a in attempts.get(module.pk, [])
                    if cycle_start is None or a.started_at >= cycle_start
                ],
                extra_attempts=row.extra_attempts if row else 0,
            )
        )
    return checks


# --- Certificates ----------------------------------------------------------------


def employee_advocate_certificate(*, employee: Employee, now: datetime | None = None):
    """The person's valid advocate certificate, or None (never had one, expired)."""
    from .models import Certificate

    now = now or timezone.now()
    return (
        Certificate.objects.filter(
            enrolment__employee=employee, advocate=True, expires_at__gt=now
        )
        .select_related("enrolment__path")
        .order_by("-expires_at")
        .first()
    )


def employee_expired_certificate(*, employee: Employee, now: datetime | None = None):
    """The latest advocate certificate when it has expired and no valid one exists."""
    from .models import Certificate

    now = now or timezone.now()
    latest = (
        Certificate.objects.filter(enrolment__employee=employee, advocate=True)
        .select_related("enrolment__path")
        .order_by("-issued_at")
        .first()
    )
    if latest and latest.expires_at and latest.expires_at <= now:
        return latest
    return None


# --- Tasks for managers and buddies ---------------------------------------------


@dataclass(frozen=True)
class AssignedTask:
    enrolment: Enrolment
    state: ModuleState
    role: str  # "manager" or "buddy"

    @property
    def person(self) -> Employee:
        return self.enrolment.employee

    @property
    def done(self) -> bool:
        return self.state.completed_at is not None


def employee_tasks(
    *, employee: Employee, now: datetime | None = None
) -> list[AssignedTask]:
    """Tasks that modules give ``employee`` as a manager or buddy, soonest first.

    Only people currently managed or buddied by them, in active enrolments.
    """
    enrolments = (
        Enrolment.objects.filter(withdrawn_at__isnull=True)
        .filter(
            models.Q(employee__manager=employee) | models.Q(employee__buddy=employee)
        )
        .exclude(employee__status=Employee.Status.LEFT)
        .select_related("employee", "path")
    )
    tasks = []
    for enrolment in enrolments:
        roles = set()
        if enrolment.employee.manager_id == employee.pk:
            roles.add(ModulePage.TaskFor.MANAGER)
        if enrolment.employee.buddy_id == employee.pk:
            roles.add(ModulePage.TaskFor.BUDDY)
        for state in enrolment_timeline(enrolment=enrolment, now=now):
            if state.module.task_for in roles:
                tasks.append(
                    AssignedTask(
                        enrolment=enrolment, state=state, role=state.module.task_for
                    )
                )
    return sorted(tasks, key=lambda t: (t.done, t.state.due_date, t.person.full_name))


# --- Pulse: the month an answer belongs to ---------------------------------------


def pulse_month(*, at: datetime | None = None) -> date:
    """The month (its first day) of an answer given at ``at``, now by default.

    Months are the organisation's (``settings.TIME_ZONE``) whatever time zone
    is active, so a month is over at one moment for every reader and every
    report. Pulse figures are published only for months that are over
    (``insights.pulse``): no answer may join a month after that.
    """
    zone = zone_named(settings.TIME_ZONE)
    return timezone.localdate(at or timezone.now(), timezone=zone).replace(day=1)


def reflections_shared_with(*, employee: Employee):
    """Reflections that the people ``employee`` manages or buddies chose to share."""
    from .models import Reflection

    return (
        Reflection.objects.filter(shared=True, enrolment__withdrawn_at__isnull=True)
        .filter(
            models.Q(enrolment__employee__manager=employee)
            | models.Q(enrolment__employee__buddy=employee)
        )
        .select_related("enrolment__employee", "module")
        .order_by("-updated_at")
    )
