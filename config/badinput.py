"""Input no view can store or look up is refused before any view runs.

PostgreSQL refuses a NUL byte in text: a query or form value carrying one
would reach the database as a lookup and fail there as a server error, on
whichever page first uses it. Django's form fields already refuse NUL, but
views also read query parameters, cookies and headers directly. So a request
with a NUL byte anywhere a person types (the path, the query string, a header
or cookie, a form field of a URL-encoded or multipart body) is answered 400
with a page that says why, and changes nothing. Uploaded files' *contents* are
not looked at: they are not text for the database, and they stay where
Django's upload handlers put them (memory up to ``FILE_UPLOAD_MAX_MEMORY_SIZE``,
then a temporary file).

A number in the path that no database row can have (past a 64-bit integer)
names nothing: it is answered 404 before the view turns it into a query that
SQLite ("Python int too large to convert to SQLite INTEGER") or PostgreSQL
("value out of range") would refuse. The same numbers in query parameters and
form fields reach the ORM through filters and choosers: Django already turns
an out-of-range ``pk=`` into "no rows", and :func:`lookups_register` does the
same for foreign keys (and page types, whose primary key is one) and ``__in``.

What a browser never sends but a hand-made request can (a form without the
fields its widgets need, rich text that is not JSON, an id that is not a
number, a formset claiming thousands of forms, ``next=`` that is no address)
is answered 400 or 404 as well, never 500: see
:meth:`BadInputMiddleware.process_exception`, :func:`formset_counts_plausible`,
:func:`next_links_drop_unusable` and, for what Wagtail itself gets wrong,
:func:`wagtail_patch`.
"""

from __future__ import annotations

import ast
import logging
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from django.core.exceptions import (
    EmptyResultSet,
    ObjectDoesNotExist,
    ValidationError,
)
from django.core.handlers.exception import response_for_exception
from django.core.paginator import InvalidPage
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils.datastructures import MultiValueDictKeyError
from django.utils.translation import gettext as _

from people.inputs import db_int_in_range, digits_fit

logger = logging.getLogger(__name__)

NUL = "\x00"
NOT_A_NUMBER = re.compile(
    r"^(?:invalid literal for int\(\) with base \d+|"
    r"could not convert string to float): (.*)$",
    re.DOTALL,
)
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(pairs: Iterable[tuple[str, Iterable[str]]]) -> bool:
    return any(
        NUL in key or any(NUL in value for value in values if isinstance(value, str))
        for key, values in pairs
    )


def nul_found_in(request: HttpRequest) -> str | None:
    """Where a NUL byte is in the request (a translated phrase), or ``None``."""
    if NUL in request.path or NUL in request.path_info:
        return _("the address")
    if _has_nul(request.GET.lists()):
        return _("the address")
    headers = (
        (key, [value])
        for key, value in request.META.items()
        if key.startswith("HTTP_") or key == "CONTENT_TYPE"
    )
    if _has_nul(headers):
        return _("the request headers")
    if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
        # What CsrfViewMiddleware reads next anyway; a malformed body raises
        # MultiPartParserError, which Django answers 400 itself.
        if _has_nul(request.POST.lists()):
            return _("the form")
        if any(NUL in name for name in request.FILES):
            return _("the form")
    return None


def formset_counts_plausible(request: HttpRequest) -> bool:
    """Whether each formset claims no more forms than the form sends fields for.

    Django builds as many forms as ``<prefix>-TOTAL_FORMS`` says, up to 2,000
    whatever the page showed: a hand-made ``TOTAL_FORMS=99999`` on Wagtail's
    group editor keeps a worker busy for most of a minute. Every form of a
    formset sends at least one field (its id, order or a hidden input).
    """
    if request.method != "POST" or request.content_type not in FORM_CONTENT_TYPES:
        return True
    names = list(request.POST)
    for name in names:
        for suffix in ("-TOTAL_FORMS", "-INITIAL_FORMS"):
            if not name.endswith(suffix):
                continue
            prefix = name.removesuffix(suffix) + "-"
            fields = sum(
                1
                for other in names
                if other.startswith(prefix) and not other.endswith("_FORMS")
            )
            claimed = request.POST.get(name, "").strip()
            if claimed and not (
                claimed.isascii()
                and claimed.isdigit()
                and len(claimed) < 7
                and int(claimed) <= fields
            ):
                return False
    return True


def bad_input_response(request: HttpRequest, *, where: str | None) -> HttpResponse:
    content = render_to_string(
        "400.html", {"where": where, "request_path": request.path.replace(NUL, "")}
    )
    return HttpResponseBadRequest(content)


