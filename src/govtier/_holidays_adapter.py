"""The one place govtier talks to the ``holidays`` package.

It turns ``holidays.VN`` into plain data: for each day that is not an ordinary weekday, what the
package says it is (a public holiday, a day off in lieu, a swapped day) and which law stands behind
it. ``holidays`` is imported on first use, never at ``import govtier``.
"""

from __future__ import annotations

import datetime as dt
import re

import attrs

from govtier.i18n import N_, tr
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
    document=N_("yearly Government/Prime Minister notice on holiday schedules for civil servants"),
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
        name_vi: the package's Vietnamese name (``language="vi"``), with the official spelling
            "Tết Nguyên đán" (the package writes "Nguyên Đán").
        kind: ``"holiday"``, ``"in_lieu"``, ``"swapped_off"``, ``"swapped_in"``,
            ``"culture_day"`` or ``"culture_day_in_lieu"``.
        source: the law behind it.
    """

    date: dt.date
    name: str
    kind: str
    source: LegalSource
    name_vi: str | None = None


def vietnam_facts(first_year: int, last_year: int) -> list[HolidayFact]:
    """Every holiday, day in lieu and swapped day ``holidays.VN`` knows in the years given.

    Years one before and one after the range are read too, so that a swap that crosses a year
    boundary is never missed.
    """
    import holidays

    years = range(first_year - 1, last_year + 2)
    vn = holidays.country_holidays("VN", years=years, language="en_US")
    vn_vi = holidays.country_holidays("VN", years=years, language="vi")
    facts: list[HolidayFact] = []
    for day, names in sorted(vn.items()):
        vi_names = str(vn_vi.get(day, "")).split("; ")
        for position, name in enumerate(str(names).split("; ")):
            vi_name = vi_names[position] if position < len(vi_names) else None
            facts.append(_classify(day, name, _official_spelling(vi_name)))
    facts.extend(
        HolidayFact(
            date=day,
            name=SWAPPED_IN_NAME,
            name_vi=tr(SWAPPED_IN_NAME, "vi"),
            kind="swapped_in",
            source=GOVERNMENT_SWAP,
        )
        for day in sorted(vn.weekend_workdays)
        if first_year - 1 <= day.year <= last_year + 1
    )
    return facts


SWAPPED_IN_NAME = N_("Working day (swapped with a day off)")
SWAPPED_OFF_NAME = N_("Day off in exchange for working Saturday {date}")


def _official_spelling(name: str | None) -> str | None:
    """The official spelling of a Vietnamese holiday name ("Tết Nguyên đán", see the glossary)."""
    return name.replace("Nguyên Đán", "Nguyên đán") if name else None


def _classify(day: dt.date, name: str, name_vi: str | None = None) -> HolidayFact:
    lowered = name.lower()
    if "substituted" in lowered:
        match = _SUBSTITUTED.search(name)
        swapped = name
        if match:
            month, dom, year = (int(g) for g in match.groups())
            worked = f"{dt.date(year, month, dom):%d/%m/%Y}"
            swapped = tr(SWAPPED_OFF_NAME, "en", date=worked)
            name_vi = tr(SWAPPED_OFF_NAME, "vi", date=worked)
        return HolidayFact(
            date=day, name=swapped, name_vi=name_vi, kind="swapped_off", source=GOVERNMENT_SWAP
        )
    if "cultur" in lowered:
        kind = "culture_day_in_lieu" if "observed" in lowered else "culture_day"
        return HolidayFact(date=day, name=name, name_vi=name_vi, kind=kind, source=CULTURE_DAY)
    if "observed" in lowered:
        return HolidayFact(
            date=day, name=name, name_vi=name_vi, kind="in_lieu", source=LABOUR_CODE_IN_LIEU
        )
    return HolidayFact(
        date=day, name=name, name_vi=name_vi, kind="holiday", source=LABOUR_CODE_HOLIDAYS
    )
