"""Writes about onboarding: who is enrolled in which path."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.models import Locale

from advocacy.services import (
    group_event_publish,
    manager_group_name,
    notification_send,
)
from people.models import Employee, User

from .events import module_completed, path_completed
from .models import (
    Acknowledgement,
    Certificate,
    CheckAttempt,
    Enrolment,
    ModulePage,
    ModuleProgress,
    PathPage,
    PulseResponse,
    PulseSubmission,
    Reflection,
    Reminder,
)
from .selectors import (
    ModuleActivity,
    check_answer_kept,
    check_answer_right,
    check_questions,
    employee_tasks,
    employee_today,
    enrolment_checks,
    enrolment_renew_after,
    module_activity,
    pulse_month,
)


def enrolment_create(
    *,
    employee: Employee,
    path: PathPage,
    source: str = Enrolment.Source.AUTOMATIC,
    reason: str = "",
    enrolled_by: User | None = None,
) -> tuple[Enrolment, bool]:
    """Enrol once; a second call (even a concurrent one) returns the first.

    A withdrawn enrolment is only re-opened by HR (a manual enrolment).
    """
    try:
        with transaction.atomic():
            enrolment, created = Enrolment.objects.get_or_create(
                employee=employee,
                path=path,
                defaults={
                    "source": source,
                    "reason": reason,
                    "enrolled_by": enrolled_by,
                },
            )
    except IntegrityError:
        # Another request created it between our read and our insert.
        return Enrolment.objects.get(employee=employee, path=path), False
    if not created and enrolment.withdrawn_at and source == Enrolment.Source.MANUAL:
        enrolment.withdrawn_at = None
        enrolment.withdrawal_reason = ""
        enrolment.source = source
        enrolment.reason = reason
        enrolment.enrolled_by = enrolled_by
        enrolment.save()
    return enrolment, created


def enrolment_withdraw(*, enrolment: Enrolment, reason: str) -> Enrolment:
    enrolment.withdrawn_at = timezone.now()
    enrolment.withdrawal_reason = reason
    enrolment.save(update_fields=["withdrawn_at", "withdrawal_reason"])
    return enrolment


def enrolment_sync(*, employee: Employee) -> list[Enrolment]:
    """Enrol ``employee`` in every auto-enrol path whose audience they match.

    Paths are taken in the default language: a translation is the same path.
    People who have left are never enrolled.
    """
    if employee.status == Employee.Status.LEFT:
        return []
    paths = (
        PathPage.objects.live()
        .filter(auto_enrol=True, locale=Locale.get_default())
        .prefetch_related("departments", "teams")
    )
    created = []
    for path in paths:
        if path.matches(employee):
            enrolment, was_created = enrolment_create(employee=employee, path=path)
            if was_created:
                created.append(enrolment)
    return created


class ModuleNotOpen(Exception):
    """The module is not released, is locked, or is not in the person's paths."""


class ActivityRefused(Exception):
    """A request the module cannot take now; the message says why to the person."""


def _open_activity(*, employee: Employee, module: ModulePage) -> ModuleActivity:
    activity = module_activity(employee=employee, module=module)
    if activity is None or not activity.state.is_open:
        raise ModuleNotOpen
    return activity


def module_started(*, activity: ModuleActivity) -> None:
    """Note when the person first opened the module (for "last activity")."""
    ModuleProgress.objects.get_or_create(
        enrolment=activity.enrolment,
        module=activity.source,
        defaults={"started_at": timezone.now()},
    )


def _lock_enrolment(enrolment: Enrolment) -> None:
    """Serialise one person's writes on one path (numbering, completion)."""
    Enrolment.objects.select_for_update().filter(pk=enrolment.pk).first()


@transaction.atomic
def module_complete(
    *, employee: Employee, module: ModulePage, by: User | None = None
) -> ModuleProgress:
    """Mark a module done for the person, if it is open and nothing is pending.

    Completing every required module completes the enrolment and issues its
    certificate.
    """
    activity = _open_activity(employee=employee, module=module)
    if activity.source.is_task and by is None:
        if activity.source.task_for == ModulePage.TaskFor.MANAGER:
            message = _("Your manager marks this one done once you have met.")
        else:
            message = _("Your buddy marks this one done once you have met.")
        raise ActivityRefused(message)
    if activity.pending:
        raise ActivityRefused(_("Finish the steps on this page first."))
    return _complete(activity=activity, by=by)


