"""Everything stored about one person, as JSON they can download (right of access).

Only the person's own rows: nothing another person wrote, and nothing that
identifies anyone else. Visitors to their links appear as counts, never as
hashes; invitations as dates, never as token hashes; pulse answers are not
linked to anyone, so there is nothing of theirs to show.

``COVERED`` and ``EXCLUDED`` name every relation from a person (their
``Employee`` or ``User``, and the rows hanging off their enrolments and
tracked links) to another model. A test fails when a new relation appears in
neither, so a model that stores something about people cannot be added without
deciding whether it goes into this export.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Q
from django.utils import timezone

from advocacy.models import (
    AdvocacyConsent,
    Badge,
    BadgeAward,
    Click,
    MilestonePrompt,
    Notification,
    PointsEntry,
    Share,
    TrackedLink,
)
from advocacy.selectors import suggestions_of
from onboarding.models import (
    Acknowledgement,
    Certificate,
    CheckAttempt,
    DigestOptOut,
    Enrolment,
    ModuleProgress,
    PulseSubmission,
    Reflection,
    Reminder,
)
from onboarding.selectors import check_questions, module_release_date
from people.dates import date_add
from people.models import Employee, Invitation

from .selectors import certificate_status

FORMAT_VERSION = 1
PULSE_ANSWERS_NOTE = "not linked to you: stored anonymously"

# Relation ("app.Model.field" pointing at a person) -> where the export has it.
COVERED: dict[str, str] = {
    "people.Employee.user": "profile",
    "people.User_groups.user": "account.roles",
    "people.User_user_permissions.user": "account.permissions",
    "account.EmailAddress.user": "account.email_addresses",
    "mfa.Authenticator.user": "account.two_factor_methods",
    "people.Invitation.employee": "invitations",
    "onboarding.Enrolment.employee": "onboarding.enrolments",
    "onboarding.ModuleProgress.enrolment": "onboarding.enrolments.modules",
    "onboarding.CheckAttempt.enrolment": "onboarding.knowledge_check_attempts",
    "onboarding.Acknowledgement.enrolment": "onboarding.acknowledgements",
    "onboarding.Reflection.enrolment": "onboarding.reflections",
    "onboarding.PulseSubmission.enrolment": "onboarding.pulse_surveys_answered",
    "onboarding.Certificate.enrolment": "onboarding.certificates",
    "onboarding.Reminder.employee": "onboarding.reminders",
    "onboarding.DigestOptOut.employee": "onboarding.weekly_digest",
    "advocacy.AdvocacyConsent.employee": "advocacy.consent",
    "advocacy.TrackedLink.employee": "advocacy.tracked_links",
    "advocacy.Share.employee": "advocacy.shares",
    "advocacy.Share.link": "advocacy.shares",
    "advocacy.Click.link": "advocacy.clicks_per_link_per_day",
    "advocacy.PointsEntry.employee": "advocacy.points",
    "advocacy.BadgeAward.employee": "advocacy.badges",
    "advocacy.MilestonePrompt.employee": "advocacy.milestone_prompts",
    "advocacy.BrandPost.suggested_by": "advocacy.suggestions",
    "advocacy.Notification.user": "notifications",
}

_EDITORIAL = (
    "Wagtail editorial history of the organisation's content (pages, posts, "
    "files), not data about the person"
)
_ADMIN_STATE = "Wagtail admin bookkeeping (editing sessions, form drafts)"
_COMMENTS = "comments on drafts in the admin: conversations about content"

# Relation -> why it is not in the export.
EXCLUDED: dict[str, str] = {
    "people.Employee.manager": (
        "the people who report to them: those profiles are the reports' data"
    ),
    "people.Employee.buddy": "the people they buddy: those profiles are theirs",
    "people.Invitation.invited_by": (
        "invitations they sent as HR belong to the invited people's data"
    ),
    "people.PeopleImport.uploaded_by": (
        "CSV imports they uploaded as HR hold other people's data"
    ),
    "onboarding.Enrolment.enrolled_by": (
        "enrolments they made as HR belong to the enrolled people's data"
    ),
    "onboarding.ModuleProgress.completed_by": (
        "tasks they completed for someone else (e.g. a welcome 1:1) are that "
        "person's progress"
    ),
    "advocacy.BrandPost.locked_by": _EDITORIAL,
    "wagtail_localize.StringTranslation.last_translated_by": _EDITORIAL,
    "wagtail_localize.SegmentOverride.last_translated_by": _EDITORIAL,
    "wagtailusers.UserProfile.user": (
        "Wagtail admin interface preferences (theme, admin notifications), "
        "shown to them on the admin's account page"
    ),
    "wagtaildocs.Document.uploaded_by_user": _EDITORIAL,
    "wagtailimages.Image.uploaded_by_user": _EDITORIAL,
    "wagtailcore.UploadedFile.uploaded_by_user": _EDITORIAL,
    "wagtailadmin.EditingSession.user": _ADMIN_STATE,
    "wagtailadmin.FormState.user": _ADMIN_STATE,
    "wagtailcore.APIToken.user": "API credentials: never exported",
    "wagtailcore.ModelLogEntry.user": _EDITORIAL,
    "wagtailcore.PageLogEntry.user": _EDITORIAL,
    "wagtailcore.Revision.user": _EDITORIAL,
    "wagtailcore.WorkflowState.requested_by": _EDITORIAL,
    "wagtailcore.TaskState.finished_by": _EDITORIAL,
    "wagtailcore.Page.locked_by": _EDITORIAL,
    "wagtailcore.Page.owner": _EDITORIAL,
    "wagtailcore.Comment.user": _COMMENTS,
    "wagtailcore.Comment.resolved_by": _COMMENTS,
    "wagtailcore.CommentReply.user": _COMMENTS,
    "wagtailcore.PageSubscription.user": "admin comment-notification settings",
}

# Models whose rows belong to one person, so relations to them count too.
PERSONAL_MODELS = (
    "people.Employee",
    "people.User",
    "onboarding.Enrolment",
    "advocacy.TrackedLink",
)


def export_filename(*, today: dt.date) -> str:
    return f"cimientos-my-data-{today.isoformat()}.json"


def employee_data_json(*, employee: Employee, now: dt.datetime | None = None) -> str:
    """The export as UTF-8 JSON text: ISO dates, keys in a fixed order."""
    return json.dumps(
        employee_data_export(employee=employee, now=now),
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        indent=2,
    )


def employee_data_export(
    *, employee: Employee, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Everything stored about ``employee``, section by section."""
    now = now or timezone.now()
    employee = Employee.objects.select_related(
        "user", "department", "team", "manager", "buddy"
    ).get(pk=employee.pk)
    return {
        "about": {
            "format": "cimientos-personal-data",
            "version": FORMAT_VERSION,
            "generated_at": now,
            "person": employee.full_name,
        },
        "profile": _profile(employee),
        "account": _account(employee),
        "invitations": _invitations(employee),
        "onboarding": _onboarding(employee, now),
        "advocacy": _advocacy(employee),
        "notifications": _notifications(employee),
    }


