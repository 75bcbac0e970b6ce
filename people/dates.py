"""Date arithmetic that stays inside the calendar.

Stored dates may sit at its ends (an old import, a typo before forms checked
them: 0001-01-01, 9999-12-31), and modules add up to 32,767 days to a start
date. Python raises ``OverflowError`` before year 1 and after 9999; these stop
at the edge instead. A module "released on 9999-12-31" reads as "not yet", a
campaign "ending on 9999-12-31" as "open", which is what such data means.
"""

from __future__ import annotations

import datetime as dt

FIRST_DAY = dt.date.min
LAST_DAY = dt.date.max


def date_add(day: dt.date, days: int | dt.timedelta) -> dt.date:
    """``day + days``, stopping at 0001-01-01 and 9999-12-31."""
    delta = days if isinstance(days, dt.timedelta) else dt.timedelta(days=days)
    try:
        return day + delta
    except OverflowError:
        return LAST_DAY if delta > dt.timedelta(0) else FIRST_DAY


def moment_add(moment: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    """``moment + delta``, stopping a day short of either end of the calendar.

    A day short, so the result can still be shown in any time zone.
    """
    try:
        result = moment + delta
    except OverflowError:
        result = None
    low = dt.datetime.combine(date_add(FIRST_DAY, 1), dt.time.min, moment.tzinfo)
    high = dt.datetime.combine(date_add(LAST_DAY, -1), dt.time.min, moment.tzinfo)
    if result is None:
        return high if delta > dt.timedelta(0) else low
    return min(max(result, low), high)


def day_start(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    """Midnight at the start of ``day`` in ``zone``, kept a day inside the calendar.

    Midnight of 0001-01-01 in Madrid is before year 1 in UTC, which the
    database cannot take; any day at the ends is moved one day in.
    """
    day = min(max(day, date_add(FIRST_DAY, 1)), date_add(LAST_DAY, -1))
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone)