def _complete(*, activity: ModuleActivity, by: User | None = None) -> ModuleProgress:
    enrolment = activity.enrolment
    _lock_enrolment(enrolment)
    now = timezone.now()
    progress, _created = ModuleProgress.objects.get_or_create(
        enrolment=enrolment, module=activity.source, defaults={"started_at": now}
    )
    progress.completed_at = now
    progress.completed_by = by
    progress.due_override = None
    # Attempts HR gave were for this round; a refresher starts from the limit.
    progress.extra_attempts = 0
    progress.save(
        update_fields=["completed_at", "completed_by", "due_override", "extra_attempts"]
    )
    _enrolment_complete_if_done(enrolment=enrolment, now=now)
    module_completed_publish(enrolment=enrolment, module=activity.source)
    module_completed.send(
        sender=ModulePage, employee=enrolment.employee, module=activity.source
    )
    return progress


def _enrolment_complete_if_done(*, enrolment: Enrolment, now) -> None:
    renew_after = enrolment_renew_after(enrolment=enrolment, now=now)
    required = set(
        ModulePage.objects.child_of(enrolment.path)
        .live()
        .filter(required=True)
        .values_list("pk", flat=True)
    )
    done = ModuleProgress.objects.filter(
        enrolment=enrolment, completed_at__isnull=False
    )
    if renew_after is not None:
        done = done.filter(completed_at__gte=renew_after)
    if not required <= set(done.values_list("module_id", flat=True)):
        return
    if enrolment.completed_at is None:
        enrolment.completed_at = now
        enrolment.save(update_fields=["completed_at"])
    elif renew_after is None:
        return  # completed before, certificate already issued
    path = enrolment.path
    path_completed.send(sender=PathPage, employee=enrolment.employee, path=path)
    Certificate.objects.create(
        enrolment=enrolment,
        issued_at=now,
        advocate=path.grants_certification,
        expires_at=(
            now + timedelta(days=path.certification_valid_days)
            if path.grants_certification
            else None
        ),
    )


def _complete_if_ready(*, employee: Employee, module: ModulePage) -> None:
    activity = module_activity(employee=employee, module=module)
    if (
        activity is not None
        and activity.state.is_open
        and not activity.pending
        and not activity.source.is_task
        and (activity.state.completed_at is None or activity.needs_renewal)
    ):
        _complete(activity=activity)


# --- Knowledge check -------------------------------------------------------------


@transaction.atomic
def attempt_start(*, employee: Employee, module: ModulePage) -> CheckAttempt:
    """Begin (or return the unfinished) attempt, with a fresh shuffle."""
    activity = _open_activity(employee=employee, module=module)
    source = activity.source
    if not source.has_check:
        raise ActivityRefused(_("This module has no knowledge check."))
    _lock_enrolment(activity.enrolment)
    if activity.open_attempt is not None:
        return activity.open_attempt
    if activity.check_passed:
        raise ActivityRefused(_("You already passed this check."))
    if activity.attempts_left == 0:
        raise ActivityRefused(
            _("You have used every attempt. Your HR team can give you another.")
        )
    layout = [
        [question.id, [option.id for option in question.options]]
        for question in check_questions(source=source, display=source)
    ]
    if source.shuffle:
        rng = random.SystemRandom()
        rng.shuffle(layout)
        for _question_id, option_ids in layout:
            rng.shuffle(option_ids)
    number = (
        CheckAttempt.objects.filter(
            enrolment=activity.enrolment, module=source
        ).aggregate(top=Max("number"))["top"]
        or 0
    ) + 1
    ModuleProgress.objects.get_or_create(
        enrolment=activity.enrolment,
        module=source,
        defaults={"started_at": timezone.now()},
    )
    return CheckAttempt.objects.create(
        enrolment=activity.enrolment, module=source, number=number, layout=layout
    )