def _name(person: Employee | None) -> str | None:
    return person.full_name if person else None


def _profile(employee: Employee) -> dict[str, Any]:
    user = employee.user
    return {
        "full_name": employee.full_name,
        "preferred_name": employee.preferred_name,
        "email": user.email,
        "preferred_language": employee.preferred_language,
        "timezone": employee.timezone,
        "job_title": employee.job_title,
        "location": employee.location,
        "department": employee.department.name if employee.department else None,
        "team": employee.team.name if employee.team else None,
        "manager": _name(employee.manager),
        "buddy": _name(employee.buddy),
        "start_date": employee.start_date,
        "status": employee.status,
        "account_created": user.date_joined,
        "last_sign_in": user.last_login,
        "active": user.is_active,
    }


def _account(employee: Employee) -> dict[str, Any]:
    user = employee.user
    return {
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "permissions": sorted(
            f"{app}.{codename}"
            for app, codename in user.user_permissions.values_list(
                "content_type__app_label", "codename"
            )
        ),
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        # Which methods, never their secrets.
        "two_factor_methods": [
            {"type": a.type, "added": a.created_at, "last_used": a.last_used_at}
            for a in Authenticator.objects.filter(user=user).order_by("pk")
        ],
    }


def _invitations(employee: Employee) -> list[dict[str, Any]]:
    return [
        {"sent": i.created_at, "expires": i.expires_at, "accepted": i.accepted_at}
        for i in Invitation.objects.filter(employee=employee).order_by(
            "created_at", "pk"
        )
    ]


