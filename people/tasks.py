"""Background work about people, run by django-tasks (a DB worker in production)."""

from __future__ import annotations

from django_tasks import task

from . import imports
from .models import PeopleImport


@task()
def people_import_task(people_import_id: int, language: str | None = None) -> None:
    people_import = PeopleImport.objects.get(pk=people_import_id)
    imports.people_import_process(people_import=people_import, language=language)
