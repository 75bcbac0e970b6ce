"""Writes about people: profiles, reporting lines and invitations."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import roles, selectors
from .models import Employee, Invitation, User, UserManager


def user_create(*, email: str, password: str | None = None) -> User:
    email = UserManager.normalize_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("A user with this email already exists.")})
    user = User.objects.create_user(email=email, password=password)
    if password is None:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name=roles.EMPLOYEE))
    return user


@transaction.atomic
def employee_create(
    *,
    email: str,
    full_name: str,
    password: str | None = None,
    start_date: date | None = None,
    refresh_roles: bool = True,
    **fields,
) -> Employee:
    """Create a person with a sign-in (no usable password unless given).

    ``refresh_roles=False`` lets a bulk caller run ``manager_roles_sync`` once
    at the end instead of once per person.
    """
    user = user_create(email=email, password=password)
    employee = Employee(user=user, full_name=full_name, start_date=start_date, **fields)
    employee.full_clean(exclude=["user"])
    employee.save()
    if employee.manager_id and refresh_roles:
        manager_roles_sync()
    return employee


@transaction.atomic
def employee_update(
    *, employee: Employee, refresh_roles: bool = True, **fields
) -> Employee:
    previous_manager = (
        Employee.objects.filter(pk=employee.pk).values_list("manager_id", flat=True)
    ).first()
    for name, value in fields.items():
        setattr(employee, name, value)
    employee.full_clean(exclude=["user"])
    employee.save()
    if employee.manager_id != previous_manager and refresh_roles:
        manager_roles_sync()
    return employee


def manager_roles_sync() -> None:
    """Anyone with reports is in the Manager group, and nobody else is.

    Set-based (two reads, one insert, one delete) so it stays cheap after a
    large CSV import too.
    """
    group = Group.objects.get(name=roles.MANAGER)
    through = User.groups.through
    managers = set(
        Employee.objects.filter(reports__isnull=False)
        .values_list("user_id", flat=True)
        .distinct()
    )
    members = set(through.objects.filter(group=group).values_list("user_id", flat=True))
    through.objects.bulk_create(
        [through(user_id=uid, group=group) for uid in managers - members]
    )
    through.objects.filter(group=group, user_id__in=members - managers).delete()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_send(
    *, employee: Employee, invited_by: User | None = None
) -> Invitation:
    """Create an invitation and email its link once the transaction commits.

    The link signs the person in, so only someone who may change who they are
    may send it (``invited_by``; ``None`` is an operator's shell).
    """
    _manage_check(actor=invited_by, employee=employee)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        employee=employee,
        token_hash=_token_hash(token),
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_MAX_AGE_DAYS),
    )
    link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
        "people:invitation", kwargs={"token": token}
    )

    def send() -> None:
        with translation.override(employee.preferred_language):
            context = {
                "employee": employee,
                "link": link,
                "days": settings.INVITATION_MAX_AGE_DAYS,
            }
            subject = render_to_string(
                "people/email/invitation_subject.txt", context
            ).strip()
            body = render_to_string("people/email/invitation_message.txt", context)
        send_mail(subject, body, None, [employee.user.email])

    transaction.on_commit(send)
    return invitation


def invitation_find(*, token: str) -> Invitation | None:
    invitation = (
        Invitation.objects.select_related("employee__user")
        .filter(token_hash=_token_hash(token))
        .first()
    )
    if invitation is None or not invitation.is_usable:
        return None
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation) -> User:
    """Mark the invitation used and the email verified (the link proved it)."""
    from allauth.account.models import EmailAddress

    updated = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True
    ).update(accepted_at=timezone.now())
    if not updated:
        raise ValidationError(_("This invitation has already been used."))
    user = invitation.employee.user
    address, _created = EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"primary": True, "verified": True}
    )
    if not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])
    return user


def employee_set_language(*, employee: Employee, language: str) -> Employee:
    if language not in dict(Employee.Language.choices):
        raise ValidationError({"language": _("Unknown language.")})
    employee.preferred_language = language
    employee.save(update_fields=["preferred_language"])
    return employee


def _manage_check(*, actor: User | None, employee: Employee) -> None:
    if actor is not None and not selectors.employee_manage_allowed(
        actor=actor, employee=employee
    ):
        raise PermissionDenied(selectors.manage_refused_message(employee=employee))


@transaction.atomic
def employee_email_change(
    *, employee: Employee, email: str, actor: User | None
) -> Employee:
    """Change the sign-in email, as ``actor`` (``None``: an operator's shell).

    Whoever controls the sign-in email can take the account over (a sign-in
    code or a password reset goes there), so: only someone with at least the
    person's rights may do it (their view must also have asked them to
    re-authenticate), the old address is told, and every session of the person
    ends, because a session is bound to the email as to the password
    (``User.get_session_auth_hash``). allauth keeps one address per person:
    the new one, unverified until a sign-in code, the verification email of a
    password sign-in or an invitation proves it.
    """
    from allauth.account.models import EmailAddress

    _manage_check(actor=actor, employee=employee)
    user = employee.user
    email = UserManager.normalize_email(email)
    old_email = user.email
    if old_email == email:
        return employee
    if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise ValidationError({"email": _("A user with this email already exists.")})
    user.email = email
    user.save(update_fields=["email"])
    EmailAddress.objects.filter(user=user).delete()
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)

    changed_by = actor.get_full_name() if actor is not None else ""
    changed_at = timezone.now()

    def notify() -> None:
        with translation.override(employee.preferred_language):
            context = {
                "employee": employee,
                "old_email": old_email,
                "new_email": email,
                "changed_by": changed_by,
                "changed_at": changed_at,
            }
            subject = render_to_string(
                "people/email/email_changed_subject.txt", context
            ).strip()
            body = render_to_string("people/email/email_changed_message.txt", context)
        send_mail(subject, body, None, [old_email])

    transaction.on_commit(notify)
    return employee
