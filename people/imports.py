"""CSV import of people: read the whole file, validate it, then write it all or nothing.

Validation only reads the database, so a file with one bad row changes nothing
and sends no invitation. Writing happens inside one transaction; invitations
are queued with ``transaction.on_commit`` by ``invitation_send`` and therefore
leave only once every row is saved.

Progress goes to the cache, not the database: the import's transaction is not
visible to other connections until it commits, but the status page must see
the rows move while it runs.

One import runs at a time, and it reads the database inside its own
transaction: a second upload of the same file waits for the first, then finds
nothing to change.
"""

from __future__ import annotations

import csv
import io
import logging
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import OperationalError, connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import selectors, services
from .models import (
    Department,
    Employee,
    PeopleImport,
    Team,
    User,
    UserManager,
    start_date_range,
)

logger = logging.getLogger(__name__)

COLUMNS = (
    "email",
    "full_name",
    "preferred_name",
    "preferred_language",
    "department",
    "team",
    "job_title",
    "location",
    "manager_email",
    "buddy_email",
    "start_date",
    "status",
    "timezone",
)
REQUIRED_COLUMNS = ("email", "full_name")
DATE_FORMAT = "%Y-%m-%d"
NUL_MESSAGE = gettext_lazy(
    "The file contains NUL characters, so it is not CSV text: it may be a "
    "spreadsheet or UTF-16. In Excel, save it as “CSV UTF-8 (comma delimited)”."
)

VALIDATING = "validating"
WRITING = "writing"
PROGRESS_TIMEOUT = 60 * 60 * 24

# phase (VALIDATING or WRITING), rows done, rows in total
ProgressCallback = Callable[[str, int, int], None]

_PLAIN_TEXT_FIELDS = ("full_name", "preferred_name", "job_title", "location")


@dataclass(frozen=True)
class RowError:
    """A problem found in one row; row 1 is the header, as in a spreadsheet."""

    row: int
    message: str

    def __str__(self) -> str:
        return _("Row %(row)s: %(message)s") % {
            "row": self.row,
            "message": self.message,
        }

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "message": self.message}


class PeopleImportInvalid(Exception):
    """The file has errors; nothing was written."""

    def __init__(self, errors: list[RowError], total_rows: int = 0) -> None:
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = errors
        self.total_rows = total_rows


class PeopleImportBusy(Exception):
    """Another import kept the lock too long; nothing was written."""


# Any number: it only has to be the same for every import.
_LOCK_KEY = 7_412_001
# How long an import waits for the one before it (PostgreSQL; SQLite waits for
# its busy timeout).
_LOCK_WAIT = "60s"


@dataclass
class ImportResult:
    total_rows: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class _Row:
    number: int
    email: str
    # Only the columns present in the file; a blank cell in a column with a
    # default (language, status, time zone) is left out too.
    fields: dict[str, Any] = field(default_factory=dict)
    department: str | None = None
    team: str | None = None
    manager_email: str | None = None
    buddy_email: str | None = None


@dataclass
class _Plan:
    rows: list[_Row]
    columns: set[str]
    final_managers: dict[str, str | None]
    errors: list[RowError]