def _onboarding(employee: Employee, now: dt.datetime) -> dict[str, Any]:
    mine = {"enrolment__employee": employee}
    progress: dict[int, list[dict[str, Any]]] = {}
    for row in (
        ModuleProgress.objects.filter(**mine)
        .select_related("module")
        .order_by("module__path", "pk")
    ):
        progress.setdefault(row.enrolment_id, []).append(
            _module_progress(row, employee)
        )
    enrolments = [
        {
            "path": e.path.title,
            "source": e.source,
            "reason": e.reason,
            "enrolled": e.enrolled_at,
            "completed": e.completed_at,
            "withdrawn": e.withdrawn_at,
            "withdrawal_reason": e.withdrawal_reason,
            "modules": progress.get(e.pk, []),
        }
        for e in Enrolment.objects.filter(employee=employee)
        .select_related("path")
        .order_by("enrolled_at", "pk")
    ]
    opt_out = DigestOptOut.objects.filter(employee=employee).first()
    return {
        "enrolments": enrolments,
        "knowledge_check_attempts": [
            _attempt(a)
            for a in CheckAttempt.objects.filter(**mine)
            .select_related("module", "enrolment__path")
            .order_by("started_at", "pk")
        ],
        "acknowledgements": [
            {
                "path": a.enrolment.path.title,
                "module": a.module.title,
                "acknowledged": a.acknowledged_at,
                "revision_of": a.revision.created_at if a.revision else None,
            }
            for a in Acknowledgement.objects.filter(**mine)
            .select_related("module", "enrolment__path", "revision")
            .order_by("acknowledged_at", "pk")
        ],
        "reflections": [
            {
                "path": r.enrolment.path.title,
                "module": r.module.title,
                "text": r.text,
                "shared_with_manager_and_buddy": r.shared,
                "updated": r.updated_at,
            }
            for r in Reflection.objects.filter(**mine)
            .select_related("module", "enrolment__path")
            .order_by("updated_at", "pk")
        ],
        "pulse_surveys_answered": [
            {
                "path": p.enrolment.path.title,
                "module": p.module.title,
                "month": timezone.localtime(p.submitted_at).strftime("%Y-%m"),
            }
            for p in PulseSubmission.objects.filter(**mine)
            .select_related("module", "enrolment__path")
            .order_by("submitted_at", "pk")
        ],
        "pulse_answers": PULSE_ANSWERS_NOTE,
        "certificates": [
            {
                "path": c.enrolment.path.title,
                "code": c.code,
                "advocate": c.advocate,
                "issued": c.issued_at,
                "expires": c.expires_at,
                "status": certificate_status(certificate=c, now=now),
            }
            for c in Certificate.objects.filter(**mine)
            .select_related("enrolment__path")
            .order_by("issued_at", "pk")
        ],
        # Which emails were prepared and when; what they listed is not kept here
        # (a manager's task email lists other people).
        "reminders": [
            {"kind": r.kind, "created": r.created_at, "sent": r.sent_at}
            for r in Reminder.objects.filter(employee=employee).order_by(
                "created_at", "pk"
            )
        ],
        "weekly_digest": {
            "opted_out": opt_out is not None,
            "opted_out_at": opt_out.opted_out_at if opt_out else None,
        },
    }


def _module_progress(row: ModuleProgress, employee: Employee) -> dict[str, Any]:
    module = row.module
    due = None
    if employee.start_date:
        release = module_release_date(start_date=employee.start_date, module=module)
        due = date_add(release, module.due_days)
    return {
        "module": module.title,
        "started": row.started_at,
        "completed": row.completed_at,
        "due": due,
        "reopened": row.reopened_at,
        "due_again_by": row.due_override,
        "extra_attempts": row.extra_attempts,
    }


