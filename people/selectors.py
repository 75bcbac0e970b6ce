"""Reads about people: the reporting line (one recursive query at any depth) and
who may change whom."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from . import roles
from .models import Employee, User

_TABLE = Employee._meta.db_table

# UNION (not UNION ALL) drops rows already seen, so even corrupt data with a
# cycle cannot make the recursion run forever.
_REPORTS_SQL = f"""
WITH RECURSIVE line(id) AS (
    SELECT id FROM {_TABLE} WHERE manager_id = %s
    UNION
    SELECT e.id FROM {_TABLE} e JOIN line ON e.manager_id = line.id
)
SELECT id FROM line
"""  # noqa: S608 - table name is ours, values are parameters

# PostgreSQL cannot tell how few people each round of the recursion finds, so
# it joins every round against the whole table (a hash join over a sequential
# scan): ~15 ms for a line of 500 in 10,000 people. A LATERAL subquery that
# cannot be flattened (OFFSET 0) makes each round an index lookup per manager
# found instead: ~1 ms. SQLite already plans it that way and has no LATERAL.
_REPORTS_SQL_POSTGRESQL = f"""
WITH RECURSIVE line(id) AS (
    SELECT id FROM {_TABLE} WHERE manager_id = %s
    UNION
    SELECT e.id FROM line CROSS JOIN LATERAL (
        SELECT id FROM {_TABLE} WHERE manager_id = line.id OFFSET 0
    ) e
)
SELECT id FROM line
"""  # noqa: S608

_CHAIN_SQL = f"""
WITH RECURSIVE chain(id, manager_id) AS (
    SELECT id, manager_id FROM {_TABLE} WHERE id = %s
    UNION
    SELECT e.id, e.manager_id FROM {_TABLE} e JOIN chain ON e.id = chain.manager_id
)
SELECT id FROM chain
"""  # noqa: S608


def employee_reporting_line(*, manager: Employee) -> QuerySet[Employee]:
    """Everyone who reports to ``manager`` directly or indirectly (one query)."""
    sql = _REPORTS_SQL_POSTGRESQL if connection.vendor == "postgresql" else _REPORTS_SQL
    reports = RawSQL(sql, [manager.pk])  # noqa: S611 - parameterised
    return Employee.objects.filter(id__in=reports)


def employee_chain_of_command(*, employee_id: int) -> set[int]:
    """The ids of ``employee_id`` and everyone above them, in one query."""
    with connection.cursor() as cursor:
        cursor.execute(_CHAIN_SQL, [employee_id])
        return {row[0] for row in cursor.fetchall()}


def employee_is_manager(*, employee: Employee) -> bool:
    return Employee.objects.filter(manager=employee).exists()


# Who may change whom ----------------------------------------------------------


def _roles_covered(*, actor: User) -> set[str] | None:
    """The groups ``actor`` counts as having; ``None`` means all of them."""
    if actor.is_superuser:
        return None
    held = set(actor.groups.values_list("name", flat=True))
    if roles.ADMINISTRATOR in held:
        return None
    for name in list(held):
        held.update(roles.ROLE_INCLUDES.get(name, []))
    return held | set(roles.PLAIN_ROLES)


def users_beyond_reach(*, actor: User) -> QuerySet[User]:
    """People ``actor`` may not edit, invite, import or give roles to: the one rule.

    Someone with rights over others (a group beyond Employee and Manager,
    permissions of their own, superuser) may only be changed by someone who has
    at least those rights: otherwise an HR editor could give an Administrator's
    account their own email address, invite it and sign in as them. An
    Administrator covers every group; only a superuser covers a superuser.
    """
    if actor.is_superuser:
        return User.objects.none()
    beyond = Q(is_superuser=True)
    covered = _roles_covered(actor=actor)
    if covered is not None:
        beyond |= Q(groups__in=Group.objects.exclude(name__in=covered))
    own = Permission.objects.filter(Q(user=actor) | Q(group__user=actor))
    beyond |= Q(user_permissions__in=Permission.objects.exclude(pk__in=own))
    return User.objects.filter(pk__in=User.objects.filter(beyond).values("pk"))


def user_manage_allowed(*, actor: User, user: User) -> bool:
    return not users_beyond_reach(actor=actor).filter(pk=user.pk).exists()


def employee_manage_allowed(*, actor: User, employee: Employee) -> bool:
    """Whether ``actor`` may change who ``employee`` is (see users_beyond_reach)."""
    return user_manage_allowed(actor=actor, user=employee.user)


def groups_grant_allowed(*, actor: User, groups: Iterable[Group]) -> bool:
    """Whether ``actor`` may give these groups: only ones they count as having."""
    covered = _roles_covered(actor=actor)
    return covered is None or all(group.name in covered for group in groups)


def manage_refused_message(*, employee: Employee) -> str:
    return _(
        "%(name)s has rights you do not have: only someone with at least the same "
        "roles can change their profile, sign-in email or invitations."
    ) % {"name": employee}
