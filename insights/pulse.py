"""Selectors: the one rule by which pulse survey figures are published.

Pulse answers carry no person (``onboarding.models.PulseResponse`` keeps the
survey, path, department and month), but a figure can still give one away: a
manager who reads the team's average before and after a new hire answers, or
HR subtracting one grouping of the report from an overlapping one, would learn
that person's answers. Every pulse figure that Cimientos shows or lets anyone
download (the team dashboard's Pulse section, the HR report "Pulse and eNPS"
and its CSV and XLSX) is therefore computed here, and only by this rule:

1. **Closed months only.** An answer belongs to the calendar month in which it
   was given, in the organisation's time zone (``settings.TIME_ZONE``, see
   ``onboarding.selectors.pulse_month``), whatever the reader's time zone. A
   month is published once it is over there, never before, and no answer can
   join it afterwards. A fresh answer therefore changes nothing anybody sees
   until its month is over, and then it arrives pooled with the rest of the
   month; the live refresh of the team page never touches pulse figures.
2. **Cells of five.** The smallest group anyone can ask for is one survey in
   one path, one department and one month: a *cell*. A statement of a cell
   (or its eNPS question) is *publishable* when at least five of the cell's
   answers scored it (``PULSE_MIN_ANSWERS``).
3. **Figures are made of publishable cells and nothing else.** A path, a
   department, a month or a range of months, the departments of a manager's
   line: each figure pools the publishable cells inside it, and anything not
   publishable is left out of every figure, totals included. Two figures,
   however their groupings and filters overlap, therefore differ by whole
   publishable cells: by no answer at all or by five or more, never by one to
   four, and no subtraction of published figures can isolate a smaller group,
   let alone one answer. This is complementary suppression by construction:
   nothing that is hidden is ever inside something that is shown. The price is
   that a group's figures leave out its small cells (a department where four
   people answered a survey in a month is in no figure), and that is said on
   both pages.
4. **Counts are bucketed.** A count of answers is rounded down to a multiple
   of five (``PULSE_BUCKET``) and shown as a range ("10–14"). Averages are
   rounded to one decimal and eNPS to the nearest 10, so that they rarely pin
   down the exact count that the range leaves open (4.17 is 25/6; 4.2 is not
   only that).
5. **A unanimous group shows what it said.** When every answer in a
   published figure gave the same score, the average (5.0) or an eNPS of 100
   says what each of them answered. This is accepted: it is what a group of at
   least five said together, as any exact average of a group can; hiding such
   figures would in turn announce that a group was unanimous.

What the rule cannot prevent: someone who already knows how four of five
people in a cell answered learns the fifth (the limit of any threshold), and
departments cannot be deleted in the product; were one deleted from a shell,
its answers would fall into "No department" and that group's figures could
change by fewer than five answers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet

from onboarding.models import PulseResponse
from onboarding.selectors import pulse_month

PULSE_MIN_ANSWERS = 5
PULSE_BUCKET = 5
ENPS = "enps"  # the key of the eNPS answer (0–10) in ``PulseResponse.scores``


def pulse_open_month(*, now: datetime | None = None) -> date:
    """The month in progress: it and any later month are never published."""
    return pulse_month(at=now)


def pulse_answers_floor(count: int) -> int:
    """``count`` rounded down to a multiple of ``PULSE_BUCKET``."""
    return count - count % PULSE_BUCKET


def pulse_answers_range(floor: int) -> str:
    """How a bucketed count reads: 5 reads "5–9"."""
    return f"{floor}–{floor + PULSE_BUCKET - 1}"


@dataclass
class PulseCell:
    """The answers to one survey in one path, one department and one month."""

    module_id: int
    path_id: int
    department_id: int | None
    month: date
    path_tree: str = ""  # the path's place in the page tree, for ordering
    path_title: str = ""
    department_name: str = ""
    responses: int = 0
    scores: dict[str, list[int]] = field(default_factory=dict)

    def publishable(self) -> dict[str, list[int]]:
        """The statements (and eNPS) that at least five answers here scored."""
        return {
            key: values
            for key, values in self.scores.items()
            if len(values) >= PULSE_MIN_ANSWERS
        }


@dataclass(frozen=True)
class PulseFigure:
    answers: int  # a multiple of ``PULSE_BUCKET``: 5 means five to nine
    value: float | int  # an average (1–5, one decimal) or eNPS (-100–100, tens)

    @property
    def answers_range(self) -> str:
        return pulse_answers_range(self.answers)


@dataclass(frozen=True)
class PulseFigures:
    """A group's published figures: its publishable cells pooled."""

    answers: int  # answers in its cells of five or more, bucketed; 0 for none
    averages: dict[str, PulseFigure]  # by statement id
    enps: PulseFigure | None
    asked: frozenset[str]  # what anyone in the group scored, published or not

    @property
    def published(self) -> bool:
        return bool(self.averages) or self.enps is not None

    @property
    def answers_range(self) -> str:
        return pulse_answers_range(self.answers)