def _attempt(attempt: CheckAttempt) -> dict[str, Any]:
    """The answers as the words the person chose (ids when since removed)."""
    questions = {
        q.id: q
        for q in check_questions(
            source=attempt.module, display=attempt.module, layout=attempt.layout
        )
    }
    answers = []
    for question_id, chosen in (attempt.answers or {}).items():
        question = questions.get(question_id)
        options = {o.id: o.text for o in question.options} if question else {}
        answers.append(
            {
                "question": question.text if question else question_id,
                "answer": [options.get(option, option) for option in chosen],
            }
        )
    return {
        "path": attempt.enrolment.path.title,
        "module": attempt.module.title,
        "attempt": attempt.number,
        "started": attempt.started_at,
        "submitted": attempt.submitted_at,
        "score_percent": attempt.score,
        "passed": attempt.passed,
        "answers": answers,
    }


def _advocacy(employee: Employee) -> dict[str, Any]:
    consent = AdvocacyConsent.objects.filter(employee=employee).first()
    badge_labels = dict(Badge.choices)
    reasons = dict(PointsEntry.Reason.choices)
    real = Q(preview=False)
    clicks = (
        Click.objects.filter(link__employee=employee)
        .values("link__code", "link__post__title", "link__network", "day")
        .annotate(
            clicks=Count("pk", filter=real),
            unique_visitors=Count("visitor", filter=real, distinct=True),
            previews=Count("pk", filter=Q(preview=True)),
        )
        .order_by("day", "link__code")
    )
    return {
        "consent": (
            {
                "opted_in": consent.opted_in_at,
                "opted_out": consent.opted_out_at,
                "on_leaderboards": consent.on_leaderboards,
                "visible_to_manager": consent.visible_to_manager,
                "mastodon_instance": consent.mastodon_instance,
            }
            if consent
            else None
        ),
        "tracked_links": [
            {
                "code": link.code,
                "post": link.post.title,
                "network": link.network,
                "created": link.created_at,
            }
            for link in TrackedLink.objects.filter(employee=employee)
            .select_related("post")
            .order_by("created_at", "pk")
        ],
        "shares": [
            {
                "post": s.post.title,
                "network": s.network,
                "link": s.link.code,
                "caption": s.caption,
                "personalised": s.personalised,
                "shared": s.created_at,
            }
            for s in Share.objects.filter(employee=employee)
            .select_related("post", "link")
            .order_by("created_at", "pk")
        ],
        # Counts only: each visitor's anonymous id is about someone else.
        "clicks_per_link_per_day": [
            {
                "link": row["link__code"],
                "post": row["link__post__title"],
                "network": row["link__network"],
                "day": row["day"],
                "clicks": row["clicks"],
                "unique_visitors": row["unique_visitors"],
                "previews": row["previews"],
            }
            for row in clicks
        ],
        # Ledger keys are left out: a click's key holds its visitor's id.
        "points": [
            {
                "at": p.at,
                "reason": p.reason,
                "reason_label": str(reasons.get(p.reason, p.reason)),
                "points": p.points,
                "post": p.post.title if p.post else None,
                "day": p.day,
            }
            for p in PointsEntry.objects.filter(employee=employee)
            .select_related("post")
            .order_by("at", "pk")
        ],
        "badges": [
            {
                "badge": b.badge,
                "label": str(badge_labels.get(b.badge, b.badge)),
                "campaign": b.campaign.name if b.campaign else None,
                "awarded": b.awarded_at,
            }
            for b in BadgeAward.objects.filter(employee=employee)
            .select_related("campaign")
            .order_by("awarded_at", "pk")
        ],
        "milestone_prompts": [
            {
                "kind": m.kind,
                "subject": m.subject,
                "ref": m.ref,
                "offered": m.created_at,
                "closed": m.closed_at,
            }
            for m in MilestonePrompt.objects.filter(employee=employee).order_by(
                "created_at", "pk"
            )
        ],
        "suggestions": [
            {
                "title": post.title,
                "url": post.url,
                "status": post.suggestion_status,
                "suggested": post.created_at,
            }
            for post in suggestions_of(employee=employee).order_by("created_at", "pk")
        ],
    }


def _notifications(employee: Employee) -> list[dict[str, Any]]:
    return [
        {"kind": n.kind, "data": n.data, "created": n.created_at, "read": n.read_at}
        for n in Notification.objects.filter(user_id=employee.user_id).order_by(
            "created_at", "pk"
        )
    ]