class _Progress:
    """Calls back every ``every`` rows and on the last one."""

    def __init__(self, callback: ProgressCallback | None, phase: str, total: int):
        self.callback = callback
        self.phase = phase
        self.total = total
        self.every = max(1, min(100, total // 20))

    def step(self, done: int) -> None:
        if self.callback and (done % self.every == 0 or done == self.total):
            self.callback(self.phase, done, self.total)


def people_import_progress_key(*, people_import_id: int) -> str:
    return f"people:import:{people_import_id}:progress"


def people_import_progress(*, people_import: PeopleImport) -> dict[str, Any]:
    """Where a running import is: ``{"phase", "done", "total"}``."""
    progress = cache.get(people_import_progress_key(people_import_id=people_import.pk))
    if progress is None:
        return {"phase": "", "done": 0, "total": people_import.total_rows}
    return progress


def people_import_start(
    *, content: str, file_name: str, uploaded_by: User | None
) -> PeopleImport:
    """Store the upload and queue the import once the upload is committed."""
    from .tasks import people_import_task

    people_import = PeopleImport.objects.create(
        content=content, file_name=file_name[:255], uploaded_by=uploaded_by
    )
    language = translation.get_language()
    transaction.on_commit(
        lambda: people_import_task.enqueue(
            people_import_id=people_import.pk, language=language
        )
    )
    return people_import


def people_import_process(
    *,
    people_import: PeopleImport,
    language: str | None = None,
    on_progress: ProgressCallback | None = None,
    operator: bool = False,
) -> PeopleImport:
    """Run a stored import and record its outcome on it.

    Error messages are written in ``language`` (the uploader's, at upload time)
    because a background worker has no request to take it from. The import acts
    as its uploader; ``operator=True`` (``manage.py import_people``) runs it
    for someone at the server's shell, who can change anyone anyway.
    """
    # A retried task must not import twice, even when both copies run at once.
    claimed = PeopleImport.objects.filter(
        pk=people_import.pk, status=PeopleImport.Status.PENDING
    ).update(status=PeopleImport.Status.RUNNING)
    if not claimed:
        people_import.refresh_from_db()
        return people_import
    people_import.status = PeopleImport.Status.RUNNING
    key = people_import_progress_key(people_import_id=people_import.pk)

    def progress(phase: str, done: int, total: int) -> None:
        cache.set(key, {"phase": phase, "done": done, "total": total}, PROGRESS_TIMEOUT)
        if on_progress is not None:
            on_progress(phase, done, total)

    with translation.override(language or translation.get_language()):
        try:
            if people_import.uploaded_by is None and not operator:
                raise PeopleImportInvalid(
                    [
                        RowError(
                            1,
                            _(
                                "The person who uploaded this file no longer has an "
                                "account, so nothing was imported."
                            ),
                        )
                    ]
                )
            result = people_import_run(
                content=people_import.content,
                actor=people_import.uploaded_by,
                on_progress=progress,
            )
        except PeopleImportInvalid as invalid:
            people_import.status = PeopleImport.Status.FAILED
            people_import.total_rows = invalid.total_rows
            people_import.errors = [error.as_dict() for error in invalid.errors]
        except PeopleImportBusy:
            people_import.status = PeopleImport.Status.FAILED
            people_import.errors = [
                {
                    "row": None,
                    "message": _(
                        "Another import was still running, so this one changed "
                        "nothing. Upload the file again when it has finished."
                    ),
                }
            ]
        except Exception:
            logger.exception("People import %s crashed", people_import.pk)
            people_import.status = PeopleImport.Status.FAILED
            people_import.errors = [
                {
                    "row": None,
                    "message": _(
                        "The import stopped because of an unexpected error. "
                        "Nothing was changed."
                    ),
                }
            ]
            people_import.finished_at = timezone.now()
            people_import.save()
            raise
        else:
            people_import.status = PeopleImport.Status.DONE
            people_import.total_rows = result.total_rows
            people_import.created_count = result.created
            people_import.updated_count = result.updated
            people_import.unchanged_count = result.unchanged
            people_import.errors = []
    people_import.finished_at = timezone.now()
    people_import.save()
    return people_import


def people_import_run(
    *,
    content: str,
    actor: User | None = None,
    on_progress: ProgressCallback | None = None,
) -> ImportResult:
    """Validate the whole file, then create or update everyone in one transaction.

    Raises ``PeopleImportInvalid`` with every row error found, having written
    nothing. New people get an invitation from ``actor`` after the transaction
    commits. ``actor`` may only change people within their reach
    (``selectors.users_beyond_reach``); ``None`` is an operator's shell.
    Raises ``PeopleImportBusy`` if another import holds the lock too long.
    """
    try:
        with transaction.atomic():
            _lock_take()
            plan = _plan_build(content=content, on_progress=on_progress)
            if plan.errors:
                raise PeopleImportInvalid(plan.errors, total_rows=len(plan.rows))
            return _plan_apply(plan=plan, actor=actor, on_progress=on_progress)
    except OperationalError as error:
        if _is_lock_wait(error):
            raise PeopleImportBusy from error
        raise


def _lock_take() -> None:
    """Wait for any import still writing (inside the caller's transaction).

    SQLite needs nothing: its transactions here begin IMMEDIATE, which takes
    the database's one write lock.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{_LOCK_WAIT}'")
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def _is_lock_wait(error: OperationalError) -> bool:
    lock_not_available = "55P03"
    return getattr(
        error.__cause__, "sqlstate", None
    ) == lock_not_available or "database is locked" in str(error)


# Reading ---------------------------------------------------------------------


def _csv_read(
    content: str,
) -> tuple[list[str], list[tuple[int, dict[str, str]]], list[RowError]]:
    """Header names and non-blank rows, numbered as a spreadsheet shows them."""
    content = content.removeprefix("\ufeff")
    if "\x00" in content:
        return [], [], [RowError(1, str(NUL_MESSAGE))]
    first_line = content.split("\n", 1)[0]
    # Spanish Excel writes semicolons; the header names contain neither.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    header_cells = next(reader, None)
    errors: list[RowError] = []
    if not header_cells or not any(cell.strip() for cell in header_cells):
        return [], [], [RowError(1, _("The file is empty."))]

    header = [cell.strip().lower().replace(" ", "_") for cell in header_cells]
    for name in header:
        if name and name not in COLUMNS:
            errors.append(
                RowError(
                    1,
                    _('Unknown column "%(column)s". The columns are: %(columns)s.')
                    % {"column": name, "columns": ", ".join(COLUMNS)},
                )
            )
        elif name and header.count(name) > 1:
            errors.append(
                RowError(1, _('Column "%(column)s" appears twice.') % {"column": name})
            )
    for name in REQUIRED_COLUMNS:
        if name not in header:
            errors.append(
                RowError(
                    1,
                    _('The required column "%(column)s" is missing.')
                    % {"column": name},
                )
            )

    rows: list[tuple[int, dict[str, str]]] = []
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        extra = [cell for cell in cells[len(header) :] if cell.strip()]
        if extra:
            errors.append(
                RowError(number, _("This row has more cells than the header row."))
            )
        values = {
            name: (cells[index].strip() if index < len(cells) else "")
            for index, name in enumerate(header)
            if name
        }
        rows.append((number, values))
    if not rows and not errors:
        errors.append(RowError(1, _("The file has a header row but no people.")))
    return [name for name in header if name], rows, errors


# Validating ------------------------------------------------------------------


def _email_clean(value: str) -> str | None:
    email = UserManager.normalize_email(value)
    try:
        validate_email(email)
    except ValidationError:
        return None
    return email


def _row_clean(
    *,
    number: int,
    values: dict[str, str],
    columns: set[str],
    timezones: dict[str, str],
) -> tuple[_Row, list[str]]:
    """Parse one row's cells; returns the row and its error messages."""
    problems: list[str] = []
    row = _Row(number=number, email="")

    raw_email = values.get("email", "")
    if not raw_email:
        problems.append(_("The email is missing."))
    elif (email := _email_clean(raw_email)) is None:
        problems.append(
            _('"%(value)s" is not a valid email address.') % {"value": raw_email}
        )
    else:
        row.email = email

    if "full_name" in columns and not values.get("full_name"):
        problems.append(_("The full name is missing."))
    for name in _PLAIN_TEXT_FIELDS:
        if name not in columns:
            continue
        value = values[name]
        limit = Employee._meta.get_field(name).max_length
        if len(value) > limit:
            problems.append(
                _("%(column)s is longer than %(limit)s characters.")
                % {"column": name, "limit": limit}
            )
        row.fields[name] = value

    for name, choices in (
        ("preferred_language", Employee.Language.values),
        ("status", Employee.Status.values),
    ):
        value = values.get(name, "").lower()
        if not value:
            continue
        if value not in choices:
            problems.append(
                _('%(column)s "%(value)s" is not one of: %(choices)s.')
                % {"column": name, "value": values[name], "choices": ", ".join(choices)}
            )
        row.fields[name] = value

    if value := values.get("timezone", ""):
        if value.lower() not in timezones:
            problems.append(
                _('"%(value)s" is not a time zone name such as Europe/Madrid.')
                % {"value": value}
            )
        else:
            row.fields["timezone"] = timezones[value.lower()]

    if "start_date" in columns:
        value = values["start_date"]
        row.fields["start_date"] = None
        if value:
            try:
                start = datetime.strptime(value, DATE_FORMAT).date()
            except ValueError:
                problems.append(
                    _('The start date "%(value)s" is not a date like 2026-01-31.')
                    % {"value": value}
                )
            else:
                earliest, latest = start_date_range()
                if earliest <= start <= latest:
                    row.fields["start_date"] = start
                else:
                    problems.append(
                        _(
                            'The start date "%(value)s" is out of range: it must be '
                            "between %(earliest)s and %(latest)s."
                        )
                        % {
                            "value": value,
                            "earliest": earliest.isoformat(),
                            "latest": latest.isoformat(),
                        }
                    )

    limit = Department._meta.get_field("name").max_length
    for name in ("department", "team"):
        value = values.get(name, "")
        if len(value) > limit:
            problems.append(
                _("%(column)s is longer than %(limit)s characters.")
                % {"column": name, "limit": limit}
            )
        setattr(row, name, value or None)
    if row.team and not row.department:
        problems.append(
            _('The team "%(team)s" needs a department in the same row.')
            % {"team": row.team}
        )

    for name, label in (("manager_email", "manager"), ("buddy_email", "buddy")):
        value = values.get(name, "")
        if not value:
            continue
        if (email := _email_clean(value)) is None:
            problems.append(
                _('%(column)s "%(value)s" is not a valid email address.')
                % {"column": name, "value": value}
            )
        elif email == row.email:
            problems.append(
                _("A person cannot manage themself.")
                if label == "manager"
                else _("A person cannot be their own buddy.")
            )
        else:
            setattr(row, name, email)
    return row, problems


def _cycles_find(
    *, final_managers: dict[str, str | None], starts: Iterable[str]
) -> list[list[str]]:
    """Every reporting cycle reachable from ``starts``, each as a list of emails."""
    cycles: list[list[str]] = []
    finished: set[str] = set()
    for start in starts:
        path: list[str] = []
        on_path: dict[str, int] = {}
        node: str | None = start
        while node is not None and node not in finished:
            if node in on_path:
                cycles.append(path[on_path[node] :])
                break
            on_path[node] = len(path)
            path.append(node)
            node = final_managers.get(node)
        finished.update(path)
    return cycles


def _plan_build(*, content: str, on_progress: ProgressCallback | None) -> _Plan:
    header, records, errors = _csv_read(content)
    if any(error.row == 1 for error in errors):
        # Without the right columns every row would repeat the same complaint.
        return _Plan(rows=[], columns=set(header), final_managers={}, errors=errors)
    columns = set(header)
    timezones = {name.lower(): name for name in zoneinfo.available_timezones()}
    # Every person's manager, as emails: one query whatever the file's size.
    final_managers: dict[str, str | None] = dict(
        Employee.objects.annotate(
            person=Lower("user__email"), boss=Lower("manager__user__email")
        ).values_list("person", "boss")
    )
    known = set(final_managers)
    rows: list[_Row] = []
    first_row_of: dict[str, int] = {}
    progress = _Progress(on_progress, VALIDATING, len(records))
    problems_by_row: dict[int, list[str]] = {}

    for done, (number, values) in enumerate(records, start=1):
        row, problems = _row_clean(
            number=number, values=values, columns=columns, timezones=timezones
        )
        if row.email:
            if row.email in first_row_of:
                problems.append(
                    _("%(email)s also appears in row %(row)s.")
                    % {"email": row.email, "row": first_row_of[row.email]}
                )
                row.email = ""
            else:
                first_row_of[row.email] = number
        problems_by_row[number] = problems
        rows.append(row)
        progress.step(done)

    in_file = set(first_row_of)
    for row in rows:
        for name, label in (("manager_email", "manager"), ("buddy_email", "buddy")):
            email = getattr(row, name)
            if email and email not in in_file and email not in known:
                message = (
                    _("The manager %(email)s is neither in the file nor in Cimientos.")
                    if label == "manager"
                    else _(
                        "The buddy %(email)s is neither in the file nor in Cimientos."
                    )
                )
                problems_by_row[row.number].append(message % {"email": email})
                setattr(row, name, None)

    for row in rows:
        if not row.email:
            continue
        if "manager_email" in columns or row.email not in final_managers:
            final_managers[row.email] = row.manager_email
    for cycle in _cycles_find(final_managers=final_managers, starts=first_row_of):
        in_rows = [email for email in cycle if email in in_file]
        if not in_rows:
            continue
        first = min(in_rows, key=first_row_of.__getitem__)
        start = cycle.index(first)
        cycle = cycle[start:] + cycle[:start]
        chain = " → ".join([*cycle, first])
        problems_by_row[first_row_of[first]].append(
            _("These managers make a reporting cycle: %(chain)s.") % {"chain": chain}
        )

    errors.extend(
        RowError(number, message)
        for number, problems in problems_by_row.items()
        for message in problems
    )
    errors.sort(key=lambda error: error.row)
    return _Plan(
        rows=rows, columns=columns, final_managers=final_managers, errors=errors
    )


# Writing ---------------------------------------------------------------------


def _rows_ordered(*, plan: _Plan) -> list[_Row]:
    """Managers before the people who report to them, at any depth.

    Saving in this order means the reporting line in the database is a part of
    the final, cycle-free one at every step, so each save's own cycle check
    passes.
    """
    by_email = {row.email: row for row in plan.rows}
    placed: set[str] = set()
    ordered: list[_Row] = []
    for row in plan.rows:
        chain: list[str] = []
        node: str | None = row.email
        while node is not None and node not in placed and node not in chain:
            chain.append(node)
            node = plan.final_managers.get(node)
        for email in reversed(chain):
            placed.add(email)
            if email in by_email:
                ordered.append(by_email[email])
    return ordered


def _departments_resolve(*, rows: list[_Row]) -> dict[tuple[str, str | None], Any]:
    """Departments and teams by lower-cased name, created when new."""
    departments = {d.name.lower(): d for d in Department.objects.all()}
    teams = {(t.department_id, t.name.lower()): t for t in Team.objects.all()}
    resolved: dict[tuple[str, str | None], Any] = {}
    for row in rows:
        if not row.department:
            continue
        department = departments.get(row.department.lower())
        if department is None:
            department = Department.objects.create(name=row.department)
            departments[row.department.lower()] = department
        resolved[(row.department.lower(), None)] = department
        if row.team:
            team = teams.get((department.pk, row.team.lower()))
            if team is None:
                team = Team.objects.create(department=department, name=row.team)
                teams[(department.pk, row.team.lower())] = team
            resolved[(row.department.lower(), row.team.lower())] = team
    return resolved


def _employees_by_email(emails: Iterable[str]) -> dict[str, Employee]:
    return {
        employee.email_lower: employee
        for employee in Employee.objects.select_related("user")
        .annotate(email_lower=Lower("user__email"))
        .filter(email_lower__in=list(emails))
    }


def _differs(employee: Employee, name: str, value: Any) -> bool:
    if name in {"department", "team", "manager", "buddy"}:
        return getattr(employee, f"{name}_id") != (value.pk if value else None)
    return getattr(employee, name) != value


def _beyond_reach(*, actor: User | None, emails: set[str]) -> set[str]:
    """Which of ``emails`` belong to people ``actor`` may not change."""
    if actor is None:
        return set()
    return set(
        selectors.users_beyond_reach(actor=actor)
        .annotate(email_lower=Lower("email"))
        .filter(email_lower__in=list(emails))
        .values_list("email_lower", flat=True)
    )


def _plan_apply(
    *, plan: _Plan, actor: User | None, on_progress: ProgressCallback | None
) -> ImportResult:
    emails = {row.email for row in plan.rows}
    references = {
        email
        for row in plan.rows
        for email in (row.manager_email, row.buddy_email)
        if email and email not in emails
    }
    people = _employees_by_email(emails | references)
    accounts_without_profile = {
        user.email.lower(): user
        for user in User.objects.annotate(email_lower=Lower("email")).filter(
            email_lower__in=list(emails - set(people)), employee__isnull=True
        )
    }
    beyond = _beyond_reach(actor=actor, emails=emails)
    refused: list[RowError] = []
    groups = _departments_resolve(rows=plan.rows)
    result = ImportResult(total_rows=len(plan.rows))
    updated: set[str] = set()
    created: set[str] = set()
    invite: list[Employee] = []
    later_buddies: list[_Row] = []
    today = timezone.localdate()
    progress = _Progress(on_progress, WRITING, len(plan.rows))

    for done, row in enumerate(_rows_ordered(plan=plan), start=1):
        if row.manager_email and row.manager_email not in people:
            continue  # the manager's own row was refused: nothing will be saved
        wanted = dict(row.fields)
        if "department" in plan.columns:
            key = row.department.lower() if row.department else None
            wanted["department"] = groups.get((key, None)) if key else None
        if "team" in plan.columns:
            wanted["team"] = (
                groups.get((row.department.lower(), row.team.lower()))
                if row.team and row.department
                else None
            )
        if "manager_email" in plan.columns:
            wanted["manager"] = people[row.manager_email] if row.manager_email else None
        if "buddy_email" in plan.columns:
            if row.buddy_email and row.buddy_email not in people:
                later_buddies.append(row)  # created further down the file
            else:
                wanted["buddy"] = people[row.buddy_email] if row.buddy_email else None

        employee = people.get(row.email)
        if row.email in beyond and (
            employee is None
            or any(_differs(employee, name, value) for name, value in wanted.items())
        ):
            refused.append(
                RowError(
                    row.number,
                    _(
                        "%(email)s has rights you do not have: only someone with at "
                        "least the same roles can change them. Leave this row out "
                        "or ask an administrator."
                    )
                    % {"email": row.email},
                )
            )
            progress.step(done)
            continue
        try:
            if employee is None:
                people[row.email] = _employee_add(
                    row=row,
                    wanted=wanted,
                    today=today,
                    account=accounts_without_profile.get(row.email),
                    invite=invite,
                )
                created.add(row.email)
            else:
                changed = {
                    name: value
                    for name, value in wanted.items()
                    if _differs(employee, name, value)
                }
                if changed:
                    services.employee_update(
                        employee=employee, refresh_roles=False, **changed
                    )
                    updated.add(row.email)
        except ValidationError as error:
            raise _invalid(row=row, error=error, total=len(plan.rows)) from error
        progress.step(done)

    if refused:
        raise PeopleImportInvalid(refused, total_rows=len(plan.rows))
    for row in later_buddies:
        employee, buddy = people[row.email], people[row.buddy_email]
        if employee.buddy_id != buddy.pk:
            try:
                services.employee_update(
                    employee=employee, buddy=buddy, refresh_roles=False
                )
            except ValidationError as error:
                raise _invalid(row=row, error=error, total=len(plan.rows)) from error
            if row.email not in created:
                updated.add(row.email)

    services.manager_roles_sync()
    for employee in invite:
        services.invitation_send(employee=employee, invited_by=actor)
    result.created = len(created)
    result.updated = len(updated)
    result.unchanged = result.total_rows - result.created - result.updated
    return result


def _employee_add(
    *,
    row: _Row,
    wanted: dict[str, Any],
    today: date,
    account: User | None,
    invite: list[Employee],
) -> Employee:
    if "status" not in wanted:
        start = wanted.get("start_date")
        wanted["status"] = (
            Employee.Status.PRE_HIRE
            if start and start > today
            else Employee.Status.ACTIVE
        )
    if account is not None:
        # Someone who already signs in (say, an administrator) gets a profile;
        # they need no invitation. The manager goes through the service.
        manager = wanted.pop("manager", None)
        employee = Employee(user=account, **wanted)
        employee.full_clean(exclude=["user"])
        employee.save()
        if manager is not None:
            services.employee_update(
                employee=employee, manager=manager, refresh_roles=False
            )
        return employee
    employee = services.employee_create(email=row.email, refresh_roles=False, **wanted)
    invite.append(employee)
    return employee


def _invalid(*, row: _Row, error: ValidationError, total: int) -> PeopleImportInvalid:
    if hasattr(error, "error_dict"):
        messages = [
            f"{name}: {message}" if name != "__all__" else message
            for name, field_messages in error.message_dict.items()
            for message in field_messages
        ]
    else:
        messages = list(error.messages)
    return PeopleImportInvalid(
        [RowError(row.number, message) for message in messages], total_rows=total
    )
