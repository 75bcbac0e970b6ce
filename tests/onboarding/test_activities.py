"""What a module asks of the new hire: checks, policies, reflections, surveys."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone
from django.utils.translation import override

from onboarding.models import (
    Acknowledgement,
    CheckAttempt,
    ModuleProgress,
    PulseResponse,
    PulseSubmission,
    Reflection,
)
from onboarding.selectors import ModuleStatus, module_activity, pulse_month
from onboarding.services import enrolment_create
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def question(text, options, *, multiple=False):
    return (
        "question",
        {
            "question": text,
            "multiple": multiple,
            "options": [
                {"text": t, "correct": c, "feedback": f"Feedback: {t}"}
                for t, c in options
            ],
        },
    )


QUESTIONS = [
    question(
        "Who is a guest?", [("Everyone who comes in", True), ("Only VIPs", False)]
    ),
    question(
        "Which are Brisa values?",
        [("Warmth", True), ("Care", True), ("Speed at any cost", False)],
        multiple=True,
    ),
]


@pytest.fixture
def check_module(add_module):
    return add_module(
        "Prueba de valores",
        release_day=1,
        questions=QUESTIONS,
        pass_mark=100,
        max_attempts=2,
    )


@pytest.fixture
def signed_in(client, new_hire, welcome_path):
    enrolment_create(employee=new_hire, path=welcome_path)
    client.force_login(new_hire.user)
    return client


def _answers(module, *, right: bool) -> dict:
    """Form fields for the open attempt: all right, or all wrong."""
    attempt = CheckAttempt.objects.get(module=module, submitted_at__isnull=True)
    data = {"page": module.pk}
    for block in module.questions:
        options = block.value["options"].bound_blocks
        chosen = [o.id for o in options if bool(o.value["correct"]) == right]
        data[f"q-{block.id}"] = chosen if right else chosen[:1]
    return attempt, data


def test_check_fail_shows_feedback_then_retry_passes_and_completes(
    signed_in, new_hire, check_module
):
    page = signed_in.get(check_module.url).content.decode()
    assert "Knowledge check" in page and "2 attempts left" in page
    opened = ModuleProgress.objects.get(module=check_module)
    assert opened.started_at is not None and opened.completed_at is None

    started = signed_in.post(f"/onboarding/modules/{check_module.pk}/check/")
    assert started.status_code == 302
    attempt, data = _answers(check_module, right=False)
    html = signed_in.post(
        f"/onboarding/attempts/{attempt.pk}/", data, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "You scored 0%: not enough to pass yet." in html
    assert "Feedback: Only VIPs" in html  # the feedback of the option chosen
    assert "1 attempt left" in html and "Try again" in html

    signed_in.post(
        f"/onboarding/modules/{check_module.pk}/check/", HTTP_HX_REQUEST="true"
    )
    attempt, data = _answers(check_module, right=True)
    html = signed_in.post(
        f"/onboarding/attempts/{attempt.pk}/", data, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Passed with 100%." in html
    assert "You completed this module on" in html
    progress = ModuleProgress.objects.get(module=check_module)
    assert progress.completed_at is not None


def test_attempts_run_out(signed_in, check_module):
    for _ in range(2):
        signed_in.post(f"/onboarding/modules/{check_module.pk}/check/")
        attempt, data = _answers(check_module, right=False)
        signed_in.post(f"/onboarding/attempts/{attempt.pk}/", data)
    html = signed_in.get(check_module.url).content.decode()
    assert "You have used every attempt" in html
    refused = signed_in.post(
        f"/onboarding/modules/{check_module.pk}/check/", HTTP_HX_REQUEST="true"
    )
    assert refused.status_code == 400
    assert CheckAttempt.objects.filter(module=check_module).count() == 2
    assert not ModuleProgress.objects.filter(completed_at__isnull=False).exists()


def test_a_crafted_score_changes_nothing(signed_in, check_module):
    signed_in.post(f"/onboarding/modules/{check_module.pk}/check/")
    attempt, data = _answers(check_module, right=False)
    data.update(
        {"score": "100", "passed": "true", "answers": "{}", "page": "not-a-number"}
    )
    response = signed_in.post(f"/onboarding/attempts/{attempt.pk}/", data)
    assert response.status_code == 302  # scored and shown, not an error
    attempt.refresh_from_db()
    assert attempt.score == 0 and attempt.passed is False
    assert not ModuleProgress.objects.filter(completed_at__isnull=False).exists()


def test_unanswered_questions_are_refused_and_the_attempt_stays_open(
    signed_in, check_module
):
    signed_in.post(f"/onboarding/modules/{check_module.pk}/check/")
    attempt, _data = _answers(check_module, right=True)
    response = signed_in.post(
        f"/onboarding/attempts/{attempt.pk}/",
        {"page": check_module.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert "Answer every question" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


def test_another_persons_attempt_is_refused(
    client, signed_in, check_module, welcome_path
):
    signed_in.post(f"/onboarding/modules/{check_module.pk}/check/")
    attempt, data = _answers(check_module, right=True)
    intruder = EmployeeFactory(start_date=timezone.localdate() - timedelta(days=3))
    enrolment_create(employee=intruder, path=welcome_path)
    client.force_login(intruder.user)
    response = client.post(f"/onboarding/attempts/{attempt.pk}/", data)
    assert response.status_code == 404
    attempt.refresh_from_db()
    assert attempt.submitted_at is None and attempt.score is None


def test_each_attempt_is_shuffled_afresh(new_hire, welcome_path, add_module):
    from onboarding.services import attempt_start, attempt_submit

    many = [
        question(f"Q{n}", [(f"A{n}", True), (f"B{n}", False), (f"C{n}", False)])
        for n in range(5)
    ]
    module = add_module("Barajada", questions=many, max_attempts=0, pass_mark=100)
    enrolment_create(employee=new_hire, path=welcome_path)
    orders = set()
    for _ in range(6):
        attempt = attempt_start(employee=new_hire, module=module)
        orders.add(tuple(q for q, _options in attempt.layout))
        assert sorted(q for q, _o in attempt.layout) == sorted(
            b.id for b in module.questions
        )
        wrong = {q: [options[-1]] for q, options in attempt.layout}
        # Make sure the chosen option is wrong whatever the shuffle did.
        for block in module.questions:
            wrong[block.id] = [
                o.id
                for o in block.value["options"].bound_blocks
                if not o.value["correct"]
            ][:1]
        attempt_submit(employee=new_hire, attempt_id=attempt.pk, answers=wrong)
    assert len(orders) > 1


def test_unreleased_module_cannot_be_opened_or_worked_on(signed_in, add_module):
    later = add_module(
        "Dia noventa",
        release_day=90,
        questions=QUESTIONS,
        reflection_prompt="¿Qué te llevas?",
        body=[("policy", {"title": "Política", "text": "<p>Texto</p>"})],
    )
    assert signed_in.get(later.url).status_code == 403
    for url, data in [
        (f"/onboarding/modules/{later.pk}/check/", {}),
        (f"/onboarding/modules/{later.pk}/acknowledge/", {"accept": "yes"}),
        (f"/onboarding/modules/{later.pk}/reflection/", {"text": "hola"}),
        (f"/onboarding/modules/{later.pk}/complete/", {}),
    ]:
        assert signed_in.post(url, data).status_code == 403, url
    assert not CheckAttempt.objects.exists()
    assert not Acknowledgement.objects.exists()
    assert not Reflection.objects.exists()
    assert not ModuleProgress.objects.exists()


@pytest.fixture
def policy_module(add_module):
    return add_module(
        "Redes sociales",
        body=[
            (
                "policy",
                {"title": "Política de redes sociales", "text": "<p>Sé amable.</p>"},
            )
        ],
        reacknowledge_within_days=10,
    )


def test_acknowledgement_records_the_revision_read(signed_in, policy_module):
    html = signed_in.get(policy_module.url).content.decode()
    assert "I have read and accept:" in html and "Política de redes sociales" in html
    assert "Mark as done" not in html  # the acknowledgement is the way to finish
    refused = signed_in.post(f"/onboarding/modules/{policy_module.pk}/acknowledge/")
    assert refused.status_code == 302 and not Acknowledgement.objects.exists()

    signed_in.post(
        f"/onboarding/modules/{policy_module.pk}/acknowledge/", {"accept": "yes"}
    )
    ack = Acknowledgement.objects.get()
    policy_module.refresh_from_db()
    assert ack.revision_id == policy_module.live_revision_id
    assert ModuleProgress.objects.get(module=policy_module).completed_at is not None
    html = signed_in.get(policy_module.url).content.decode()
    assert "You accepted this version on" in html


def test_new_revision_reopens_exactly_those_who_acknowledged_before(
    welcome_path, policy_module, mailoutbox
):
    from onboarding.services import acknowledge

    start = timezone.localdate() - timedelta(days=3)
    accepted = [EmployeeFactory(start_date=start) for _ in range(2)]
    not_yet = EmployeeFactory(start_date=start)
    for person in [*accepted, not_yet]:
        enrolment_create(employee=person, path=welcome_path)
    for person in accepted:
        acknowledge(employee=person, module=policy_module)

    # A typo fix without the box ticked re-opens nobody.
    policy_module.save_revision().publish()
    assert ModuleProgress.objects.filter(completed_at__isnull=True).count() == 0

    policy_module.reacknowledge_on_publish = True
    policy_module.save_revision().publish()

    reopened = ModuleProgress.objects.filter(completed_at__isnull=True)
    assert {p.enrolment.employee for p in reopened} == set(accepted)
    due = timezone.localdate() + timedelta(days=10)
    assert all(p.due_override == due for p in reopened)
    from advocacy.models import Notification

    told = Notification.objects.filter(kind="reacknowledge")
    assert {n.user for n in told} == {p.user for p in accepted}
    state = module_activity(employee=accepted[0], module=policy_module).state
    assert state.status == ModuleStatus.AVAILABLE and state.due_date == due
    assert module_activity(employee=not_yet, module=policy_module).state.status == (
        ModuleStatus.AVAILABLE
    )
    policy_module.refresh_from_db()
    assert policy_module.reacknowledge_on_publish is False
    latest = policy_module.get_latest_revision_as_object()
    assert latest.reacknowledge_on_publish is False

    acknowledge(employee=accepted[0], module=policy_module)
    assert module_activity(employee=accepted[0], module=policy_module).state.status == (
        ModuleStatus.DONE
    )


@pytest.fixture
def pulse_module(add_module):
    return add_module(
        "Pulso del dia 30",
        pulse_questions=[
            ("scale", {"question": "Me siento bienvenido"}),
            ("scale", {"question": "Sé lo que se espera de mí"}),
        ],
        pulse_enps=True,
    )


def _pulse_data(module, score, enps):
    data = {block.id: str(score) for block in module.pulse_questions}
    data["enps"] = str(enps)
    return data


def test_pulse_answers_are_stored_without_the_person_and_only_once(
    signed_in, new_hire, pulse_module
):
    url = f"/onboarding/modules/{pulse_module.pk}/pulse/"
    bad = signed_in.post(url, {"enps": "11"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400 and not PulseResponse.objects.exists()

    html = signed_in.post(
        url, _pulse_data(pulse_module, 4, 9), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "recorded anonymously" in html
    assert ModuleProgress.objects.get(module=pulse_module).completed_at is not None
    again = signed_in.post(url, _pulse_data(pulse_module, 1, 0), HTTP_HX_REQUEST="true")
    assert again.status_code == 400
    assert PulseResponse.objects.count() == 1
    assert PulseSubmission.objects.count() == 1

    response = PulseResponse.objects.get()
    # Nothing on the answers points back at a person or a moment.
    related = {
        f.related_model._meta.label
        for f in PulseResponse._meta.get_fields()
        if f.is_relation and f.related_model
    }
    assert related == {
        "onboarding.ModulePage",
        "onboarding.PathPage",
        "people.Department",
    }
    assert response.month.day == 1
    assert not hasattr(response, "created_at")
    # And the page shows the person their thanks, not their answers back.
    assert ">4<" not in html.split("Pulse survey", 1)[1]


def test_an_answer_belongs_to_the_organisations_month_whatever_zone_is_active(
    signed_in, new_hire, pulse_module
):
    """23:30 UTC on 30 September is already 1 October in Madrid (the
    organisation's zone) but still September in Honolulu: the month is
    Madrid's, so it closes at one moment for every report."""
    late_september = datetime(2026, 9, 30, 23, 30, tzinfo=UTC)
    with timezone.override("Pacific/Honolulu"):
        assert pulse_month(at=late_september) == date(2026, 10, 1)
        signed_in.post(
            f"/onboarding/modules/{pulse_module.pk}/pulse/",
            _pulse_data(pulse_module, 4, 9),
            HTTP_HX_REQUEST="true",
        )
        assert PulseResponse.objects.get().month == pulse_month()


def test_reflection_is_private_unless_shared(
    client, new_hire, welcome_path, add_module
):
    manager = EmployeeFactory(full_name="Marta Jefa")
    buddy = EmployeeFactory(full_name="Bea Compi")
    stranger = EmployeeFactory(full_name="Otro Jefe")
    EmployeeFactory(manager=stranger)
    new_hire.manager, new_hire.buddy = manager, buddy
    new_hire.save()
    module = add_module("Reflexion", reflection_prompt="¿Qué te ha sorprendido?")
    enrolment_create(employee=new_hire, path=welcome_path)
    client.force_login(new_hire.user)
    url = f"/onboarding/modules/{module.pk}/reflection/"
    client.post(url, {"text": "La calidez del equipo"})
    assert ModuleProgress.objects.get(module=module).completed_at is not None

    for viewer in (manager, buddy, stranger):
        client.force_login(viewer.user)
        assert (
            "La calidez del equipo"
            not in client.get("/onboarding/todo/").content.decode()
        )

    client.force_login(new_hire.user)
    client.post(url, {"text": "La calidez del equipo", "shared": "yes"})
    for viewer, sees in ((manager, True), (buddy, True), (stranger, False)):
        client.force_login(viewer.user)
        html = client.get("/onboarding/todo/").content.decode()
        assert ("La calidez del equipo" in html) is sees, viewer


def test_manager_task_on_the_todo_list_and_only_they_complete_it(
    client, new_hire, welcome_path, add_module
):
    manager = EmployeeFactory(full_name="Marta Jefa")
    other_manager = EmployeeFactory(full_name="Otro Jefe")
    new_hire.manager = manager
    new_hire.save()
    task = add_module(
        "Reunion uno a uno",
        release_day=1,
        due_days=5,
        task_for="manager",
        task_description="Hold a welcome 1:1",
    )
    enrolment, _ = enrolment_create(employee=new_hire, path=welcome_path)

    client.force_login(new_hire.user)
    refused = client.post(f"/onboarding/modules/{task.pk}/complete/", follow=True)
    assert "Your manager marks this one done" in refused.content.decode()
    assert not ModuleProgress.objects.filter(completed_at__isnull=False).exists()
    html = client.get(task.url).content.decode()
    assert "Hold a welcome 1:1" in html and "when they mark it done" in html

    client.force_login(other_manager.user)
    assert "Nuevo Fichaje" not in client.get("/onboarding/todo/").content.decode()
    done_url = f"/onboarding/todo/{enrolment.pk}/{task.pk}/done/"
    assert client.post(done_url).status_code == 404

    client.force_login(manager.user)
    html = client.get("/onboarding/todo/").content.decode()
    assert "Hold a welcome 1:1" in html and "Nuevo Fichaje" in html
    due = new_hire.start_date + timedelta(days=5)
    with override("en"):
        from django.utils.formats import date_format

        assert f"due {date_format(due)}" in html
    client.post(done_url)
    progress = ModuleProgress.objects.get(module=task)
    assert progress.completed_by == manager.user
    client.force_login(new_hire.user)
    assert "Done on" in client.get(task.url).content.decode()
