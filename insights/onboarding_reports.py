"""HR reports in the Wagtail admin on onboarding: pulse and knowledge checks.

Like the funnel and the overdue list, these are Wagtail ``ReportView``s, so
filters, pagination and the CSV/XLSX downloads are Wagtail's own, and they need
``insights.view_reports``. Rows come from the selectors below, each in a fixed
number of queries whatever the number of people, answers or attempts.

Pulse and eNPS
--------------
Every figure is published by the one rule of ``insights.pulse`` (read its
docstring): months that are over, cells of one survey, path, department and
month with at least five answers, every grouping made of publishable cells
only, counts as ranges. The report never selects a response's id and never
lists a response. A group with answers but nothing publishable shows a row
saying its figures are hidden, without a count. There is no total row; a
total would be one more grouping, and safe, but adds nothing.

Knowledge checks
----------------
Only submitted attempts count. Answers are scored with the rule of
``onboarding.services.attempt_submit`` (``check_answer_right``), against
the module's current questions; a question removed since an attempt is no
longer counted.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

import django_filters
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import formats
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.models import Locale

from onboarding.models import CheckAttempt, ModulePage, PathPage, PulseResponse
from onboarding.selectors import (
    check_answer_right,
    check_questions,
    paths_modules,
    translations_for_reader,
)
from people.models import Department

from .pulse import ENPS, PulseCell, pulse_cells, pulse_open_month, pulse_pool
from .reports import (
    HRReportView,
    ReportMenuItem,
    report_paths,
    report_urls,
)

HIDDEN = _("Fewer than 5 answers: hidden to keep them anonymous")
ENPS_QUESTION = _("How likely are you to recommend us as a place to work to a friend?")


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _filter_values(filters) -> dict:
    """The filter form's valid values: a bad value is dropped, as if absent.

    Wagtail ignores every filter when one is invalid; here the others still
    apply, and nothing errors.
    """
    if filters is None:
        return {}
    form = filters.form
    form.is_valid()
    return {
        name: value
        for name, value in getattr(form, "cleaned_data", {}).items()
        if value not in (None, "", [])
    }


def _reader_modules(modules: Iterable[ModulePage]) -> dict[int, ModulePage]:
    """Each module in the reader's language when translated, else itself."""
    modules = list(modules)
    translated = translations_for_reader(modules)
    return {m.pk: translated.get(m.pk, m) for m in modules}


# --- Pulse and eNPS ---------------------------------------------------------------

GROUPINGS: dict[str, tuple[str, ...]] = {
    "path": ("path",),
    "department": ("department",),
    "month": ("month",),
    "path_department": ("path", "department"),
    "path_month": ("path", "month"),
    "department_month": ("department", "month"),
    "path_department_month": ("path", "department", "month"),
}
GROUPING_CHOICES = [
    ("path", _("Path")),
    ("department", _("Department")),
    ("month", _("Month")),
    ("path_department", _("Path and department")),
    ("path_month", _("Path and month")),
    ("department_month", _("Department and month")),
    ("path_department_month", _("Path, department and month")),
]
DEFAULT_GROUPING = "path"


@dataclass(frozen=True)
class PulseRow:
    """One statement (or the eNPS question) of one survey in one group."""

    path: str
    department: str
    month: str
    survey: str
    question: str
    answers: str  # a range ("5–9"), or why the figures are hidden
    average: float | None  # 1–5
    enps: int | None  # -100–100


def pulse_responses(
    *,
    path: PathPage | None = None,
    department: Department | None = None,
    month_from: date | None = None,
    month_to: date | None = None,
) -> QuerySet[PulseResponse]:
    """Answers in the chosen path, department and months (whole months)."""
    responses = PulseResponse.objects.all()
    if path is not None:
        responses = responses.filter(path=path)
    if department is not None:
        responses = responses.filter(department=department)
    if month_from is not None:
        responses = responses.filter(month__gte=month_from.replace(day=1))
    if month_to is not None:
        responses = responses.filter(month__lte=month_to)
    return responses


