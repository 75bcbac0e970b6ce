"""Reads about identity content: site search and where each value is used."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from uuid import UUID

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from wagtail.models import Locale, Page, ReferenceIndex
from wagtail.search.backends.base import BaseSearchResults

from .models import Value

# Longer queries are cut: nobody types more, and each word costs the database.
MAX_QUERY_WORDS = 10
_WORD = re.compile(r"\w+")


def search_terms_parse(*, query: str) -> list[str]:
    """The words of a query, without the punctuation search backends choke on.

    SQLite's full-text syntax fails on a lone double quote, for example, so
    only words ever reach the backend (and the highlighter).
    """
    return _WORD.findall(query)[:MAX_QUERY_WORDS]


def _readable_in(*, locale: Locale, translated: QuerySet) -> Q:
    """Items in ``locale``, plus default-language items not translated into it.

    ``translated`` lists the items that count as a translation in ``locale``.
    This mirrors ``HomePage.route``: a reader reaches a Spanish-only page
    instead of a 404, so search and lists should show it too.
    """
    default = Locale.get_default()
    if locale.pk == default.pk:
        return Q(locale=locale)
    return Q(locale=locale) | (
        Q(locale=default) & ~Q(translation_key__in=translated.values("translation_key"))
    )


def page_search(*, query: str, locale: Locale) -> BaseSearchResults | QuerySet[Page]:
    """Live, public pages that match ``query``, in the reader's language.

    Pages not translated into it come in the default language, as ``route``
    serves them.

    Returns Wagtail search results (sliceable and countable, so a Paginator
    takes them), best match first, as their specific page types.
    """
    terms = search_terms_parse(query=query)
    if not terms:
        return Page.objects.none()
    readable = _readable_in(
        locale=locale, translated=Page.objects.live().filter(locale=locale)
    )
    pages = Page.objects.live().public().filter(readable).specific()
    return pages.search(" ".join(terms))


def page_content_language(*, page: Page) -> str:
    """The language a page is written in; an alias mirrors its source's content."""
    if page.alias_of_id:
        source = Page.objects.filter(pk=page.alias_of_id)
        language = source.values_list("locale__language_code", flat=True).first()
        if language:
            return language
    return page.locale.language_code


@dataclass
class ValueUsage:
    """A value and the live pages, in the reader's language, that reference it."""

    value: Value
    pages: list[Page] = field(default_factory=list)


def value_list(*, locale: Locale) -> list[ValueUsage]:
    """The company's values in the reader's language, each with where it is used.

    A page may reference the value in any language (a page translated with
    ``copy_for_translation`` keeps the Spanish value), so references to every
    translation of a value count, and each page is shown once, in the reader's
    language where a live translation exists. The number of queries does not
    grow with the number of values or pages.
    """
    values = list(
        Value.objects.filter(
            _readable_in(locale=locale, translated=Value.objects.filter(locale=locale))
        )
        .select_related("locale")
        .order_by("sort_order", "name")
    )
    if not values:
        return []

    every_translation = Value.objects.filter(
        translation_key__in=[value.translation_key for value in values]
    )
    key_by_value_pk = {
        str(pk): key
        for pk, key in every_translation.values_list("pk", "translation_key")
    }
    references = (
        ReferenceIndex.get_references_to_in_bulk(every_translation)
        .filter(base_content_type=ContentType.objects.get_for_model(Page))
        .values_list("to_object_id", "object_id")
        .distinct()
    )
    value_keys_by_page_pk: dict[int, set[UUID]] = defaultdict(set)
    for value_pk, page_pk in references:
        value_keys_by_page_pk[int(page_pk)].add(key_by_value_pk[value_pk])

    # One page per translation key, in the reader's language where possible.
    pages_by_key: dict[UUID, Page] = {}
    value_keys_by_page_key: dict[UUID, set[UUID]] = defaultdict(set)
    referencing = Page.objects.live().public().filter(pk__in=value_keys_by_page_pk)
    for page in referencing.select_related("locale"):
        value_keys_by_page_key[page.translation_key] |= value_keys_by_page_pk[page.pk]
        pages_by_key.setdefault(page.translation_key, page)
    localized = (
        Page.objects.live()
        .public()
        .filter(locale=locale, translation_key__in=list(pages_by_key))
        .select_related("locale")
    )
    for page in localized:
        pages_by_key[page.translation_key] = page

    pages_by_value_key: dict[UUID, list[Page]] = defaultdict(list)
    for page_key, page in pages_by_key.items():
        for value_key in value_keys_by_page_key[page_key]:
            pages_by_value_key[value_key].append(page)
    return [
        ValueUsage(
            value=value,
            pages=sorted(
                pages_by_value_key[value.translation_key],
                key=lambda page: page.title.casefold(),
            ),
        )
        for value in values
    ]
