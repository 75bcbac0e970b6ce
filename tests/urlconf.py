"""Every address of the URLConf, as a URL one can request, for tests that walk them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from re import _parser as regex_parser

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

# Values for path converters: by default ids no object has, so a walk that
# posts deletes nothing.
CONVERTER_SAMPLES = {
    "IntConverter": "987654",
    "StringConverter": "x",
    "SlugConverter": "x",
    "PathConverter": "x",
    "UUIDConverter": "00000000-0000-0000-0000-000000000000",
}


def _regex_sample(tree) -> str:
    """A short string that a parsed regular expression matches."""
    out = []
    for op, value in tree:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(value))
        elif name in {"ANY", "NOT_LITERAL"}:
            out.append("a")
        elif name == "IN":
            out.append(_set_sample(value))
        elif name in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}:
            low, high, sub = value
            out.append(_regex_sample(sub) * min(max(low, 1), high))
        elif name == "SUBPATTERN":
            out.append(_regex_sample(value[-1]))
        elif name == "BRANCH":
            out.append(_regex_sample(value[1][-1]))
        elif name == "ATOMIC_GROUP":
            out.append(_regex_sample(value))
    return "".join(out)


def _set_sample(items) -> str:
    for op, value in items:
        name = str(op)
        if name == "LITERAL":
            return chr(value)
        if name == "RANGE":
            return chr(value[1])
        if name == "CATEGORY":
            return "1" if "DIGIT" in str(value) else "a"
    return "a"


def _segment_sample(pattern, samples: dict[str, str]) -> str:
    if isinstance(pattern, RoutePattern):
        route = str(pattern._route)
        for name, converter in pattern.converters.items():
            sample = samples.get(type(converter).__name__, "x")
            route = re.sub(rf"<(?:\w+:)?{name}>", sample, route)
        return route
    assert isinstance(pattern, RegexPattern)
    regex = pattern._regex
    sample = _regex_sample(regex_parser.parse(regex.lstrip("^").rstrip("$")))
    assert re.match(regex, sample), (regex, sample)
    return sample


def every_url(**samples: str) -> Iterator[tuple[str, str]]:
    """(URL, view) for every pattern of the URLConf, includes followed.

    ``samples`` overrides a converter's value, e.g. ``IntConverter="12"``.
    """
    samples = CONVERTER_SAMPLES | samples

    def walk(patterns, prefix: str) -> Iterator[tuple[str, str]]:
        for entry in patterns:
            here = prefix + _segment_sample(entry.pattern, samples)
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, here)
            elif isinstance(entry, URLPattern):
                yield "/" + here, entry.lookup_str

    seen = set()
    for url, view in walk(get_resolver().url_patterns, ""):
        if url not in seen:
            seen.add(url)
            yield url, view