def pulse_rows(
    *,
    responses: QuerySet[PulseResponse],
    group_by: Sequence[str] = ("path",),
    now: datetime | None = None,
) -> list[PulseRow]:
    """Figures per statement and eNPS, per survey and group, never per answer.

    ``group_by`` names any of "path", "department" and "month". Only months
    that are over count, and each group's figures pool its publishable cells
    (``insights.pulse``). Four queries at most: the answers' cells, the
    surveys, and their words in the reader's language.
    """
    groups: dict[tuple, dict[int, list[PulseCell]]] = defaultdict(
        lambda: defaultdict(list)
    )
    by_path, by_department, by_month = (
        name in group_by for name in ("path", "department", "month")
    )
    for cell in pulse_cells(responses=responses, now=now):
        key = (
            (cell.path_tree, cell.path_title) if by_path else None,
            (
                (cell.department_id is None, cell.department_name)
                if by_department
                else None
            ),
            cell.month if by_month else None,
        )
        groups[key][cell.module_id].append(cell)
    if not groups:
        return []

    module_ids = {module_id for surveys in groups.values() for module_id in surveys}
    modules = {
        m.pk: m for m in ModulePage.objects.filter(pk__in=module_ids).order_by("path")
    }
    shown = _reader_modules(modules.values())
    survey_order = {pk: index for index, pk in enumerate(modules)}

    result: list[PulseRow] = []
    for key in sorted(groups, key=_group_sort_key):
        labels = _group_labels(key)
        surveys = groups[key]
        for module_id in sorted(surveys, key=lambda pk: survey_order.get(pk, 0)):
            module = modules.get(module_id)
            if module is None:
                continue
            result.extend(
                _survey_rows(
                    module=module,
                    display=shown[module_id],
                    cells=surveys[module_id],
                    labels=labels,
                )
            )
    return result


def _group_labels(key: tuple) -> dict[str, str]:
    path_key, department_key, month = key
    department = ""
    if department_key is not None:
        no_department, name = department_key
        department = str(_("No department")) if no_department else name
    return {
        "path": path_key[1] if path_key else "",
        "department": department,
        "month": formats.date_format(month, "YEAR_MONTH_FORMAT") if month else "",
    }


def _group_sort_key(key: tuple) -> tuple:
    path_key, department_key, month = key
    return (path_key or ("", ""), department_key or (False, ""), month or date.min)


def _survey_rows(
    *,
    module: ModulePage,
    display: ModulePage,
    cells: list[PulseCell],
    labels: dict,
) -> list[PulseRow]:
    survey = module.title
    figures = pulse_pool(cells=cells)
    if not figures.published:
        return [
            PulseRow(
                **labels,
                survey=survey,
                question="",
                answers=str(HIDDEN),
                average=None,
                enps=None,
            )
        ]
    words = {
        str(block.id): block.value["question"] for block in display.pulse_questions
    }
    rows = []
    for block in module.pulse_questions:
        block_id = str(block.id)
        if block_id not in figures.asked:
            continue
        figure = figures.averages.get(block_id)
        rows.append(
            PulseRow(
                **labels,
                survey=survey,
                question=words.get(block_id, block.value["question"]),
                answers=figure.answers_range if figure else str(HIDDEN),
                average=figure.value if figure else None,
                enps=None,
            )
        )
    if ENPS in figures.asked:
        rows.append(
            PulseRow(
                **labels,
                survey=survey,
                question=str(ENPS_QUESTION),
                answers=figures.enps.answers_range if figures.enps else str(HIDDEN),
                average=None,
                enps=figures.enps.value if figures.enps else None,
            )
        )
    return rows


class PulseFilterSet(WagtailFilterSet):
    group_by = django_filters.ChoiceFilter(
        label=_("Group by"),
        choices=GROUPING_CHOICES,
        empty_label=None,
        method="keep_all",
    )
    path = django_filters.ModelChoiceFilter(
        label=_("Path"), queryset=lambda request: report_paths()
    )
    department = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=Department.objects.all()
    )
    month = django_filters.DateFromToRangeFilter(
        label=_("Months answered"), widget=DateRangePickerWidget
    )

    class Meta:
        model = PulseResponse
        fields = ["group_by", "path", "department", "month"]

    def keep_all(self, queryset, name, value):
        """Grouping changes the rows, not which answers are read."""
        return queryset