class BadInputMiddleware:
    """Answers 400 to NUL bytes and 404 to ids past 64 bits, before any view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = nul_found_in(request)
        if where is not None:
            return bad_input_response(request, where=where)
        if not formset_counts_plausible(request):
            return bad_input_response(request, where=None)
        next_links_drop_unusable(request)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs) -> None:
        ids = [
            *view_args,
            *(
                value
                for name, value in view_kwargs.items()
                if {"id", "pk"} & set(name.split("_"))
            ),
        ]
        for value in ids:
            if isinstance(value, int) and not db_int_in_range(value):
                raise Http404
            # Regex routes pass ids as text (``(?P<pk>\d+)``, ``^(\d+)/``).
            if (
                isinstance(value, str)
                and value.isascii()
                and value.isdigit()
                and not digits_fit(value)
            ):
                raise Http404
        return None

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        """A request the page's own form could not have sent is the sender's mistake.

        - a field the view reads with ``request.POST[name]`` is missing;
        - a widget failed to read its value from the submitted data (a
          StreamField without its ``-count`` field, rich text that is not JSON);
        - a view let a ``ValidationError`` escape (Wagtail's revert of a
          revision with required fields left out);
        - the ORM refused, as not a number, a value that was sent as it is
          (Wagtail's page copy reads the new parent's id straight from POST).

        A page number past the last page, or an object the request names that
        does not exist (Wagtail's page copy again), is "not found" (404), as
        Django's own list views and ``get_object_or_404`` answer.

        Each is logged with its traceback, as a warning.
        """
        if isinstance(exception, InvalidPage) or _missing_object_sent(
            request, exception
        ):
            logger.warning(
                "Not found %s %s: %r",
                request.method,
                request.path,
                exception,
                exc_info=exception,
            )
            return response_for_exception(request, Http404(str(exception)))
        if (
            isinstance(exception, MultiValueDictKeyError | ValidationError)
            or _raised_in(exception, "value_from_datadict")
            or _orm_refused_sent_value(request, exception)
        ):
            logger.warning(
                "Malformed request %s %s: %r",
                request.method,
                request.path,
                exception,
                exc_info=exception,
            )
            return bad_input_response(request, where=None)
        return None


def next_links_drop_unusable(request: HttpRequest) -> None:
    """A ``next`` that is neither a path nor a web address is ignored.

    Views pass ``next`` to ``redirect()``, which takes a bare word for the name
    of a URL pattern: ``?next=2024-13-01`` would raise ``NoReverseMatch`` after
    the view had done its work. Without it, the view goes where it would
    have gone anyway.
    """

    def unusable(value: str) -> bool:
        return not value.startswith(("/", "http://", "https://"))

    if any(unusable(value) for value in request.GET.getlist("next")):
        query = request.GET.copy()
        query.setlist("next", [v for v in query.getlist("next") if not unusable(v)])
        request.GET = query
    if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
        if any(unusable(value) for value in request.POST.getlist("next")):
            form = request.POST.copy()
            form.setlist("next", [v for v in form.getlist("next") if not unusable(v)])
            request.POST = form


def _frames(exception: BaseException):
    traceback = exception.__traceback__
    while traceback is not None:
        yield traceback.tb_frame
        traceback = traceback.tb_next


def _raised_in(exception: BaseException, function: str) -> bool:
    return any(frame.f_code.co_name == function for frame in _frames(exception))


def _sent(request: HttpRequest) -> set[str]:
    """Every value of the request: query, form fields, path parameters."""
    sent = {value for _key, values in request.GET.lists() for value in values}
    if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
        sent |= {value for _key, values in request.POST.lists() for value in values}
    match = getattr(request, "resolver_match", None)
    if match is not None:
        sent |= {str(value) for value in (*match.args, *match.kwargs.values())}
    return sent


def _in_django(frame, folder: str) -> bool:
    return Path(frame.f_code.co_filename).parent.match(folder)


def _orm_refused_sent_value(request: HttpRequest, exception: BaseException) -> bool:
    """A model field's ``get_prep_value`` refused a value taken from the request."""
    if not isinstance(exception, ValueError | TypeError | OverflowError):
        return False
    refused = [
        frame.f_locals.get("value")
        for frame in _frames(exception)
        if frame.f_code.co_name == "get_prep_value"
        and _in_django(frame, "django/db/models/fields")
    ]
    if refused:
        return str(refused[-1]) in _sent(request)
    # int("x") or float("x") straight on a query parameter (Wagtail's
    # workflow editor reads ``int(request.GET["p"])``).
    if "for integer string conversion" in str(exception):
        return True  # thousands of digits: only ever typed, never stored
    match = NOT_A_NUMBER.match(str(exception))
    if match is None:
        return False
    try:
        value = ast.literal_eval(match.group(1))
    except (ValueError, SyntaxError):
        return False
    return str(value) in _sent(request)


def _missing_object_sent(request: HttpRequest, exception: BaseException) -> bool:
    """``QuerySet.get()`` found nothing for a value taken from the request."""
    if not isinstance(exception, ObjectDoesNotExist):
        return False
    looked_up = [
        frame.f_locals.get("kwargs") or {}
        for frame in _frames(exception)
        if frame.f_code.co_name == "get" and _in_django(frame, "django/db/models")
    ]
    if not looked_up:
        return False
    sent = _sent(request)
    return any(str(value) in sent for value in looked_up[-1].values())


# --- ORM: ids past 64 bits match nothing ---------------------------------------


def _fits(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int):
        return True
    return db_int_in_range(value)


def lookups_register() -> None:
    """Out-of-range ids match no row in every lookup a request can reach.

    Django does this for ``exact``/``gt``/``lt`` on integer fields, not for
    foreign keys (nor for a page type's ``pk``, a one-to-one key to ``Page``)
    nor for ``__in``: on SQLite those raise ``OverflowError``.
    """
    from django.db.models import ForeignObject, IntegerField
    from django.db.models.fields.related_lookups import RelatedExact, RelatedIn
    from django.db.models.lookups import In

    class RelatedExactInRange(RelatedExact):
        def process_rhs(self, compiler, connection):
            if self.rhs_is_direct_value() and not _fits(self.rhs):
                raise EmptyResultSet
            return super().process_rhs(compiler, connection)

    class InRangeMixin:
        def get_prep_lookup(self):
            prepared = super().get_prep_lookup()
            if self.rhs_is_direct_value() and isinstance(prepared, list | tuple):
                return [value for value in prepared if _fits(value)]
            return prepared

    class RelatedInInRange(InRangeMixin, RelatedIn):
        pass

    class IntegerInInRange(InRangeMixin, In):
        pass

    ForeignObject.register_lookup(RelatedExactInRange, lookup_name="exact")
    ForeignObject.register_lookup(RelatedInInRange, lookup_name="in")
    IntegerField.register_lookup(IntegerInInRange, lookup_name="in")


# --- Wagtail: ids that are not ids ---------------------------------------------


def wagtail_patch() -> None:
    """Wagtail's choosers look up whatever id they are given.

    A chooser widget re-rendering a submitted form, and the "chosen multiple"
    view of every chooser, query ``pk=<value>`` with the value as sent: text
    that is not a number raises ``ValueError`` (500). An id that is not an id
    names nothing, as an id of a deleted object does.
    """
    from wagtail.admin.views.generic.chooser import ChosenMultipleViewMixin
    from wagtail.admin.widgets.chooser import BaseChooser

    if getattr(BaseChooser.get_instance, "bad_input_safe", False):
        return
    get_instance = BaseChooser.get_instance

    def safe_get_instance(self, value):
        try:
            return get_instance(self, value)
        except (ValueError, TypeError, OverflowError, ValidationError):
            return None

    def chosen_multiple_get(self, request):
        pk_field = self.model_class._meta.pk
        usable = []
        for raw in request.GET.getlist("id"):
            try:
                value = pk_field.to_python(raw)
            except ValidationError:
                continue
            if _fits(value):
                usable.append(value)
        return self.get_multiple_chosen_response(self.get_objects(usable))

    safe_get_instance.bad_input_safe = True  # type: ignore[attr-defined]
    BaseChooser.get_instance = safe_get_instance
    ChosenMultipleViewMixin.get = chosen_multiple_get
    _media_usage_filter_patch()
    _sqlite_search_patch()


def _sqlite_search_patch() -> None:
    """A double quote typed in an admin search box on SQLite: no 500.

    The SQLite search backend puts each word between double quotes in an FTS5
    query without doubling the quotes inside it, so ``x"y`` ends the string
    early ("unterminated string"). FTS5 reads ``""`` as a quote inside one.
    """
    from django.db import connections

    if connections["default"].vendor != "sqlite":
        return
    from modelsearch.backends.database.sqlite.query import Lexeme

    as_sql = Lexeme.as_sql

    def quoted_as_sql(self, compiler, connection):
        template, params = as_sql(self, compiler, connection)
        return template, [param.replace('"', '""') for param in params]

    Lexeme.as_sql = quoted_as_sql


def _media_usage_filter_patch() -> None:
    """Searching images or documents with a usage count filter: no 500.

    The filter compares an annotation, which the search backend cannot
    translate (django-modelsearch#51; Wagtail already drops sorting by usage
    while searching). While searching, it filters by id instead: the ids of
    the files whose usage count is in range.
    """
    import django_filters
    from wagtail.admin.filters import BaseMediaFilterSet

    init = BaseMediaFilterSet.__init__

    def __init__(self, *args, is_searching=None, **kwargs):
        init(self, *args, is_searching=is_searching, **kwargs)
        usage = self.filters.get("usage_count")
        if is_searching and usage is not None:
            self.filters["usage_count"] = django_filters.RangeFilter(
                field_name="usage_count",
                label=usage.label,
                widget=type(usage.extra.get("widget", usage.field.widget))(),
                method=_usage_count_by_id,
            )

    BaseMediaFilterSet.__init__ = __init__


def _usage_count_by_id(queryset, name: str, value: slice):
    from wagtail.models import ReferenceIndex

    model = queryset.model
    counted = model.objects.annotate(
        usage_count=ReferenceIndex.usage_count_subquery(model)
    )
    if value.start is not None:
        counted = counted.filter(usage_count__gte=value.start)
    if value.stop is not None:
        counted = counted.filter(usage_count__lte=value.stop)
    return queryset.filter(pk__in=list(counted.values_list("pk", flat=True)))