def _score(value) -> int | None:
    """A stored score as an integer on the 0–10 scale; None for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = int(value)
    except ValueError:
        return None
    return number if 0 <= number <= 10 else None


def pulse_cells(
    *, responses: QuerySet[PulseResponse], now: datetime | None = None
) -> list[PulseCell]:
    """The cells of ``responses`` in months that are over, publishable or not.

    One query. Cells that are not publishable are returned too, so a report
    can say that a group's figures are hidden; only ``pulse_pool`` turns cells
    into figures.
    """
    rows = (
        responses.filter(month__lt=pulse_open_month(now=now))
        .order_by()
        .values_list(
            "module_id",
            "path_id",
            "department_id",
            "month",
            "path__path",
            "path__title",
            "department__name",
            "scores",
        )
    )
    cells: dict[tuple, PulseCell] = {}
    for module_id, path_id, department_id, month, tree, title, name, scores in rows:
        key = (module_id, path_id, department_id, month)
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = PulseCell(
                module_id=module_id,
                path_id=path_id,
                department_id=department_id,
                month=month,
                path_tree=tree or "",
                path_title=title or "",
                department_name=name or "",
            )
        cell.responses += 1
        for question, value in (scores or {}).items():
            score = _score(value)
            if score is not None:
                cell.scores.setdefault(str(question), []).append(score)
    return list(cells.values())


def _average(values: list[int]) -> float:
    mean = Decimal(sum(values)) / Decimal(len(values))
    return float(mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _enps(values: list[int]) -> int:
    """Promoters (9–10) minus detractors (0–6), in %, to the nearest 10."""
    promoters = sum(1 for v in values if v >= 9)
    detractors = sum(1 for v in values if v <= 6)
    tens = Decimal(10 * (promoters - detractors)) / Decimal(len(values))
    return int(tens.quantize(Decimal(1), rounding=ROUND_HALF_UP)) * 10


def pulse_pool(*, cells: Iterable[PulseCell]) -> PulseFigures:
    """The figures of a group of cells: only its publishable cells, pooled."""
    pooled: dict[str, list[int]] = defaultdict(list)
    responses = 0
    asked: set[str] = set()
    for cell in cells:
        asked.update(cell.scores)
        if cell.responses >= PULSE_MIN_ANSWERS:
            responses += cell.responses
        for key, values in cell.publishable().items():
            pooled[key].extend(values)
    enps_values = pooled.pop(ENPS, None)
    enps = None
    if enps_values:
        enps = PulseFigure(
            answers=pulse_answers_floor(len(enps_values)), value=_enps(enps_values)
        )
    averages = {
        key: PulseFigure(
            answers=pulse_answers_floor(len(values)), value=_average(values)
        )
        for key, values in pooled.items()
    }
    return PulseFigures(
        answers=pulse_answers_floor(responses),
        averages=averages,
        enps=enps,
        asked=frozenset(asked),
    )
