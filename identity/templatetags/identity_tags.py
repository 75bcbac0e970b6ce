"""Template helpers for identity pages, search results and values."""

from __future__ import annotations

import unicodedata

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from identity.selectors import page_content_language, search_terms_parse

register = template.Library()


def _fold(text: str) -> tuple[str, list[int]]:
    """``text`` without case or accents, and where each folded character came from.

    "Canción" folds to "cancion"; the positions let a match in the folded text
    be marked on the original, accents and all.
    """
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        bare = "".join(
            c
            for c in unicodedata.normalize("NFD", char)
            if not unicodedata.combining(c)
        )
        for c in bare.casefold():
            folded.append(c)
            origin.append(index)
    return "".join(folded), origin


def _spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Merged (start, end) spans of ``text`` where a word starts with a term."""
    folded, origin = _fold(text)
    found: list[tuple[int, int]] = []
    # One letter would mark half the words of a title.
    for term in {_fold(term)[0] for term in terms} - {""}:
        if len(term) < 2:
            continue
        start = folded.find(term)
        while start != -1:
            if start == 0 or not folded[start - 1].isalnum():
                end = start + len(term)
                found.append((origin[start], origin[end - 1] + 1))
            start = folded.find(term, start + 1)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


@register.filter
def highlight(text: object, query: str | None) -> SafeString:
    """Escape ``text`` and wrap the words that start with a query word in <mark>.

    Matching ignores case and accents ("cancion" marks "Canción"). Every piece
    of the text is escaped, so HTML in a title is shown, never run.
    """
    text = "" if text is None else str(text)
    terms = search_terms_parse(query=query or "")
    if not text or not terms:
        return escape(text)
    pieces: list[str] = []
    position = 0
    for start, end in _spans(text, terms):
        pieces.append(escape(text[position:start]))
        pieces.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    pieces.append(escape(text[position:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece is escaped


@register.filter
def content_language(page) -> str:
    """The language code of ``page``'s content, e.g. "es" for an English alias."""
    return page_content_language(page=page)
