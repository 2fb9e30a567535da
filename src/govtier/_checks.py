"""Argument checks shared by every layer: aware moments and whole counts.

Private: the public modules import these, users see them only through the errors they raise.
The Vietnam time zone lives here too, because the aware-moment check converts to it; the public
name is :data:`govtier.calendar.VIETNAM_TZ`.
"""

from __future__ import annotations

import datetime as dt
import operator
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from govtier.errors import InvalidInputError, OutOfRangeError

__all__ = ["VIETNAM_TZ", "check_aware", "check_count"]


def _vietnam_tz() -> dt.tzinfo:
    try:
        return ZoneInfo("Asia/Ho_Chi_Minh")
    except ZoneInfoNotFoundError:  # pragma: no cover - machines without a tz database
        from dateutil import tz

        zone = tz.gettz("Asia/Ho_Chi_Minh")
        if zone is None:
            return dt.timezone(dt.timedelta(hours=7), "ICT")
        return zone


VIETNAM_TZ: Final[dt.tzinfo] = _vietnam_tz()
"""Asia/Ho_Chi_Minh, the time zone of every moment govtier returns."""


def check_count(value: object, name: str = "n") -> int:
    """``value`` as a whole number of working days, else an error naming ``name``."""
    if isinstance(value, bool):
        msg = f"{name} must be an integer number of working days, got the boolean {value!r}"
        raise InvalidInputError(msg, field=name, value=value)
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        msg = f"{name} must be an integer number of working days, got {value!r}"
        raise InvalidInputError(msg, field=name, value=value) from None


def check_aware(value: object, name: str) -> dt.datetime:
    """``value`` as an aware datetime in Vietnam time, else an error naming ``name``."""
    if type(value) is dt.datetime and value.tzinfo is VIETNAM_TZ and 1 < value.year < 9999:
        return value  # (the common case, checked first: it is already what the rest gives)
    if not isinstance(value, dt.datetime):
        msg = f"{name} must be a timezone-aware datetime, got {type(value).__name__} {value!r}"
        raise InvalidInputError(msg, field=name, value=value)
    if value.tzinfo is None or value.utcoffset() is None:
        msg = (
            f"{name} must be timezone-aware (e.g. tzinfo=govtier.VIETNAM_TZ), "
            f"got the naive datetime {value.isoformat()}"
        )
        raise InvalidInputError(msg, field=name, value=value)
    try:  # a moment must be representable both in UTC (as stored) and in Vietnam
        value.astimezone(dt.UTC)
        return value.astimezone(VIETNAM_TZ)
    except OverflowError:
        msg = f"{name} lies outside the years 1-9999 in UTC or in Vietnam: {value.isoformat()}"
        raise OutOfRangeError(msg, field=name, value=value) from None
