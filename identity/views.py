"""Reader-facing identity screens that are not Wagtail pages."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from wagtail.models import Locale

from . import selectors

RESULTS_PER_PAGE = 10
# Enough for any real query; longer input is cut rather than searched.
MAX_QUERY_LENGTH = 200


def search(request: HttpRequest) -> HttpResponse:
    """Search identity content in the reader's language."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    locale = Locale.get_active()
    results = selectors.page_search(query=query, locale=locale)
    paginator = Paginator(results, RESULTS_PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "identity/search.html",
        {
            "search_query": query,
            "searched": bool(selectors.search_terms_parse(query=query)),
            "page_obj": page_obj,
            "page_links": paginator.get_elided_page_range(page_obj.number),
            "reader_locale": locale,
        },
    )


def values(request: HttpRequest) -> HttpResponse:
    """The company's values and the pages where each one is put into practice."""
    locale = Locale.get_active()
    usages = selectors.value_list(locale=locale)
    return render(
        request,
        "identity/values.html",
        {"usages": usages, "reader_locale": locale},
    )