def _local_date(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


class PulseView(HRReportView):
    page_title = _("Pulse and eNPS")
    header_icon = "comment"
    index_url_name = "insights_pulse"
    index_results_url_name = "insights_pulse_results"
    results_template_name = "insights/admin/pulse_results.html"
    filterset_class = PulseFilterSet
    export_filename = "pulse-enps"
    export_headings = {
        "path": _("Path"),
        "department": _("Department"),
        "month": _("Month"),
        "survey": _("Survey"),
        "question": _("Question"),
        "answers": _("Answers"),
        "average": _("Average (1–5)"),
        "enps": _("eNPS"),
    }

    @cached_property
    def chosen(self) -> dict:
        return _filter_values(self.filters)

    @cached_property
    def group_by(self) -> tuple[str, ...]:
        return GROUPINGS[self.chosen.get("group_by") or DEFAULT_GROUPING]

    @cached_property
    def list_export(self) -> list[str]:
        return [
            *self.group_by,
            "survey",
            "question",
            "answers",
            "average",
            "enps",
        ]

    @cached_property
    def columns(self) -> list[Column]:
        return [
            Column(name, label=self.export_headings[name]) for name in self.list_export
        ]

    def get_queryset(self):
        return PulseResponse.objects.all()

    def get_filtered_queryset(self):
        months = self.chosen.get("month")
        return pulse_rows(
            responses=pulse_responses(
                path=self.chosen.get("path"),
                department=self.chosen.get("department"),
                month_from=_local_date(months.start) if months else None,
                month_to=_local_date(months.stop) if months else None,
            ),
            group_by=self.group_by,
        )

    @cached_property
    def no_results_message(self):
        if PulseResponse.objects.filter(month__lt=pulse_open_month()).exists():
            return _("No pulse survey answers match these filters.")
        if PulseResponse.objects.exists():
            return _("This month's answers appear here once the month is over.")
        return _("Nobody has answered a pulse survey yet.")


# --- Knowledge checks -------------------------------------------------------------


def check_modules(*, path: PathPage | None = None) -> list[ModulePage]:
    """Live modules with a knowledge check in live paths, in tree order.

    Two queries: the paths and their modules. Each module carries its path as
    ``report_path``.
    """
    paths = [p for p in report_paths() if path is None or p.pk == path.pk]
    by_path = paths_modules(paths=paths)
    modules = []
    for parent in paths:  # tree order, as the modules within each
        for module in by_path.get(parent.pk, []):
            if module.has_check:
                module.report_path = parent
                modules.append(module)
    return modules


def check_attempts(
    *,
    path: PathPage | None = None,
    department: Department | None = None,
    submitted_from: datetime | None = None,
    submitted_to: datetime | None = None,
) -> QuerySet[CheckAttempt]:
    """Submitted attempts, by the path and department of whoever made them."""
    attempts = CheckAttempt.objects.filter(submitted_at__isnull=False)
    if path is not None:
        attempts = attempts.filter(enrolment__path=path)
    if department is not None:
        attempts = attempts.filter(enrolment__employee__department=department)
    if submitted_from is not None:
        attempts = attempts.filter(submitted_at__gte=submitted_from)
    if submitted_to is not None:
        attempts = attempts.filter(submitted_at__lte=submitted_to)
    return attempts


@dataclass(frozen=True)
class CheckRow:
    path: str
    module: str
    people: int  # who submitted at least one attempt
    passed: int
    pass_rate: int | None
    average_attempts: float | None
    first_attempt_pass_rate: int | None


def check_rows(
    *, modules: list[ModulePage], attempts: QuerySet[CheckAttempt]
) -> list[CheckRow]:
    """Per module: people, pass rate, attempts per person, first-attempt passes.

    Pass rate: people who passed ÷ people who submitted at least once. The
    first-attempt pass rate counts the people whose very first attempt is
    among ``attempts``. One query.
    """
    if not modules:
        return []
    figures = {
        row["module_id"]: row
        for row in attempts.filter(module_id__in=[m.pk for m in modules])
        .order_by()
        .values("module_id")
        .annotate(
            n_people=Count("enrolment_id", distinct=True),
            n_passed=Count("enrolment_id", filter=Q(passed=True), distinct=True),
            n_attempts=Count("pk"),
            n_first=Count("pk", filter=Q(number=1)),
            n_first_passed=Count("pk", filter=Q(number=1, passed=True)),
        )
    }
    rows = []
    for module in modules:
        row = figures.get(module.pk, {})
        people, passed = row.get("n_people", 0), row.get("n_passed", 0)
        rows.append(
            CheckRow(
                path=module.report_path.title,
                module=module.title,
                people=people,
                passed=passed,
                pass_rate=_percent(passed, people),
                average_attempts=(
                    round(row["n_attempts"] / people, 1) if people else None
                ),
                first_attempt_pass_rate=_percent(
                    row.get("n_first_passed", 0), row.get("n_first", 0)
                ),
            )
        )
    return rows


@dataclass(frozen=True)
class QuestionRow:
    path: str
    module: str
    question: str
    answered: int
    wrong: int
    percent_wrong: int | None


def question_rows(
    *, modules: list[ModulePage], attempts: QuerySet[CheckAttempt]
) -> list[QuestionRow]:
    """Every question of the modules someone answered, most often failed first.

    Each submitted answer is scored again with the options the person was
    shown (the attempt's layout) and the question's current correct options.
    Questions in the reader's language when the module is translated. Three
    queries at most: the answers and the modules' translations.
    """
    answers = list(
        attempts.filter(module_id__in=[m.pk for m in modules])
        .order_by()
        .values_list("module_id", "layout", "answers")
    )
    answered_ids = {module_id for module_id, _layout, _chosen in answers}
    answered_modules = [m for m in modules if m.pk in answered_ids]
    if not answered_modules:
        return []
    shown = _reader_modules(answered_modules)
    questions = {
        module.pk: {
            q.id: q for q in check_questions(source=module, display=shown[module.pk])
        }
        for module in answered_modules
    }
    answered: Counter = Counter()
    wrong: Counter = Counter()
    for module_id, layout, chosen in answers:
        for question_id, option_ids in layout:
            question = questions[module_id].get(question_id)
            if question is None:
                continue  # removed since
            offered = set(option_ids)
            seen = replace(
                question, options=[o for o in question.options if o.id in offered]
            )
            answered[module_id, question_id] += 1
            if not check_answer_right(
                question=seen, chosen=(chosen or {}).get(question_id, [])
            ):
                wrong[module_id, question_id] += 1

    rows = [
        QuestionRow(
            path=module.report_path.title,
            module=module.title,
            question=question.text,
            answered=answered[module.pk, question.id],
            wrong=wrong[module.pk, question.id],
            percent_wrong=_percent(
                wrong[module.pk, question.id], answered[module.pk, question.id]
            ),
        )
        for module in answered_modules
        for question in questions[module.pk].values()
    ]
    # Stable: ties keep the modules' and questions' own order.
    return sorted(
        rows,
        key=lambda row: (
            row.percent_wrong is None,
            -(row.percent_wrong or 0),
            -row.wrong,
        ),
    )


class ChecksFilterSet(WagtailFilterSet):
    path = django_filters.ModelChoiceFilter(
        label=_("Path"),
        field_name="enrolment__path",
        queryset=lambda request: report_paths(),
    )
    department = django_filters.ModelChoiceFilter(
        label=_("Department"),
        field_name="enrolment__employee__department",
        queryset=Department.objects.all(),
    )
    submitted = django_filters.DateFromToRangeFilter(
        label=_("Attempts submitted"),
        field_name="submitted_at",
        widget=DateRangePickerWidget,
    )

    class Meta:
        model = CheckAttempt
        fields = ["path", "department", "submitted"]


def _modules_with_attempts(request) -> QuerySet[ModulePage]:
    return (
        ModulePage.objects.live()
        .filter(
            locale=Locale.get_default(),
            pk__in=CheckAttempt.objects.values("module_id"),
        )
        .order_by("path")
    )


class CheckQuestionsFilterSet(ChecksFilterSet):
    module = django_filters.ModelChoiceFilter(
        label=_("Module"), queryset=_modules_with_attempts
    )

    class Meta:
        model = CheckAttempt
        fields = ["path", "module", "department", "submitted"]


class _ChecksReport(HRReportView):
    """What both knowledge-check views share: their filters and data."""

    @cached_property
    def chosen(self) -> dict:
        return _filter_values(self.filters)

    @cached_property
    def modules(self) -> list[ModulePage]:
        modules = check_modules(path=self.chosen.get("path"))
        module = self.chosen.get("module")
        if module is not None:
            modules = [m for m in modules if m.pk == module.pk]
        return modules

    @cached_property
    def attempts(self) -> QuerySet[CheckAttempt]:
        submitted = self.chosen.get("submitted")
        return check_attempts(
            path=self.chosen.get("path"),
            department=self.chosen.get("department"),
            submitted_from=submitted.start if submitted else None,
            submitted_to=submitted.stop if submitted else None,
        )

    def get_queryset(self):
        return CheckAttempt.objects.all()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        for name in ["export", "p", "module", "_w_filter_fragment"]:
            query.pop(name, None)
        context["filter_query"] = query.urlencode()
        return context


class KnowledgeChecksView(_ChecksReport):
    page_title = _("Knowledge checks")
    header_icon = "tasks"
    index_url_name = "insights_checks"
    index_results_url_name = "insights_checks_results"
    results_template_name = "insights/admin/checks_results.html"
    filterset_class = ChecksFilterSet
    paginate_by = None
    export_filename = "knowledge-checks"
    columns = [
        Column("path", label=_("Path")),
        Column("module", label=_("Module")),
        Column("people", label=_("People who attempted")),
        Column("passed", label=_("Passed")),
        Column("pass_rate", label=_("Pass rate (%)")),
        Column("average_attempts", label=_("Attempts per person")),
        Column("first_attempt_pass_rate", label=_("First-attempt pass rate (%)")),
    ]
    list_export = [
        "path",
        "module",
        "people",
        "passed",
        "pass_rate",
        "average_attempts",
        "first_attempt_pass_rate",
    ]
    export_headings = {column.name: column.label for column in columns}

    def get_filtered_queryset(self):
        return check_rows(modules=self.modules, attempts=self.attempts)

    @cached_property
    def no_results_message(self):
        return _("No live path has a module with a knowledge check.")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["questions_url"] = reverse("insights_check_questions")
        return context


class CheckQuestionsView(_ChecksReport):
    page_title = _("Questions most often failed")
    header_icon = "tasks"
    index_url_name = "insights_check_questions"
    index_results_url_name = "insights_check_questions_results"
    results_template_name = "insights/admin/checks_questions_results.html"
    filterset_class = CheckQuestionsFilterSet
    export_filename = "knowledge-check-questions"
    columns = [
        Column("path", label=_("Path")),
        Column("module", label=_("Module")),
        Column("question", label=_("Question")),
        Column("answered", label=_("Answers")),
        Column("wrong", label=_("Wrong")),
        Column("percent_wrong", label=_("% wrong")),
    ]
    list_export = ["path", "module", "question", "answered", "wrong", "percent_wrong"]
    export_headings = {column.name: column.label for column in columns}

    def get_filtered_queryset(self):
        return question_rows(modules=self.modules, attempts=self.attempts)

    @cached_property
    def no_results_message(self):
        return _("Nobody has submitted a knowledge check that matches these filters.")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["checks_url"] = reverse("insights_checks")
        return context


# --- Admin URLs and menu items ----------------------------------------------------


@hooks.register("register_admin_urls")
def register_onboarding_report_urls():
    return [
        *report_urls("reports/pulse/", "insights_pulse", PulseView),
        *report_urls(
            "reports/knowledge-checks/", "insights_checks", KnowledgeChecksView
        ),
        *report_urls(
            "reports/knowledge-checks/questions/",
            "insights_check_questions",
            CheckQuestionsView,
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_pulse_menu_item():
    return ReportMenuItem(
        _("Pulse and eNPS"),
        reverse("insights_pulse"),
        name="pulse-enps",
        icon_name="comment",
        order=120,
    )


@hooks.register("register_reports_menu_item")
def register_checks_menu_item():
    return ReportMenuItem(
        _("Knowledge checks"),
        reverse("insights_checks"),
        name="knowledge-checks",
        icon_name="tasks",
        order=125,
    )