@transaction.atomic
def attempt_submit(
    *, employee: Employee, attempt_id: int, answers: dict[str, list[str]]
) -> CheckAttempt:
    """Score the person's answers on the server; only their own open attempt.

    ``answers`` maps question id to chosen option ids. Anything else the
    request carries (a "score", say) is never read.
    """
    attempt = (
        CheckAttempt.objects.select_for_update()
        .filter(pk=attempt_id, enrolment__employee=employee)
        .select_related("module", "enrolment")
        .first()
    )
    if attempt is None:
        raise CheckAttempt.DoesNotExist
    if attempt.submitted_at is not None:
        raise ActivityRefused(_("This attempt was already submitted."))
    module = attempt.module
    _open_activity(employee=employee, module=module)
    questions = check_questions(source=module, display=module, layout=attempt.layout)
    unanswered = [q for q in questions if not answers.get(q.id)]
    if unanswered:
        raise ActivityRefused(_("Answer every question before you submit."))
    right = 0
    kept = {}
    for question in questions:
        kept[question.id] = check_answer_kept(
            question=question, chosen=answers[question.id]
        )
        right += check_answer_right(question=question, chosen=kept[question.id])
    score = round(100 * right / len(questions)) if questions else 100
    attempt.answers = kept
    attempt.score = score
    attempt.passed = score >= module.pass_mark
    attempt.submitted_at = timezone.now()
    attempt.save(update_fields=["answers", "score", "passed", "submitted_at"])
    if attempt.passed:
        _complete_if_ready(employee=employee, module=module)
    return attempt


ATTEMPT_GRANT_ACTION = "onboarding.enrolment.attempt_grant"


@transaction.atomic
def attempt_grant(
    *, enrolment: Enrolment, module: ModulePage, by: User | None
) -> ModuleProgress:
    """HR gives the person one more attempt at a module's knowledge check.

    Only for a check with a limit, in the enrolment's path, that the person
    has not passed and has no attempt left at. Recorded in the enrolment's
    history.
    """
    _lock_enrolment(enrolment)
    name = enrolment.employee.full_name
    if enrolment.withdrawn_at is not None:
        raise ActivityRefused(
            _("%(name)s was withdrawn from this path.") % {"name": name}
        )
    check = next(
        (c for c in enrolment_checks(enrolment=enrolment) if c.source.pk == module.pk),
        None,
    )
    if check is None:
        raise ActivityRefused(
            _("“%(module)s” is not a module with a knowledge check in this path.")
            % {"module": module.title}
        )
    title = check.source.title
    if check.attempts_allowed is None:
        raise ActivityRefused(
            _("The check in “%(module)s” has no attempt limit.") % {"module": title}
        )
    if check.check_passed:
        raise ActivityRefused(
            _("%(name)s already passed the check in “%(module)s”.")
            % {"name": name, "module": title}
        )
    if check.attempts_left:
        raise ActivityRefused(
            _("%(name)s still has attempts left at the check in “%(module)s”.")
            % {"name": name, "module": title}
        )
    progress, _created = ModuleProgress.objects.get_or_create(
        enrolment=enrolment, module=check.source
    )
    ModuleProgress.objects.filter(pk=progress.pk).update(
        extra_attempts=F("extra_attempts") + 1
    )
    progress.refresh_from_db(fields=["extra_attempts"])
    log(
        instance=enrolment,
        action=ATTEMPT_GRANT_ACTION,
        user=by,
        data={
            "module": check.source.pk,
            "title": title,
            "extra_attempts": progress.extra_attempts,
        },
    )
    return progress


# --- Acknowledgement, reflection, pulse -------------------------------------------


@transaction.atomic
def acknowledge(*, employee: Employee, module: ModulePage) -> Acknowledgement:
    """Record that the person accepts the policies of the revision they read."""
    activity = _open_activity(employee=employee, module=module)
    if not activity.source.policies:
        raise ActivityRefused(_("This module has no policy to acknowledge."))
    ack = Acknowledgement.objects.create(
        enrolment=activity.enrolment,
        module=activity.source,
        revision_id=module.live_revision_id,
    )
    _complete_if_ready(employee=employee, module=module)
    return ack


@transaction.atomic
def reflection_save(
    *, employee: Employee, module: ModulePage, text: str, shared: bool
) -> Reflection:
    activity = _open_activity(employee=employee, module=module)
    if not activity.source.reflection_prompt:
        raise ActivityRefused(_("This module has no reflection."))
    text = text.strip()
    if not text:
        raise ActivityRefused(_("Write a few words first."))
    if len(text) > 4000:
        raise ActivityRefused(_("Keep it under 4,000 characters."))
    reflection, _created = Reflection.objects.update_or_create(
        enrolment=activity.enrolment,
        module=activity.source,
        defaults={"text": text, "shared": shared},
    )
    _complete_if_ready(employee=employee, module=module)
    return reflection


def pulse_scores_clean(*, module: ModulePage, data) -> dict[str, int]:
    """Read 1–5 answers (and eNPS 0–10) from a form; every question is needed."""
    scores: dict[str, int] = {}
    wanted = [(block.id, 1, 5) for block in module.pulse_questions]
    if module.pulse_enps:
        wanted.append(("enps", 0, 10))
    for key, low, high in wanted:
        raw = data.get(key, "")
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise ActivityRefused(_("Answer every question before you send.")) from None
        if not low <= value <= high:
            raise ActivityRefused(_("An answer is outside the scale."))
        scores[key] = value
    return scores


