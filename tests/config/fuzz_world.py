"""A small organisation with one of everything, for tests that visit every page.

Built with factories and services in a second or two: people in each role, a
path whose modules ask for each kind of activity, a published brand post with
its shares, clicks and notifications, a campaign, a certificate, an image and a
document. Path parameters of the URLConf are filled from it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Locale, Page

from advocacy.models import (
    AdvocacyConsent,
    BrandPost,
    Campaign,
    Click,
    MilestonePrompt,
    Network,
    Notification,
    PointsEntry,
    Topic,
    TrackedLink,
)
from identity.models import CultureIndexPage, CulturePage, HomePage, Value
from onboarding.models import (
    Certificate,
    CheckAttempt,
    Enrolment,
    ModulePage,
    PathIndexPage,
    PathPage,
    PulseResponse,
)
from people import roles
from people.models import Employee, Invitation, PeopleImport, User
from tests.factories import (
    DepartmentFactory,
    EmployeeFactory,
    TeamFactory,
    UserFactory,
    admin_ready,
)

# Each role a signed-in person can have, with the groups that make it.
ROLE_GROUPS: dict[str, list[str]] = {
    "employee": [],
    "new hire": [],
    "manager": [roles.MANAGER],
    "HR editor": [roles.HR_EDITOR],
    "HR lead": [roles.HR_EDITOR, roles.HR_LEAD],
    "Communications approver": [roles.COMMS_APPROVER],
    "Administrator": [roles.ADMINISTRATOR],
}

QUESTIONS = [
    (
        "question",
        {
            "question": "Who is a guest?",
            "multiple": False,
            "options": [
                {"text": "Everyone", "correct": True, "feedback": ""},
                {"text": "Only VIPs", "correct": False, "feedback": ""},
            ],
        },
    )
]


@dataclass
class World:
    people: dict[str, Employee]
    home: HomePage
    path: PathPage
    module: ModulePage
    check_module: ModulePage
    attempt: CheckAttempt
    enrolment: Enrolment
    certificate: Certificate
    post: BrandPost
    campaign: Campaign
    topic: Topic
    notification: Notification
    prompt: MilestonePrompt
    image: object
    document: object
    people_import: PeopleImport
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def users(self) -> dict[str, User]:
        return {role: person.user for role, person in self.people.items()}


def _publish(parent: Page, page: Page) -> Page:
    page = parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def world_build() -> World:
    """One of everything; admin roles are past the MFA gate."""
    from onboarding.services import attempt_start, enrolment_create
    from people.services import invitation_send

    today = timezone.localdate()
    now = timezone.now()
    department = DepartmentFactory(name="Operaciones")
    team = TeamFactory(name="Recepción", department=department)

    people: dict[str, Employee] = {}
    for role, groups in ROLE_GROUPS.items():
        slug = role.lower().replace(" ", "-")
        user = UserFactory(email=f"{slug}@example.com", roles=groups)
        if any(group in roles.ADMIN_ROLES for group in groups):
            admin_ready(user)
        people[role] = EmployeeFactory(
            user=user,
            full_name=f"{role.title()} Person",
            department=department,
            team=team,
            start_date=today - dt.timedelta(days=3 if role == "new hire" else 400),
        )
    manager = people["manager"]
    for role in ("employee", "new hire"):
        people[role].manager = manager
        people[role].buddy = people["employee"] if role == "new hire" else None
        people[role].save()

    home = HomePage.objects.get(locale__language_code="es")
    culture = _publish(home, CultureIndexPage(title="Quiénes somos", slug="quienes"))
    _publish(culture, CulturePage(title="Misión", slug="mision", summary="Cuidar."))
    value = Value.objects.create(
        name="Cercanía", statement="Por su nombre.", locale=Locale.get_default()
    )
    index = _publish(home, PathIndexPage(title="Itinerarios", slug="itinerarios"))
    path = _publish(
        index,
        PathPage(title="Bienvenida", slug="bienvenida", grants_certification=True),
    )
    module = _publish(
        path,
        ModulePage(
            title="Primer día",
            slug="primer-dia",
            release_day=-7,
            reflection_prompt="¿Qué te sorprendió?",
            body=[
                (
                    "policy",
                    {"title": "Código", "text": "<p>Lo cumplo.</p>", "document": None},
                )
            ],
            pulse_questions=[("scale", {"question": "Me siento bienvenido."})],
            pulse_enps=True,
        ),
    )
    check_module = _publish(
        path,
        ModulePage(title="Prueba", slug="prueba", release_day=1, questions=QUESTIONS),
    )
    _publish(
        path,
        ModulePage(
            title="Charla 1:1",
            slug="charla",
            release_day=1,
            task_for=ModulePage.TaskFor.MANAGER,
            task_description="Una charla de bienvenida.",
        ),
    )
    for person in people.values():
        enrolment_create(employee=person, path=path)
    new_hire = people["new hire"]
    enrolment = Enrolment.objects.get(employee=new_hire, path=path)
    attempt = attempt_start(employee=new_hire, module=check_module)
    PulseResponse.objects.create(
        module=module, path=path, department=department, month=today.replace(day=1)
    )
    certificate = Certificate.objects.create(
        enrolment=Enrolment.objects.get(employee=people["employee"], path=path),
        issued_at=now - dt.timedelta(days=10),
        expires_at=now + dt.timedelta(days=300),
        advocate=True,
    )

    topic = Topic.objects.create(name="Hoteles")
    campaign = Campaign.objects.create(
        name="Verano",
        slug="verano",
        starts_on=today - dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=20),
    )
    post = BrandPost.objects.create(
        title="Abrimos en Sevilla",
        commentary="Nuestro nuevo hotel.",
        url="https://brisa.example/sevilla",
        language="es",
        caption_linkedin="Ya abrimos en Sevilla.",
        live=True,
        campaign=campaign,
    )
    post.topics.add(topic)
    post.save_revision()
    advocate = people["employee"]
    AdvocacyConsent.objects.create(employee=advocate, opted_in_at=now)
    link = TrackedLink.objects.create(
        employee=advocate, post=post, network=Network.LINKEDIN
    )
    link.shares.create(
        employee=advocate, post=post, network=Network.LINKEDIN, caption="Mira"
    )
    Click.objects.create(
        link=link, at=now, day=today, network=Network.LINKEDIN, visitor="v1"
    )
    PointsEntry.objects.create(
        employee=advocate, reason="share", points=5, at=now, key="fuzz:share"
    )
    notification = Notification.objects.create(
        user=advocate.user, kind=Notification.Kind.SUGGESTION, data={}
    )
    prompt = MilestonePrompt.objects.create(
        employee=advocate, kind=MilestonePrompt.Kind.FIRST_MONTH, created_at=now
    )

    image = get_image_model().objects.create(title="Logo", file=get_test_image_file())
    document = get_document_model().objects.create(
        title="Política", file=ContentFile(b"Policy text", name="politica.txt")
    )
    people_import = PeopleImport.objects.create(uploaded_by=people["HR editor"].user)
    pending = EmployeeFactory(
        user=UserFactory(email="pending@example.com", verified=False),
        status=Employee.Status.PRE_HIRE,
    )
    invitation_send(employee=pending, invited_by=people["HR editor"].user)
    return World(
        people=people,
        home=home,
        path=path,
        module=module,
        check_module=check_module,
        attempt=attempt,
        enrolment=enrolment,
        certificate=certificate,
        post=post,
        campaign=campaign,
        topic=topic,
        notification=notification,
        prompt=prompt,
        image=image,
        document=document,
        people_import=people_import,
        extra={
            "value": value,
            "invitation": Invitation.objects.filter(employee=pending).first(),
        },
    )


# The first and last days a date column can hold, and the moments at either end
# that every time zone can still show (UTC midnight of 0001-01-02 and of
# 9999-12-30: a day from the edge, so Madrid's or Tokyo's local time exists).
FIRST_DAY = dt.date.min
LAST_DAY = dt.date.max
FIRST_MOMENT = dt.datetime(1, 1, 2, tzinfo=dt.UTC)
LAST_MOMENT = dt.datetime(9999, 12, 30, tzinfo=dt.UTC)


def world_dates_at_the_ends(
    world: World, *, signed_in_too: bool = True
) -> dict[str, Employee]:
    """Store dates at the ends of the calendar, as a bad import or a typo would.

    Straight into the database, past every form: two more people in the
    manager's team who start on 0001-01-01 and 9999-12-31, and a certificate,
    a campaign, pulse answers, clicks, points and a policy due date at the
    ends. With ``signed_in_too``, the employee and the new hire start on those
    days as well and the modules are released on the first and last days a
    module allows (which leaves no module open to anyone).
    """
    from advocacy.models import BadgeAward, Share
    from onboarding.models import ModuleProgress
    from onboarding.services import enrolment_create

    manager = world.people["manager"]
    ancient = EmployeeFactory(
        user=UserFactory(email="ancient@example.com"),
        full_name="Ancient Start",
        start_date=FIRST_DAY,
        manager=manager,
        department=manager.department,
        team=manager.team,
    )
    future = EmployeeFactory(
        user=UserFactory(email="future@example.com"),
        full_name="Future Start",
        start_date=LAST_DAY,
        manager=manager,
        department=manager.department,
        team=manager.team,
    )
    if signed_in_too:
        for role in ("employee", "new hire"):
            Employee.objects.filter(pk=world.people[role].pk).update(
                start_date=FIRST_DAY if role == "employee" else LAST_DAY
            )
        far = ModulePage.objects.filter(pk=world.check_module.pk)
        far.update(release_day=32767, due_days=32767, recurrence_days=32767)
        ModulePage.objects.filter(pk=world.module.pk).update(
            release_day=-32768, due_days=32767, recurrence_days=32767
        )
    PathPage.objects.filter(pk=world.path.pk).update(certification_valid_days=2**31 - 1)
    for person in (ancient, future):
        enrolment_create(employee=person, path=world.path)
    ModuleProgress.objects.update_or_create(
        enrolment=Enrolment.objects.get(employee=ancient, path=world.path),
        module=world.module,
        defaults={"completed_at": FIRST_MOMENT},
    )
    ModuleProgress.objects.update_or_create(
        enrolment=Enrolment.objects.get(employee=future, path=world.path),
        module=world.module,
        defaults={
            "started_at": LAST_MOMENT,
            "reopened_at": LAST_MOMENT,
            "due_override": LAST_DAY,
        },
    )
    Enrolment.objects.filter(employee=ancient).update(
        enrolled_at=FIRST_MOMENT, completed_at=FIRST_MOMENT
    )
    Enrolment.objects.filter(employee=future).update(enrolled_at=LAST_MOMENT)
    Certificate.objects.filter(pk=world.certificate.pk).update(
        issued_at=FIRST_MOMENT, expires_at=LAST_MOMENT
    )
    Certificate.objects.create(
        enrolment=Enrolment.objects.get(employee=ancient, path=world.path),
        issued_at=FIRST_MOMENT,
        expires_at=FIRST_MOMENT,
        advocate=True,
    )
    Campaign.objects.filter(pk=world.campaign.pk).update(
        starts_on=FIRST_DAY, ends_on=LAST_DAY
    )
    Campaign.objects.create(
        name="Siempre", slug="siempre", starts_on=LAST_DAY, ends_on=LAST_DAY
    )
    Campaign.objects.create(
        name="Nunca", slug="nunca", starts_on=FIRST_DAY, ends_on=FIRST_DAY
    )
    for month in (FIRST_DAY, LAST_DAY.replace(day=1)):
        PulseResponse.objects.create(
            module=world.module,
            path=world.path,
            department=manager.department,
            month=month,
            scores={"enps": 10},
        )
    link = TrackedLink.objects.get(employee=world.people["employee"], post=world.post)
    for moment in (FIRST_MOMENT, LAST_MOMENT):
        Click.objects.create(
            link=link,
            at=moment,
            day=moment.date(),
            network=Network.LINKEDIN,
            visitor=f"v{moment.year}",
        )
        PointsEntry.objects.create(
            employee=world.people["employee"],
            reason="click",
            points=1,
            at=moment,
            day=moment.date(),
            key=f"fuzz:click:{moment.year}",
        )
    Share.objects.filter(employee=world.people["employee"]).update(
        created_at=LAST_MOMENT
    )
    BadgeAward.objects.create(
        employee=world.people["employee"], badge="first_share", awarded_at=LAST_MOMENT
    )
    AdvocacyConsent.objects.filter(employee=world.people["employee"]).update(
        opted_in_at=FIRST_MOMENT
    )
    Notification.objects.filter(pk=world.notification.pk).update(
        created_at=FIRST_MOMENT
    )
    MilestonePrompt.objects.filter(pk=world.prompt.pk).update(created_at=LAST_MOMENT)
    Invitation.objects.update(expires_at=LAST_MOMENT)
    PeopleImport.objects.update(finished_at=FIRST_MOMENT)
    return {"ancient": ancient, "future": future}
