"""The demo onboarding: two translated paths and people at every stage of them."""

from __future__ import annotations

import pytest
from django.utils import timezone
from wagtail.models import Locale, Page

from identity.demo import identity_demo_seed
from onboarding.demo import BRAND_SLUG, PRE, WELCOME_SLUG, onboarding_demo_seed
from onboarding.models import (
    Acknowledgement,
    Certificate,
    CheckAttempt,
    Enrolment,
    ModulePage,
    ModuleProgress,
    PathIndexPage,
    PathPage,
    PulseResponse,
    PulseSubmission,
    Reflection,
)
from onboarding.selectors import (
    ModuleStatus,
    employee_advocate_certificate,
    employee_expired_certificate,
    employee_tasks,
    enrolment_timeline,
    module_release_date,
    reflections_shared_with,
)
from people.demo import _email, _people, demo_seed
from people.models import Employee

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db) -> None:
    demo_seed()
    identity_demo_seed()
    onboarding_demo_seed()


def _person(key: str) -> Employee:
    person = next(p for p in _people() if p.key == key)
    return Employee.objects.get(user__email=_email(person))


def _timeline(key: str, path_slug: str = WELCOME_SLUG):
    enrolment = Enrolment.objects.get(
        employee=_person(key), path__slug=path_slug, path__locale__language_code="es"
    )
    return {
        state.module.slug: state.status
        for state in enrolment_timeline(enrolment=enrolment)
    }


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            PathIndexPage,
            PathPage,
            ModulePage,
            Enrolment,
            ModuleProgress,
            CheckAttempt,
            Acknowledgement,
            Reflection,
            PulseSubmission,
            PulseResponse,
            Certificate,
        )
    }


def test_both_paths_are_published_in_spanish_and_english(seeded):
    default = Locale.get_default()
    for language in ("es", "en"):
        index = PathIndexPage.objects.get(locale__language_code=language)
        assert index.live and index.slug == "itinerarios"
        assert {p.slug for p in PathPage.objects.child_of(index).live()} == {
            WELCOME_SLUG,
            BRAND_SLUG,
        }
    for path in PathPage.objects.filter(locale=default):
        english = path.get_translation(Locale.objects.get(language_code="en"))
        assert english.live and english.alias_of_id is None
        assert english.title != path.title
        modules = ModulePage.objects.child_of(path).live()
        assert modules.count() >= 3
        for module in modules:
            translated = module.get_translation(english.locale).specific
            assert translated.live and translated.alias_of_id is None, module.title
            assert translated.title != module.title
            assert translated.get_parent().pk == english.pk
            # Answers and survey scores are keyed by block id: shared by both.
            assert [b.id for b in translated.questions] == [
                b.id for b in module.questions
            ]
            assert [b.id for b in translated.pulse_questions] == [
                b.id for b in module.pulse_questions
            ]
    welcome = PathPage.objects.get(slug=WELCOME_SLUG, locale=default)
    brand = PathPage.objects.get(slug=BRAND_SLUG, locale=default)
    assert welcome.auto_enrol and not welcome.grants_certification
    assert brand.grants_certification and brand.certification_valid_days == 365
    welcome_modules = ModulePage.objects.child_of(welcome).specific()
    days = [m.release_day for m in welcome_modules]
    assert min(days) == -7 and max(days) == 90
    assert {m.task_for for m in welcome_modules} >= {"manager", "buddy"}
    assert any(m.recurrence_days for m in welcome_modules)
    assert any(m.pulse_enps and len(m.pulse_questions) >= 3 for m in welcome_modules)
    assert any(m.reflection_prompt for m in welcome_modules)
    check = next(
        m for m in ModulePage.objects.child_of(brand).specific() if m.has_check
    )
    assert (check.pass_mark, check.max_attempts, len(check.questions)) == (80, 3, 5)
    assert {q.value["multiple"] for q in check.questions} == {True, False}
    assert any(m.policies for m in ModulePage.objects.child_of(brand).specific())


def test_seeding_twice_changes_nothing(seeded):
    counts = _counts()
    progress = sorted(
        ModuleProgress.objects.values_list("pk", "started_at", "completed_at")
    )
    demo_seed()
    identity_demo_seed()
    onboarding_demo_seed()
    assert _counts() == counts
    assert not any(Page.find_problems())  # the page tree stays consistent
    assert (
        sorted(ModuleProgress.objects.values_list("pk", "started_at", "completed_at"))
        == progress
    )


def test_history_is_plausible(seeded):
    now = timezone.now()
    done = ModuleProgress.objects.filter(completed_at__isnull=False).select_related(
        "enrolment__employee", "module"
    )
    assert done.count() > 100
    for progress in done:
        release = module_release_date(
            start_date=progress.enrolment.employee.start_date, module=progress.module
        )
        completed = timezone.localdate(progress.completed_at)
        assert release <= completed, (progress, release, completed)
        assert progress.completed_at < now
        assert progress.started_at <= progress.completed_at
        assert progress.enrolment.enrolled_at <= progress.completed_at, progress
    for certificate in Certificate.objects.all():
        assert certificate.issued_at < now
        assert certificate.enrolment.completed_at is not None


def test_people_at_every_stage(seeded):
    # Certified advocates, one expired, one renewing.
    assert employee_advocate_certificate(employee=_person("staff26")) is not None
    assert Certificate.objects.filter(advocate=True, expires_at__gt=timezone.now())
    assert employee_expired_certificate(employee=_person("staff16")) is not None
    assert employee_advocate_certificate(employee=_person("staff16")) is None
    renewing = _timeline("staff16", BRAND_SLUG)
    assert ModuleStatus.DUE_AGAIN in renewing.values()

    # Pre-boarding: nothing done, the first module not even open yet.
    laura = _person("staff01")
    assert laura.status == Employee.Status.PRE_HIRE
    assert set(_timeline("staff01").values()) == {ModuleStatus.UPCOMING}
    oliver = _timeline("staff02")
    assert oliver[PRE] == ModuleStatus.AVAILABLE
    assert ModuleStatus.DONE not in oliver.values()

    # Overdue: stalled in her first month.
    assert ModuleStatus.OVERDUE in _timeline("staff18").values()

    # The demo employee is mid-path: some done, something to do now, more to come.
    irene = set(_timeline("staff04").values())
    assert {ModuleStatus.DONE, ModuleStatus.UPCOMING} <= irene
    assert irene & {ModuleStatus.AVAILABLE, ModuleStatus.OVERDUE}

    # Completed the welcome path.
    assert Enrolment.objects.filter(
        employee=_person("staff08"), path__slug=WELCOME_SLUG, completed_at__isnull=False
    ).exists()

    # Everyone is on the welcome path; only volunteers on the brand one.
    welcome = Enrolment.objects.filter(path__slug=WELCOME_SLUG)
    assert welcome.count() == Employee.objects.count()
    assert Enrolment.objects.filter(path__slug=BRAND_SLUG).count() < 15

    # Enough pulse answers for the reports to show something.
    assert PulseResponse.objects.count() >= 5


def test_the_demo_manager_has_an_open_welcome_meeting(seeded):
    manager = _person("lead.fd.mad")
    tasks = employee_tasks(employee=manager)
    open_meetings = [
        t for t in tasks if not t.done and t.role == ModulePage.TaskFor.MANAGER
    ]
    assert open_meetings
    assert any(t.state.is_open for t in open_meetings)
    assert any(t.done for t in tasks)
    assert reflections_shared_with(employee=manager).exists()