@transaction.atomic
def pulse_submit(*, employee: Employee, module: ModulePage, data) -> None:
    """Store the answers without any link to the person; once per person."""
    activity = _open_activity(employee=employee, module=module)
    source = activity.source
    if not source.has_pulse:
        raise ActivityRefused(_("This module has no survey."))
    scores = pulse_scores_clean(module=source, data=data)
    try:
        with transaction.atomic():
            PulseSubmission.objects.create(enrolment=activity.enrolment, module=source)
    except IntegrityError:
        raise ActivityRefused(_("You already answered this survey.")) from None
    PulseResponse.objects.create(
        module=source,
        path=activity.enrolment.path,
        department_id=employee.department_id,
        month=pulse_month(),
        scores=scores,
    )
    _complete_if_ready(employee=employee, module=module)


# --- Tasks for managers and buddies ---------------------------------------------


@transaction.atomic
def task_complete(
    *, assignee: Employee, enrolment_id: int, module_id: int
) -> ModuleProgress:
    """The manager or buddy marks the task done; only the one it is for."""
    task = next(
        (
            t
            for t in employee_tasks(employee=assignee)
            if t.enrolment.pk == enrolment_id and t.state.module.pk == module_id
        ),
        None,
    )
    if task is None:
        raise ModuleNotOpen
    if not task.state.is_open:
        raise ActivityRefused(_("This task is not due yet."))
    activity = module_activity(
        employee=task.enrolment.employee, module=task.state.module
    )
    return _complete(activity=activity, by=assignee.user)


# --- Live events --------------------------------------------------------------------


def module_completed_publish(*, enrolment: Enrolment, module: ModulePage) -> None:
    """Tell every manager up the person's line, after commit."""
    from people.selectors import employee_chain_of_command

    employee = enrolment.employee
    managers = employee_chain_of_command(employee_id=employee.pk)
    data = {
        "employee": employee.pk,
        "name": employee.full_name,
        "path": enrolment.path_id,
        "module": module.pk,
        "title": module.title,
    }

    group_event_publish(
        groups=[manager_group_name(employee_id=m) for m in managers],
        event="onboarding.module_completed",
        data=data,
    )


# --- Re-acknowledgement ---------------------------------------------------------


@transaction.atomic
def reacknowledgement_request(*, module: ModulePage, revision) -> list[ModuleProgress]:
    """Re-open the module for everyone who acknowledged before ``revision``.

    Due in the module's "days to acknowledge again"; each person is notified.
    """
    now = timezone.now()
    enrolment_ids = set(
        Acknowledgement.objects.filter(
            module=module, acknowledged_at__lt=revision.created_at
        ).values_list("enrolment_id", flat=True)
    )
    # People who already accepted this revision (or a later one) stay done.
    enrolment_ids -= set(
        Acknowledgement.objects.filter(
            module=module, acknowledged_at__gte=revision.created_at
        ).values_list("enrolment_id", flat=True)
    )
    within = timedelta(days=module.reacknowledge_within_days)
    reopened = list(
        ModuleProgress.objects.filter(
            module=module,
            enrolment_id__in=enrolment_ids,
            enrolment__withdrawn_at__isnull=True,
        ).select_related("enrolment__employee__user")
    )
    for progress in reopened:
        progress.completed_at = None
        progress.completed_by = None
        progress.reopened_at = now
        # Due N days from the person's own today, in their time zone.
        employee = progress.enrolment.employee
        progress.due_override = employee_today(employee=employee, now=now) + within
    ModuleProgress.objects.bulk_update(
        reopened, ["completed_at", "completed_by", "reopened_at", "due_override"]
    )
    for progress in reopened:
        employee = progress.enrolment.employee
        due = progress.due_override
        Reminder.objects.get_or_create(
            key=f"reack:{progress.pk}:{revision.pk}",
            defaults={
                "employee": employee,
                "kind": Reminder.Kind.REACKNOWLEDGE,
                "payload": {"module": module.pk, "due": due.isoformat()},
            },
        )
        notification_send(
            user=employee.user,
            kind="reacknowledge",
            data={"module": module.pk, "title": module.title, "due": due.isoformat()},
        )
    return reopened
