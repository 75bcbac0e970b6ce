from __future__ import annotations

import datetime
import threading
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import translation

from people import imports
from people.models import Department, Employee, Invitation, PeopleImport, Team, User
from tests.concurrency import run_at_once
from tests.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English; Spanish ones are translations of them."""
    with translation.override("en"):
        yield


HEADER = (
    "email,full_name,preferred_language,department,team,job_title,"
    "manager_email,start_date,status,timezone"
)
FUTURE = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()


def _csv(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


GOOD = _csv(
    # The reports come before their manager: order in the file must not matter.
    f"luis@example.com,Luis Gómez,,Ventas,Norte,Comercial,marta@example.com,{FUTURE},,",
    "pablo@example.com,Pablo Sanz,en,Ventas,Norte,Comercial,luis@example.com,"
    "2024-03-01,,America/Mexico_City",
    "marta@example.com,Marta Díaz,es,Ventas,,Directora,,2020-01-15,active,",
)


def _snapshot() -> tuple[int, int, int, int, int]:
    return (
        User.objects.count(),
        Employee.objects.count(),
        Department.objects.count(),
        Team.objects.count(),
        Invitation.objects.count(),
    )


def test_import_creates_people_with_departments_teams_and_manager_line(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        result = imports.people_import_run(content=GOOD)

    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    luis = Employee.objects.get(user__email="luis@example.com")
    pablo = Employee.objects.get(user__email="pablo@example.com")
    marta = Employee.objects.get(user__email="marta@example.com")
    assert Department.objects.get().name == "Ventas"
    assert luis.team == Team.objects.get(name="Norte", department__name="Ventas")
    assert marta.team is None
    assert pablo.manager == luis and luis.manager == marta and marta.manager is None
    # Defaults: Spanish, Madrid, and a start date in the future means pre-hire.
    assert luis.preferred_language == "es" and luis.timezone == "Europe/Madrid"
    assert luis.status == Employee.Status.PRE_HIRE
    assert pablo.status == Employee.Status.ACTIVE
    assert pablo.timezone == "America/Mexico_City" and pablo.preferred_language == "en"
    assert luis.user.groups.filter(name="Employee").exists()


def test_import_invites_each_new_person_once_and_only_after_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        imports.people_import_run(content=GOOD)
        assert mail.outbox == []  # nothing leaves before the transaction commits

    assert sorted(message.to[0] for message in mail.outbox) == [
        "luis@example.com",
        "marta@example.com",
        "pablo@example.com",
    ]
    assert all("/people/invitation/" in message.body for message in mail.outbox)


BAD_ROWS = {
    "missing email": (",Sin Correo,,,,,,,,", "email is missing"),
    "invalid email": ("no-es-un-correo,Sin Correo,,,,,,,,", "not a valid email"),
    "unknown manager": (
        "nuevo@example.com,Nuevo,,,,,fantasma@example.com,,,",
        "fantasma@example.com is neither in the file nor in Cimientos",
    ),
    "bad date": ("nuevo@example.com,Nuevo,,,,,,12/01/2026,,", "12/01/2026"),
    "self management": (
        "nuevo@example.com,Nuevo,,,,,nuevo@example.com,,,",
        "cannot manage themself",
    ),
    "duplicate email in another case": (
        "OK@Example.com,Otra Persona,,,,,,,,",
        "ok@example.com also appears in row 2",
    ),
    "unknown language": ("nuevo@example.com,Nuevo,fr,,,,,,,", '"fr" is not one of'),
    "unknown status": ("nuevo@example.com,Nuevo,,,,,,,fired,", '"fired" is not one of'),
    "unknown timezone": (
        "nuevo@example.com,Nuevo,,,,,,,,Mars/Olympus",
        "Mars/Olympus",
    ),
    "missing full name": ("nuevo@example.com,,,,,,,,,", "full name is missing"),
    "start date in year 1": (
        "nuevo@example.com,Nuevo,,,,,,0001-01-01,,",
        '"0001-01-01" is out of range: it must be between 1950-01-01 and',
    ),
    "start date in year 9999": (
        "nuevo@example.com,Nuevo,,,,,,9999-12-31,,",
        '"9999-12-31" is out of range',
    ),
}


@pytest.mark.parametrize("case", BAD_ROWS, ids=list(BAD_ROWS))
def test_a_bad_row_is_reported_by_number_and_nothing_is_written(
    case, django_capture_on_commit_callbacks
):
    bad_row, expected = BAD_ROWS[case]
    content = _csv("ok@example.com,Fila Buena,,Ventas,,,,,,", bad_row)
    before = _snapshot()

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(imports.PeopleImportInvalid) as excinfo,
    ):
        imports.people_import_run(content=content)

    messages = [str(error) for error in excinfo.value.errors]
    assert any(m.startswith("Row 3: ") and expected in m for m in messages), messages
    assert _snapshot() == before
    assert mail.outbox == []


def test_a_manager_cycle_inside_the_file_is_reported(
    django_capture_on_commit_callbacks,
):
    content = _csv(
        "a@example.com,Ana,,,,,b@example.com,,,",
        "b@example.com,Bea,,,,,c@example.com,,,",
        "c@example.com,Carla,,,,,a@example.com,,,",
    )
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(imports.PeopleImportInvalid) as excinfo,
    ):
        imports.people_import_run(content=content)

    (error,) = excinfo.value.errors
    assert error.row == 2
    assert "reporting cycle" in error.message
    assert "a@example.com → b@example.com → c@example.com → a@example.com" in (
        error.message
    )
    assert not Employee.objects.exists()
    assert mail.outbox == []


def test_a_cycle_made_of_file_rows_and_existing_people_is_reported():
    boss = EmployeeFactory(user=UserFactory(email="boss@example.com"))
    middle = EmployeeFactory(user=UserFactory(email="middle@example.com"), manager=boss)
    EmployeeFactory(user=UserFactory(email="report@example.com"), manager=middle)
    # Only report@ and boss@ are in the file; middle@ closes the loop from the DB.
    content = _csv(
        "new@example.com,Persona Nueva,,,,,,,,",
        "boss@example.com,Boss,,,,,report@example.com,,,",
    )

    with pytest.raises(imports.PeopleImportInvalid) as excinfo:
        imports.people_import_run(content=content)

    (error,) = excinfo.value.errors
    assert error.row == 3 and "reporting cycle" in error.message
    boss.refresh_from_db()
    assert boss.manager is None
    assert not User.objects.filter(email="new@example.com").exists()


def test_every_bad_row_is_listed_at_once_in_row_order():
    content = _csv(
        "uno@example.com,,,,,,,,,",
        "dos@example.com,Dos,,,,,,ayer,,",
        "tres@example.com,Tres,,,,,,,,",
        "tres@example.com,Tres Otra Vez,,,,,,,,",
    )
    with pytest.raises(imports.PeopleImportInvalid) as excinfo:
        imports.people_import_run(content=content)
    assert [error.row for error in excinfo.value.errors] == [2, 3, 5]


def test_reimporting_the_same_file_changes_nothing_and_invites_nobody(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        imports.people_import_run(content=GOOD)
    before = _snapshot()
    sent = len(mail.outbox)
    luis_before = Employee.objects.values().get(user__email="luis@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        result = imports.people_import_run(content=GOOD)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert _snapshot() == before
    assert len(mail.outbox) == sent
    assert Employee.objects.values().get(user__email="luis@example.com") == luis_before


def test_import_updates_a_person_matched_by_email_in_another_case(
    employee, django_capture_on_commit_callbacks
):
    content = _csv("ANA@Example.COM,Ana Ruiz Gómez,,Personas,,Técnica RRHH,,,,")

    with django_capture_on_commit_callbacks(execute=True):
        result = imports.people_import_run(content=content)

    assert (result.created, result.updated) == (0, 1)
    employee.refresh_from_db()
    assert employee.full_name == "Ana Ruiz Gómez"
    assert employee.department.name == "Personas"
    assert employee.job_title == "Técnica RRHH"
    # Blank language and status keep what the person already had.
    assert employee.preferred_language == "en"
    assert employee.status == Employee.Status.ACTIVE
    assert User.objects.filter(email__iexact="ana@example.com").count() == 1
    assert mail.outbox == []


def test_existing_departments_and_teams_are_reused_whatever_the_case():
    team = Team.objects.create(
        name="Norte", department=Department.objects.create(name="Ventas")
    )
    imports.people_import_run(content=_csv("x@example.com,Xe,,VENTAS,norte,,,,,"))
    assert Department.objects.count() == 1 and Team.objects.count() == 1
    assert Employee.objects.get(user__email="x@example.com").team == team


def test_a_semicolon_file_with_a_byte_order_mark_is_read():
    content = "\ufeff" + _csv(
        "eva@example.com;Eva Núñez;es;Marketing;;;;2024-05-06;;",
        header=HEADER.replace(",", ";"),
    )
    result = imports.people_import_run(content=content)
    assert result.created == 1
    eva = Employee.objects.get(user__email="eva@example.com")
    assert eva.full_name == "Eva Núñez" and eva.department.name == "Marketing"


def test_progress_is_reported_while_validating_and_writing():
    rows = [f"p{n}@example.com,Persona {n},,,,,,,," for n in range(40)]
    calls: list[tuple[str, int, int]] = []
    imports.people_import_run(
        content=_csv(*rows), on_progress=lambda *call: calls.append(call)
    )
    validating = [done for phase, done, _ in calls if phase == imports.VALIDATING]
    writing = [done for phase, done, _ in calls if phase == imports.WRITING]
    assert validating[-1] == writing[-1] == 40
    assert len(validating) > 1 and validating == sorted(validating)
    assert all(total == 40 for _, _, total in calls)


def test_a_stored_import_records_its_result_and_progress(
    hr_editor, django_capture_on_commit_callbacks
):
    people_import = PeopleImport.objects.create(
        content=GOOD, file_name="altas.csv", uploaded_by=hr_editor.user
    )
    with django_capture_on_commit_callbacks(execute=True):
        imports.people_import_process(people_import=people_import)

    people_import.refresh_from_db()
    assert people_import.status == PeopleImport.Status.DONE
    assert (people_import.total_rows, people_import.created_count) == (3, 3)
    assert imports.people_import_progress(people_import=people_import) == {
        "phase": imports.WRITING,
        "done": 3,
        "total": 3,
    }
    assert Invitation.objects.filter(invited_by=hr_editor.user).count() == 3


def _write(tmp_path, text: str, encoding: str = "utf-8"):
    path = tmp_path / "people.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_import_people_command_prints_progress_and_imports(
    tmp_path, django_capture_on_commit_callbacks
):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_people", str(_write(tmp_path, GOOD)), stdout=out)

    output = out.getvalue()
    assert "Validated 3/3 rows" in output
    assert "Wrote 3/3 rows" in output
    assert "3 created, 0 updated, 0 unchanged" in output
    assert Employee.objects.count() == 3
    assert len(mail.outbox) == 3


def test_import_people_command_reads_an_excel_semicolon_file_with_bom(tmp_path):
    text = _csv(
        "eva@example.com;Eva Núñez;;Marketing;;;;;;", header=HEADER.replace(",", ";")
    )
    call_command(
        "import_people", str(_write(tmp_path, text, "utf-8-sig")), stdout=StringIO()
    )
    assert Employee.objects.get(user__email="eva@example.com").full_name == "Eva Núñez"


def test_import_people_command_fails_with_the_row_errors_and_writes_nothing(
    tmp_path, django_capture_on_commit_callbacks
):
    content = _csv("ok@example.com,Fila Buena,,,,,,,,", "roto,Fila Mala,,,,,,,,")
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(CommandError) as excinfo,
    ):
        call_command("import_people", str(_write(tmp_path, content)), stdout=StringIO())

    assert "Row 3: " in str(excinfo.value)
    assert "roto" in str(excinfo.value)
    assert not Employee.objects.exists()
    assert mail.outbox == []


def test_import_people_command_refuses_a_file_that_is_not_utf8(tmp_path):
    path = _write(tmp_path, _csv("eño@example.com,Íñigo,,,,,,,,"), "latin-1")
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("import_people", str(path), stdout=StringIO())
    assert not Employee.objects.exists()


def test_a_start_date_beyond_two_years_ahead_is_refused_with_the_range():
    latest = datetime.date(datetime.date.today().year + 2, 12, 31)
    too_late = latest + datetime.timedelta(days=1)
    content = _csv(f"nuevo@example.com,Nuevo,,,,,,{too_late.isoformat()},,")
    with pytest.raises(imports.PeopleImportInvalid) as excinfo:
        imports.people_import_run(content=content)
    (error,) = excinfo.value.errors
    assert error.message == (
        f'The start date "{too_late.isoformat()}" is out of range: it must be '
        f"between 1950-01-01 and {latest.isoformat()}."
    )
    ok = _csv(f"nuevo@example.com,Nuevo,,,,,,{latest.isoformat()},,")
    assert imports.people_import_run(content=ok).created == 1


NUL_FILE = GOOD.replace("Luis Gómez", "Luis\x00Gómez")


def test_a_file_with_nul_characters_is_refused_on_the_form_and_nothing_is_stored(
    hr_client,
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = hr_client.post(
        "/admin/people-import/",
        {"file": SimpleUploadedFile("x.csv", NUL_FILE.encode(), "text/csv")},
    )
    assert response.status_code == 200
    assert "The file contains NUL characters" in response.content.decode()
    assert not PeopleImport.objects.exists()


def test_a_utf16_file_is_refused_with_a_clear_message(hr_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = hr_client.post(
        "/admin/people-import/",
        {"file": SimpleUploadedFile("x.csv", GOOD.encode("utf-16-le"), "text/csv")},
    )
    assert response.status_code == 200
    assert "CSV UTF-8" in response.content.decode()
    assert not PeopleImport.objects.exists()


def test_nul_characters_never_reach_the_database(tmp_path):
    with pytest.raises(imports.PeopleImportInvalid) as excinfo:
        imports.people_import_run(content=NUL_FILE)
    assert "NUL characters" in str(excinfo.value)
    with pytest.raises(CommandError, match="NUL characters"):
        call_command(
            "import_people", str(_write(tmp_path, NUL_FILE)), stdout=StringIO()
        )
    assert not Employee.objects.exists()
    assert not PeopleImport.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_uploads_of_the_same_file_at_once_import_it_once(hr_editor):
    uploads = iter(
        [
            PeopleImport.objects.create(
                content=GOOD, file_name=f"{n}.csv", uploaded_by=hr_editor.user
            )
            for n in range(2)
        ]
    )
    lock = threading.Lock()

    def process():
        with lock:
            people_import = next(uploads)
        return imports.people_import_process(people_import=people_import)

    results, errors = run_at_once(process, times=2)

    assert errors == []
    outcomes = sorted(
        (r.status, r.created_count, r.unchanged_count, r.errors) for r in results
    )
    assert outcomes == [("done", 0, 3, []), ("done", 3, 0, [])]
    assert Employee.objects.count() == 4  # the HR editor and the three
    assert sorted(m.to[0] for m in mail.outbox) == [
        "luis@example.com",
        "marta@example.com",
        "pablo@example.com",
    ]


@pytest.mark.django_db(transaction=True)
def test_the_same_import_run_twice_at_once_runs_once(hr_editor):
    people_import = PeopleImport.objects.create(
        content=GOOD, file_name="x.csv", uploaded_by=hr_editor.user
    )

    def process():
        copy = PeopleImport.objects.get(pk=people_import.pk)
        return imports.people_import_process(people_import=copy)

    _results, errors = run_at_once(process, times=2)

    assert errors == []
    people_import.refresh_from_db()
    assert (people_import.status, people_import.created_count) == ("done", 3)
    assert len(mail.outbox) == 3


@pytest.mark.django_db(transaction=True)
def test_an_import_that_waits_too_long_for_another_says_so_and_changes_nothing(
    hr_editor, monkeypatch
):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite waits for its busy timeout; the lock is PostgreSQL's")
    monkeypatch.setattr(imports, "_LOCK_WAIT", "200ms")
    holding, done = threading.Event(), threading.Event()

    def hold_the_lock():
        from django.db import connection as own
        from django.db import transaction

        with transaction.atomic(), own.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [imports._LOCK_KEY])
            holding.set()
            done.wait()
        own.close()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    holding.wait()
    people_import = PeopleImport.objects.create(
        content=GOOD, file_name="x.csv", uploaded_by=hr_editor.user
    )
    try:
        imports.people_import_process(people_import=people_import)
    finally:
        done.set()
        holder.join()

    people_import.refresh_from_db()
    assert people_import.status == PeopleImport.Status.FAILED
    assert people_import.errors == [
        {
            "row": None,
            "message": "Another import was still running, so this one changed "
            "nothing. Upload the file again when it has finished.",
        }
    ]
    assert Employee.objects.count() == 1
