"""``manage.py import_people FILE``: the same import HR runs from the admin."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from people import imports
from people.models import PeopleImport


class Command(BaseCommand):
    help = "Create or update people from a CSV file, all or nothing; invite new ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV file, UTF-8, , or ; separated")

    def handle(self, *args, file: Path, **options) -> None:
        try:
            content = file.read_bytes().decode("utf-8-sig")
        except OSError as error:
            raise CommandError(str(error)) from error
        except UnicodeDecodeError as error:
            raise CommandError(
                _("The file is not UTF-8 text. Save it as “CSV UTF-8”.")
            ) from error

        if "\x00" in content:
            raise CommandError(str(imports.NUL_MESSAGE))

        people_import = PeopleImport.objects.create(
            content=content, file_name=file.name[:255]
        )
        labels = {imports.VALIDATING: _("Validated"), imports.WRITING: _("Wrote")}

        def progress(phase: str, done: int, total: int) -> None:
            self.stdout.write(
                _("%(phase)s %(done)s/%(total)s rows")
                % {"phase": labels[phase], "done": done, "total": total}
            )

        # Whoever runs this has the server's shell, so the whole database:
        # the import is not limited to the people within someone's reach.
        people_import = imports.people_import_process(
            people_import=people_import, on_progress=progress, operator=True
        )
        if people_import.status != PeopleImport.Status.DONE:
            lines = [
                str(imports.RowError(error["row"], error["message"]))
                if error["row"]
                else error["message"]
                for error in people_import.errors
            ]
            raise CommandError(
                _("Nothing was imported. Fix these rows and try again:")
                + "\n"
                + "\n".join(lines)
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("%(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
                % {
                    "created": people_import.created_count,
                    "updated": people_import.updated_count,
                    "unchanged": people_import.unchanged_count,
                }
            )
        )
