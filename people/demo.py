"""The demo organisation: a fictional Spanish hotel group, Grupo Brisa.

Loading it twice changes nothing: every row is found by a natural key first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from . import roles
from .models import Department, Employee, Team, User

DEMO_PASSWORD = "brisa-demo-2026"  # noqa: S105 - printed only in dev settings
DOMAIN = "brisa.example"

DEPARTMENTS = {
    "Recepción": ["Front desk Madrid", "Front desk Sevilla"],
    "Alimentos y Bebidas": ["Cocina", "Sala"],
    "Pisos": ["Limpieza", "Mantenimiento"],
    "Personas y Marca": ["Personas", "Comunicación"],
}


@dataclass(frozen=True)
class Person:
    key: str
    name: str
    title: str
    department: str
    team: str | None
    manager: str | None
    start_offset: int  # days from today; negative = already started
    language: str = "es"
    location: str = "Madrid"
    role: str | None = None


def _people() -> list[Person]:
    p = Person
    people = [
        p(
            "ceo",
            "Lucía Ferrer Ortega",
            "Directora general",
            "Personas y Marca",
            None,
            None,
            -2900,
        ),
        # Heads of department (level 2)
        p(
            "dir.recepcion",
            "Javier Molina Ruiz",
            "Director de Recepción",
            "Recepción",
            None,
            "ceo",
            -2100,
        ),
        p(
            "dir.fb",
            "Amaia Etxeberria",
            "Directora de Alimentos y Bebidas",
            "Alimentos y Bebidas",
            None,
            "ceo",
            -1500,
            location="Sevilla",
        ),
        p(
            "dir.pisos",
            "Rosa Delgado Pérez",
            "Gobernanta general",
            "Pisos",
            None,
            "ceo",
            -1800,
        ),
        p(
            "dir.personas",
            "Marta Quintana León",
            "Directora de Personas",
            "Personas y Marca",
            "Personas",
            "ceo",
            -1300,
            role=roles.HR_EDITOR,
        ),
        # Team leads (level 3)
        p(
            "lead.fd.mad",
            "Daniel Ortiz Vidal",
            "Jefe de recepción",
            "Recepción",
            "Front desk Madrid",
            "dir.recepcion",
            -900,
        ),
        p(
            "lead.fd.sev",
            "Carmen Navarro Gil",
            "Jefa de recepción",
            "Recepción",
            "Front desk Sevilla",
            "dir.recepcion",
            -700,
            location="Sevilla",
        ),
        p(
            "lead.cocina",
            "Iñigo Arrieta",
            "Jefe de cocina",
            "Alimentos y Bebidas",
            "Cocina",
            "dir.fb",
            -1100,
            location="Sevilla",
        ),
        p(
            "lead.sala",
            "Elena Romero Sanz",
            "Maître",
            "Alimentos y Bebidas",
            "Sala",
            "dir.fb",
            -600,
            location="Sevilla",
        ),
        p(
            "lead.limpieza",
            "Pilar Cano Marín",
            "Supervisora de pisos",
            "Pisos",
            "Limpieza",
            "dir.pisos",
            -1000,
        ),
        p(
            "lead.mant",
            "Tomás Benítez Roca",
            "Jefe de mantenimiento",
            "Pisos",
            "Mantenimiento",
            "dir.pisos",
            -1200,
        ),
        p(
            "hr.editor",
            "Sofía Herrera Campos",
            "Técnica de Personas",
            "Personas y Marca",
            "Personas",
            "dir.personas",
            -400,
            role=roles.HR_EDITOR,
        ),
        p(
            "comms",
            "Pablo Iglesias Mora",
            "Responsable de Comunicación",
            "Personas y Marca",
            "Comunicación",
            "dir.personas",
            -500,
            role=roles.COMMS_APPROVER,
        ),
        p(
            "admin",
            "Nuria Castillo Prieto",
            "Administradora de sistemas",
            "Personas y Marca",
            None,
            "ceo",
            -1400,
            role=roles.ADMINISTRATOR,
        ),
    ]
    staff = [
        # (name, title, team, lead, start offset, language, location)
        (
            "Laura Gómez Fuentes",
            "Recepcionista",
            "Front desk Madrid",
            "lead.fd.mad",
            10,
            "es",
            "Madrid",
        ),
        (
            "Oliver Bennett",
            "Guest relations agent",
            "Front desk Madrid",
            "lead.fd.mad",
            3,
            "en",
            "Madrid",
        ),
        (
            "Hugo Serrano Lara",
            "Recepcionista de noche",
            "Front desk Madrid",
            "lead.fd.mad",
            -12,
            "es",
            "Madrid",
        ),
        (
            "Irene Vega Soler",
            "Recepcionista",
            "Front desk Madrid",
            "lead.fd.mad",
            -45,
            "es",
            "Madrid",
        ),
        (
            "Adrián Pastor Nieto",
            "Conserje",
            "Front desk Madrid",
            "lead.fd.mad",
            -300,
            "es",
            "Madrid",
        ),
        (
            "Claire Dubois",
            "Front office agent",
            "Front desk Sevilla",
            "lead.fd.sev",
            -5,
            "en",
            "Sevilla",
        ),
        (
            "Manuel Reyes Cruz",
            "Recepcionista",
            "Front desk Sevilla",
            "lead.fd.sev",
            -60,
            "es",
            "Sevilla",
        ),
        (
            "Alba Moreno Ibáñez",
            "Recepcionista",
            "Front desk Sevilla",
            "lead.fd.sev",
            -120,
            "es",
            "Sevilla",
        ),
        ("Sergio Lozano Peña", "Cocinero", "Cocina", "lead.cocina", 7, "es", "Sevilla"),
        ("Giulia Rossi", "Pastry chef", "Cocina", "lead.cocina", -20, "en", "Sevilla"),
        (
            "Raúl Medina Soto",
            "Ayudante de cocina",
            "Cocina",
            "lead.cocina",
            -90,
            "es",
            "Sevilla",
        ),
        (
            "Beatriz Carrasco Gil",
            "Cocinera",
            "Cocina",
            "lead.cocina",
            -400,
            "es",
            "Sevilla",
        ),
        ("Nerea Ugarte", "Camarera", "Sala", "lead.sala", -2, "es", "Sevilla"),
        ("James O'Connor", "Sommelier", "Sala", "lead.sala", -75, "en", "Sevilla"),
        ("Cristina Ramos Vera", "Camarera", "Sala", "lead.sala", -110, "es", "Sevilla"),
        (
            "Diego Herrero Gallardo",
            "Camarero",
            "Sala",
            "lead.sala",
            -800,
            "es",
            "Sevilla",
        ),
        (
            "Lorena Santos Pizarro",
            "Camarera de pisos",
            "Limpieza",
            "lead.limpieza",
            5,
            "es",
            "Madrid",
        ),
        (
            "Yolanda Márquez Rey",
            "Camarera de pisos",
            "Limpieza",
            "lead.limpieza",
            -30,
            "es",
            "Madrid",
        ),
        (
            "Fatima El Amrani",
            "Camarera de pisos",
            "Limpieza",
            "lead.limpieza",
            -100,
            "es",
            "Madrid",
        ),
        (
            "Ana Paredes Luna",
            "Valet",
            "Limpieza",
            "lead.limpieza",
            -650,
            "es",
            "Madrid",
        ),
        (
            "Víctor Crespo Bravo",
            "Técnico de mantenimiento",
            "Mantenimiento",
            "lead.mant",
            -8,
            "es",
            "Madrid",
        ),
        (
            "Mark Jensen",
            "Energy technician",
            "Mantenimiento",
            "lead.mant",
            -70,
            "en",
            "Madrid",
        ),
        (
            "Jorge Calvo Esteban",
            "Técnico de mantenimiento",
            "Mantenimiento",
            "lead.mant",
            -1500,
            "es",
            "Madrid",
        ),
        (
            "Paula Aguilar Rivas",
            "Técnica de selección",
            "Personas",
            "dir.personas",
            -15,
            "es",
            "Madrid",
        ),
        (
            "Emma Wilson",
            "Content creator",
            "Comunicación",
            "comms",
            -40,
            "en",
            "Madrid",
        ),
        (
            "Andrés Fernández Mesa",
            "Community manager",
            "Comunicación",
            "comms",
            -200,
            "es",
            "Madrid",
        ),
    ]
    team_department = {
        team: dept for dept, teams in DEPARTMENTS.items() for team in teams
    }
    for index, (name, title, team, lead, offset, lang, loc) in enumerate(staff):
        people.append(
            p(
                f"staff{index + 1:02d}",
                name,
                title,
                team_department[team],
                team,
                lead,
                offset,
                language=lang,
                location=loc,
            )
        )
    return people


def _email(person: Person) -> str:
    first, *rest = person.name.lower().split(" ")
    local = f"{first}.{rest[0]}" if rest else first
    ascii_local = (
        local.replace("á", "a")
        .replace("é", "e")
        .replace("í", "i")
        .replace("ó", "o")
        .replace("ú", "u")
        .replace("ñ", "n")
        .replace("'", "")
    )
    return f"{ascii_local}@{DOMAIN}"


@dataclass(frozen=True)
class DemoSignIn:
    role: str
    email: str
    name: str


@transaction.atomic
def demo_seed(*, today: date | None = None) -> list[DemoSignIn]:
    """Create or refresh Grupo Brisa; return one sign-in per role."""
    today = today or timezone.localdate()
    departments = {}
    teams = {}
    for dept_name, team_names in DEPARTMENTS.items():
        dept, _ = Department.objects.get_or_create(name=dept_name)
        departments[dept_name] = dept
        for team_name in team_names:
            teams[team_name], _ = Team.objects.get_or_create(
                name=team_name, department=dept
            )

    groups = {g.name: g for g in Group.objects.filter(name__in=roles.ALL_ROLES)}
    # Hashing is deliberately slow; everyone shares the demo password anyway.
    password_hash = make_password(DEMO_PASSWORD)
    employees: dict[str, Employee] = {}
    people = _people()
    for person in people:
        email = _email(person)
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(email=email)
            user.password = password_hash
            user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        start = today + timedelta(days=person.start_offset)
        employee, _ = Employee.objects.update_or_create(
            user=user,
            defaults={
                "full_name": person.name,
                "preferred_language": person.language,
                "department": departments[person.department],
                "team": teams.get(person.team) if person.team else None,
                "job_title": person.title,
                "location": person.location,
                "start_date": start,
                "status": (
                    Employee.Status.PRE_HIRE
                    if start > today
                    else Employee.Status.ACTIVE
                ),
                "timezone": "Europe/Madrid",
            },
        )
        employees[person.key] = employee
        user.groups.add(groups[roles.EMPLOYEE])
        if person.role:
            user.groups.add(groups[person.role])
        if person.role == roles.HR_LEAD:
            user.groups.add(groups[roles.HR_EDITOR])

    # Managers and buddies are set once everyone exists.
    for person in people:
        employee = employees[person.key]
        employee.manager = employees[person.manager] if person.manager else None
        employee.save(update_fields=["manager"])
    managers = {p.manager for p in people if p.manager}
    for key in managers:
        employees[key].user.groups.add(groups[roles.MANAGER])
    for person in people:
        employee = employees[person.key]
        if person.start_offset > -30 and person.manager:
            peers = [
                employees[q.key]
                for q in people
                if q.team == person.team and q.start_offset <= -90 and q.manager
            ]
            if peers:
                employee.buddy = peers[0]
                employee.save(update_fields=["buddy"])

    by_role = {
        roles.EMPLOYEE: "staff04",
        roles.MANAGER: "lead.fd.mad",
        roles.HR_EDITOR: "hr.editor",
        roles.HR_LEAD: "dir.personas",
        roles.COMMS_APPROVER: "comms",
        roles.ADMINISTRATOR: "admin",
    }
    sign_ins = []
    for role, key in by_role.items():
        person = next(p for p in people if p.key == key)
        sign_ins.append(DemoSignIn(role=role, email=_email(person), name=person.name))
    # Also an employee who is a certified, opted-in advocate (see
    # advocacy/demo.py), to see the hub, points and notifications at work.
    advocate = next(p for p in people if p.key == "staff26")
    sign_ins.append(
        DemoSignIn(
            role=f"{roles.EMPLOYEE} (advocate)",
            email=_email(advocate),
            name=advocate.name,
        )
    )
    return sign_ins
