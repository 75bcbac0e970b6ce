"""Numbers people type, read the way the database can take them.

An id in a query parameter, a form field or a socket's query string is text:
``str.isdigit`` also accepts "²" and "١", which ``int()`` refuses or reads as
a number nobody typed, and twenty digits fit no database column (SQLite raises
``OverflowError``, PostgreSQL "value out of range"). ``id_parse`` gives the id
or ``None``, which every caller treats as "no such thing".
"""

from __future__ import annotations

# BigAutoField, PostgreSQL's bigint and SQLite's INTEGER are signed 64-bit.
DB_INT_MAX = 2**63 - 1
DB_INT_MIN = -(2**63)


def db_int_in_range(value: int) -> bool:
    """Whether ``value`` fits an integer column of every supported database."""
    return DB_INT_MIN <= value <= DB_INT_MAX


def digits_fit(digits: str) -> bool:
    """Whether ASCII digits fit a column, without ``int()`` on thousands of them
    (Python refuses to convert more than 4,300)."""
    significant = digits.lstrip("0")
    return len(significant) <= 19 and int(significant or "0") <= DB_INT_MAX


def id_parse(raw: object) -> int | None:
    """A typed id: ASCII digits that fit the database, else ``None``."""
    text = str(raw).strip()
    if not text.isascii() or not text.isdigit() or not digits_fit(text):
        return None
    return int(text)
