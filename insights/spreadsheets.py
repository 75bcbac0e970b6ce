"""Every CSV and XLSX the product hands out: text in them never runs as a formula.

A spreadsheet program runs a CSV cell that starts with ``=``, ``+``, ``-`` or
``@`` (and, in some, a tab or a carriage return) as a formula: a post title like
``=HYPERLINK("http://evil.example", "x")`` in a download becomes a link, or
worse, on an HR laptop. In CSV such text is written after a single quote, which
the program shows as text; a number stays as it is (``-5`` is not a formula). In
XLSX, text is written as a text cell, never as a formula, and characters an
XLSX file cannot hold are left out.

Two writers use these cells: the team page's downloads (``csv_content``,
``xlsx_content``) and Wagtail's ``SpreadsheetExportMixin``, behind every admin
report download (Wagtail's own, like site history, and ours). That mixin is
patched once at start-up (:func:`wagtail_spreadsheet_patch`, from
``InsightsConfig.ready``) rather than subclassed per view: Wagtail's built-in
reports are not ours to subclass, and a report added later is covered too.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?%?")


def text_inert(text: str) -> str:
    """``text`` as a spreadsheet program will show it, not run it (for CSV)."""
    if text.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_cell(value: Any) -> Any:
    return text_inert(value) if isinstance(value, str) else value


def xlsx_cell(sheet: Any, value: Any) -> Any:
    """A write-only cell holding ``value``; text is always a text cell."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value)
    if cell.data_type == "f":
        cell.data_type = "s"
    return cell


def csv_content(*, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(value) for value in header])
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return buffer.getvalue()


def xlsx_content(
    *, sheets: Iterable[tuple[str, Sequence[Any], Iterable[Sequence[Any]]]]
) -> bytes:
    """An XLSX workbook, one sheet per (title, header, rows)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append([xlsx_cell(sheet, value) for value in header])
        for row in rows:
            sheet.append([xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def wagtail_spreadsheet_patch() -> None:
    """Route every value of Wagtail's report downloads through our cells.

    ``SpreadsheetExportMixin.preprocess_field_value`` is the one step every
    value of a CSV or XLSX download passes; its result is made inert here.
    (Wagtail already turns XLSX formulas back into text; this also drops the
    characters that would make openpyxl fail on them.)
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    original = SpreadsheetExportMixin.preprocess_field_value
    if getattr(original, "inert", False):
        return

    def preprocess_field_value(self, field, value, export_format):
        value = original(self, field, value, export_format)
        if not isinstance(value, str):
            return value
        if export_format == self.FORMAT_CSV:
            return text_inert(value)
        return ILLEGAL_CHARACTERS_RE.sub("", value)

    preprocess_field_value.inert = True  # type: ignore[attr-defined]
    SpreadsheetExportMixin.preprocess_field_value = preprocess_field_value
