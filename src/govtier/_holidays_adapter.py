"""The one place govtier talks to the ``holidays`` package.

It turns ``holidays.VN`` into plain data: for each day that is not an ordinary weekday, what the
package says it is (a public holiday, a day off in lieu, a swapped day) and which law stands behind
it. ``holidays`` is imported on first use, never at ``import govtier``.
"""

from __future__ import annotations

import datetime as dt
import re

import attrs

from govtier.legal import LegalSource

__all__ = ["HolidayFact", "vietnam_facts"]

LABOUR_CODE_HOLIDAYS = LegalSource(
    document="Labour Code 45/2019/QH14",
    article="Art. 112(1)",
    title="public holidays with full pay",
)
LABOUR_CODE_IN_LIEU = LegalSource(
    document="Labour Code 45/2019/QH14",
    article="Art. 111(3)",
    title="a weekly day off that coincides with a public holiday is compensated on the next "
    "working day",
)
GOVERNMENT_SWAP = LegalSource(
    document="yearly Government/Prime Minister notice on holiday schedules for civil servants",
    title="day swap recorded in the holidays package (see its Vietnam module for the dispatch)",
)
CULTURE_DAY = LegalSource(
    document="Politburo Resolution 80-NQ/TW",
    title="24 November, Vietnam Culture Day: a day off in the holidays package since 2026; "
    "the Labour Code amendment that makes it a paid holiday was not confirmed (pending)",
)

_SUBSTITUTED = re.compile(r"substituted from (\d\d)/(\d\d)/(\d{4})", re.IGNORECASE)


@attrs.frozen(kw_only=True)
class HolidayFact:
    """One day as ``holidays.VN`` describes it.

    Attributes:
        date: the day.
        name: the package's English name.
        kind: ``"holiday"``, ``"in_lieu"``, ``"swapped_off"``, ``"swapped_in"``,
            ``"culture_day"`` or ``"culture_day_in_lieu"``.
        source: the law behind it.
    """

    date: dt.date
    name: str
    kind: str
    source: LegalSource


def vietnam_facts(first_year: int, last_year: int) -> list[HolidayFact]:
    """Every holiday, day in lieu and swapped day ``holidays.VN`` knows in the years given.

    Years one before and one after the range are read too, so that a swap that crosses a year
    boundary is never missed.
    """
    import holidays

    years = range(first_year - 1, last_year + 2)
    vn = holidays.country_holidays("VN", years=years, language="en_US")
    facts: list[HolidayFact] = []
    for day, names in sorted(vn.items()):
        for name in str(names).split("; "):
            facts.append(_classify(day, name))
    facts.extend(
        HolidayFact(
            date=day,
            name="Working day (swapped with a day off)",
            kind="swapped_in",
            source=GOVERNMENT_SWAP,
        )
        for day in sorted(vn.weekend_workdays)
        if first_year - 1 <= day.year <= last_year + 1
    )
    return facts


def _classify(day: dt.date, name: str) -> HolidayFact:
    lowered = name.lower()
    if "substituted" in lowered:
        match = _SUBSTITUTED.search(name)
        swapped = name
        if match:
            month, dom, year = (int(g) for g in match.groups())
            swapped = (
                f"Day off in exchange for working Saturday {dt.date(year, month, dom):%d/%m/%Y}"
            )
        return HolidayFact(date=day, name=swapped, kind="swapped_off", source=GOVERNMENT_SWAP)
    if "cultur" in lowered:
        kind = "culture_day_in_lieu" if "observed" in lowered else "culture_day"
        return HolidayFact(date=day, name=name, kind=kind, source=CULTURE_DAY)
    if "observed" in lowered:
        return HolidayFact(date=day, name=name, kind="in_lieu", source=LABOUR_CODE_IN_LIEU)
    return HolidayFact(date=day, name=name, kind="holiday", source=LABOUR_CODE_HOLIDAYS)
