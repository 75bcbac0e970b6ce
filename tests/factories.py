from __future__ import annotations

import datetime

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from people import roles
from people.models import Department, Employee, Team, User

PASSWORD = "a-long-test-password-1"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(
                user=self,
                email=self.email,
                primary=True,
                verified=extracted is not False,
            )
            self.save()

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create:
            names = [roles.EMPLOYEE, *(extracted or [])]
            self.groups.add(*Group.objects.filter(name__in=names))


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Department {n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    department = factory.SubFactory(DepartmentFactory)


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    user = factory.SubFactory(UserFactory)
    full_name = factory.Sequence(lambda n: f"Person Number{n}")
    preferred_language = "en"
    start_date = factory.LazyFunction(lambda: datetime.date(2026, 1, 12))
    status = Employee.Status.ACTIVE


def admin_ready(user: User) -> User:
    """Pass /admin/'s MFA gate (a TOTP device) and see the admin in English."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from wagtail.users.models import UserProfile

    TOTP.activate(user, generate_totp_secret())
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user
