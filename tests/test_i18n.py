"""Vietnamese first: every human-facing text in Vietnamese by default and in English on request.

The word checks: a Vietnamese text has no English word in it, an English text no Vietnamese word,
once the proper names and data values a text quotes (unit and agency names, a procedure's
published name, an applicant's name, document numbers and codes) are set aside.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

import govtier
from govtier import VIETNAM_TZ, Duration, RuleSet, WorkingCalendar
from govtier.cli import main
from govtier.dossier import Applicant, Dossier, DossierCode, DossierHeader, Outcome
from govtier.errors import GovtierError, InvalidInputError
from govtier.i18n import (
    LANGUAGES,
    Message,
    cite,
    format_date,
    get_default_language,
    language,
    language_from_environment,
    resolve_language,
    set_default_language,
    tr,
    tr_data,
)
from govtier.legal import LegalSource
from govtier.reporting import report

ROOT = Path(__file__).resolve().parent.parent
LOCALE = Path(govtier.__file__).parent / "locale"
sys.path.insert(0, str(ROOT / "scripts"))
import update_catalogues  # noqa: E402  (the extraction script, from the repository)

D = dt.date


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=VIETNAM_TZ)


def catalogue(lang: str) -> Catalog:
    with (LOCALE / lang / "LC_MESSAGES" / "govtier.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def texts(message: object) -> list[str]:
    string = message.string  # type: ignore[attr-defined]
    return [string] if isinstance(string, str) else list(string)


# -- the word checks -------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W\d_][\w'’]*|\S*\d\S*", re.UNICODE)
_VI_SYLLABLE = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|g|h|k|l|m|n|p|r|s|t|v|x)?"
    r"[aeiouy]{1,3}(ch|ng|nh|c|m|n|p|t)?$"
)
# English words that happen to be spelt like unaccented Vietnamese syllables
_ENGLISH_LOOKALIKES = frozenset({"the", "day", "due", "on", "at", "by", "its", "off"})
ACRONYMS = frozenset({"VNeID", "DVCQG", "TTHC"})
# names of programs, formats and variables, which a Vietnamese text keeps as they are
TECHNICAL = frozenset({"govtier", "SQLite", "postgresql", "stderr", "LANGUAGE", "LC_MESSAGES"})


def _words(text: str, names: tuple[str, ...]) -> list[str]:
    for name in sorted(names, key=len, reverse=True):  # proper names and data, set aside
        if name:
            text = text.replace(name, " ")
    text = re.sub(r"\{\w+\}", " ", text)  # placeholders of a message
    found = []
    for token in re.split(r"[\s(),:;\[\]'\"=<>+%÷×−→…*]+", text):
        if not token or any(c.isdigit() for c in token) or re.search(r"[./_@-]", token):
            continue  # codes, ids, document numbers (QĐ-TTg, 9441/TB-BNV), dates, actor ids
        found.append(token.strip("'’"))
    return [w for w in found if w]


def english_words(text: str, names: tuple[str, ...] = ()) -> list[str]:
    """The words of a (supposedly Vietnamese) text that are English."""
    bad = []
    for word in _words(text, names):
        if not word.isascii() or word in ACRONYMS | TECHNICAL or len(word) == 1:
            continue
        if word.isupper() and len(word) <= 5:
            continue
        lowered = word.lower()
        if lowered in _ENGLISH_LOOKALIKES or not _VI_SYLLABLE.match(lowered):
            bad.append(word)
    return bad


def vietnamese_words(text: str, names: tuple[str, ...] = ()) -> list[str]:
    """The words of a (supposedly English) text that are Vietnamese (have Vietnamese letters)."""
    return [w for w in _words(text, names) if not w.isascii() and re.search(r"[^\W\d_]", w)]


# -- fixtures: the texts the issue names -----------------------------------------------------

CAL = WorkingCalendar.vietnam()


@pytest.fixture(scope="module")
def assignment() -> object:
    return RuleSet.bundled().resolve("land.first-certificate", "00004", on=D(2026, 3, 9))


@pytest.fixture(scope="module")
def dossier(assignment: object) -> Dossier:
    code = DossierCode(agency="G01.20.01", received_on=D(2026, 3, 9), sequence=7)
    header = DossierHeader.from_assignment(
        assignment,  # type: ignore[arg-type]
        code=code,
        applicant=Applicant(name="Trần Thị B"),
    )
    received = Dossier.receive(
        header,
        at=at(2026, 3, 9, 9, 30),
        actor="clerk.lan",
        calendar=CAL,
        components=["Đơn đăng ký đất đai (Mẫu 04/ĐK)", "Giấy tờ về quyền sử dụng đất"],
    )
    return received.transfer(at=at(2026, 3, 9, 14), actor="clerk.lan", calendar=CAL).decide(
        at=at(2026, 3, 20, 10), actor="chairman", outcome=Outcome.GRANTED, document="GCN 1"
    )


def names_of(assignment: object, dossier: Dossier) -> tuple[str, ...]:
    """The proper names and data values the texts quote."""
    a = assignment
    names = [
        a.subject_name,  # type: ignore[attr-defined]
        a.competent.agency,  # type: ignore[attr-defined]
        a.procedure.name,  # type: ignore[attr-defined]
        a.competent.role.vietnamese,  # type: ignore[attr-defined]
        *(s.authority.agency.split(" (")[0] for s in a.steps),  # type: ignore[attr-defined]
        "Trần Thị B",
        "Đơn đăng ký đất đai (Mẫu 04/ĐK)",
        "Giấy tờ về quyền sử dụng đất",
        "Văn phòng đăng ký đất đai Thành phố Hà Nội",
    ]
    assert dossier.header is not None
    return tuple(names)


def the_texts(lang: str, assignment: object, dossier: Dossier) -> dict[str, str]:
    """Every text the issue's 'done when' names, in ``lang``."""
    tet = CAL.deadline(at(2026, 2, 12, 16, 30), Duration.working_days(3), lang=lang)
    rep = report([dossier], as_of=at(2026, 3, 31, 17), group_by=("procedure", "channel"))
    cli = subprocess.run(
        [sys.executable, "-m", "govtier", "calendar", "why", "2026-02-17", "--lang", lang],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "LANGUAGE": ""},
    ).stdout
    return {
        "receipt slip": dossier.receipt_slip().render(lang),
        "deadline across Tết": tet.explain(lang),
        "deadline notes": "\n".join(tet.notes),
        "why swapped out": CAL.why(D(2026, 1, 2)).text(lang),
        "why swapped in": CAL.why(D(2026, 1, 10)).text(lang),
        "why holiday": CAL.why(D(2026, 2, 17)).text(lang),
        "why day in lieu": CAL.why(D(2026, 4, 27)).text(lang),
        "assignment": assignment.explain(lang),  # type: ignore[attr-defined]
        "report table": rep.render(lang),
        "clock state": dossier.clock_state(at(2026, 3, 31, 17)).label(lang),
        "step": dossier.clock.steps[0].text(lang),
        "cli calendar why": cli,
    }


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_named_texts_speak_one_language(
    lang: str, assignment: object, dossier: Dossier
) -> None:
    """The receipt slip, a deadline across Tết, why() for a swap and a holiday, an assignment,
    a report table and `govtier calendar why 2026-02-17` have no word of the other language."""
    names = names_of(assignment, dossier)
    for what, text in the_texts(lang, assignment, dossier).items():
        assert text.strip(), what
        other = english_words(text, names) if lang == "vi" else vietnamese_words(text, names)
        assert not other, f"{what} in {lang} has {other}:\n{text}"


def test_the_checks_see_the_other_language() -> None:
    """The word checks are not vacuous: they catch English in Vietnamese and the reverse."""
    caught = english_words("Hẹn trả kết quả: the centre that received the dossier")
    assert {"the", "centre", "received", "dossier"} <= set(caught)
    assert english_words("Nơi trả kết quả: Trung tâm đã tiếp nhận hồ sơ, Gia Lai, VNeID") == []
    assert vietnamese_words("Received: bất kỳ (Decree 23/2015/NĐ-CP)") == ["bất", "kỳ"]


def test_vietnamese_texts_use_the_official_terms(assignment: object, dossier: Dossier) -> None:
    """The glossary's terms, dd/mm/yyyy dates and Vietnamese weekday names."""
    texts_vi = the_texts("vi", assignment, dossier)
    assert "Tết Nguyên đán" in texts_vi["why holiday"]
    assert "Thứ Ba 17/02/2026" in texts_vi["why holiday"]
    assert "ngày làm việc" in texts_vi["deadline across Tết"]
    assert "Hẹn trả kết quả" in texts_vi["receipt slip"]
    assert "Giỗ Tổ Hùng Vương" in texts_vi["why day in lieu"]
    assert "không phụ thuộc địa giới hành chính" in texts_vi["assignment"]
    assert "Chủ nhật 15/02/2026" in texts_vi["deadline across Tết"]
    assert "Bộ luật Lao động 45/2019/QH14, khoản 3 Điều 111" in texts_vi["why day in lieu"]


# -- the catalogues --------------------------------------------------------------------------


def test_every_message_has_both_languages() -> None:
    """Every message the code (and the bundled data) uses is in the vi and en catalogues."""
    template = update_catalogues.extract()
    assert len([m for m in template if m.id]) > 200
    assert update_catalogues.missing(template) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_catalogue_text_speaks_its_language(lang: str) -> None:
    """For every message: no English word in its Vietnamese text, no Vietnamese in its English."""
    problems = []
    for message in catalogue(lang):
        if not message.id:
            continue
        for text in texts(message):
            other = english_words(text) if lang == "vi" else vietnamese_words(text)
            if other:
                problems.append((message.id, other))
    assert problems == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_compiled_catalogues_match_their_sources(lang: str) -> None:
    """The .mo files the build hook compiled say what the .po files say (no stale install)."""
    for message in catalogue(lang):
        if not message.id or isinstance(message.id, tuple):
            continue
        expected = texts(message)[0].replace("{", "{{").replace("}", "}}")
        if message.context:
            from govtier.i18n import trc

            assert trc(message.context, message.id, lang) == texts(message)[0]
        else:
            assert tr(message.id, lang) == expected.replace("{{", "{").replace("}}", "}")


def test_placeholders_agree() -> None:
    """A translation fills in the same {values} as its message id."""
    for message in catalogue("vi"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set(re.findall(r"\{(\w+)\}", ids[-1]))
        for text in texts(message):
            assert set(re.findall(r"\{(\w+)\}", text)) == wanted, message.id


def test_the_build_hook_is_how_mo_files_arrive() -> None:
    """The .mo files exist after install and are not committed (they are build output)."""
    assert (LOCALE / "vi" / "LC_MESSAGES" / "govtier.mo").is_file()
    tracked = subprocess.run(
        ["git", "ls-files", "*.mo"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout
    assert tracked.strip() == ""
    assert "babel" in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


# -- choosing the language -------------------------------------------------------------------


@pytest.mark.default_language
def test_vietnamese_is_the_default() -> None:
    """With nothing chosen, govtier speaks Vietnamese."""
    assert get_default_language() == "vi"
    assert str(CAL.why(D(2026, 2, 17))).startswith("Thứ Ba 17/02/2026 không phải")
    assert str(Duration.working_days(3)) == "3 ngày làm việc"


@pytest.mark.default_language
def test_a_portal_sets_its_default_once() -> None:
    """set_default_language changes the process default, also for other threads."""
    seen: list[str] = []
    try:
        set_default_language("en")
        worker = threading.Thread(target=lambda: seen.append(str(Duration.working_days(1))))
        worker.start()
        worker.join()
        assert str(Duration.working_days(2)) == "2 working days"
    finally:
        set_default_language("vi")
    assert seen == ["1 working day"]
    assert str(Duration.working_days(2)) == "2 ngày làm việc"


@pytest.mark.default_language
def test_the_context_manager_is_scoped() -> None:
    """language() changes the default inside its block only; lang= always wins."""
    with language("en") as chosen:
        assert chosen == "en"
        assert str(Duration.working_days(2)) == "2 working days"
        assert Duration.working_days(2).text("vi") == "2 ngày làm việc"
    assert str(Duration.working_days(2)) == "2 ngày làm việc"


@pytest.mark.parametrize("bad", ["fr", "", "vietnamese", "xx_YY", "e"])
def test_an_unknown_language_is_a_clear_error(bad: str) -> None:
    """An unknown code is an InvalidInputError (a GovtierError) naming the languages."""
    with pytest.raises(InvalidInputError, match=r"one of vi, en") as caught:
        resolve_language(bad)
    assert isinstance(caught.value, GovtierError)
    assert caught.value.field == "lang"
    with pytest.raises(GovtierError):
        CAL.why(D(2026, 2, 17)).text(bad)
    with pytest.raises(GovtierError):
        set_default_language(bad)


def test_the_cli_refuses_an_unknown_language(capsys: pytest.CaptureFixture[str]) -> None:
    """`--lang fr`: one English line naming the languages, exit status 2, nothing on stdout."""
    assert main(["calendar", "why", "2026-02-17", "--lang", "fr"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "vi, en" in captured.err
    assert captured.err.count("\n") == 1


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "vi"),
        ({"LANG": "C.UTF-8"}, "vi"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "vi_VN.UTF-8"}, "vi"),
        ({"LANG": "fr_FR.UTF-8"}, "vi"),
        ({"LANGUAGE": "fr:en", "LANG": "vi_VN"}, "en"),
        ({"LANGUAGE": "", "LC_ALL": "en_GB.UTF-8", "LANG": "vi_VN"}, "en"),
        ({"LC_ALL": "C", "LANG": "en_US"}, "vi"),  # the first locale variable set decides
        ({"LC_MESSAGES": "en_US", "LANG": "vi_VN"}, "en"),
    ],
)
def test_the_cli_default_follows_the_locale(environ: dict[str, str], expected: str) -> None:
    """LANGUAGE, LC_ALL, LC_MESSAGES, LANG as gettext reads them, else Vietnamese."""
    assert language_from_environment(environ) == expected


@pytest.mark.default_language
def test_the_cli_reads_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --lang the CLI speaks the locale's language; --lang wins over it."""
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    assert main(["calendar", "why", "2026-02-17"]) == 0
    assert capsys.readouterr().out.startswith("Tue 17/02/2026 is not a working day")
    assert main(["calendar", "why", "2026-02-17", "--lang", "vi"]) == 0
    assert capsys.readouterr().out.startswith("Thứ Ba 17/02/2026 không phải là ngày làm việc")
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert main(["calendar", "why", "2026-02-17"]) == 0
    assert capsys.readouterr().out.startswith("Thứ Ba")


@pytest.mark.default_language
def test_make_demo_speaks_vietnamese_and_says_how_to_switch(tmp_path: Path) -> None:
    """The demo is Vietnamese under a neutral locale, with one English line on switching."""
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env["LANG"] = "C.UTF-8"
    out = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "quickstart.py")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=True,
        timeout=600,
    ).stdout
    lines = out.splitlines()
    english = [line for line in lines if "--lang en" in line]
    assert len(english) == 1
    assert "English" in english[0]
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in out
    assert "Hẹn trả kết quả Thứ Ba 05/05/2026 17:00." in out  # the 30/4 example
    assert "Tết Nguyên đán" in out
    body = "\n".join(line for line in lines if line not in english)
    names = ("Phường Ba Đình", "Phường Hồng Hà", "Phường Phúc Xá", "govtier-demo.db", "Tết")
    assert english_words(body, names) == []


# -- dates, citations, messages --------------------------------------------------------------


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2075, 12, 31)))
def test_dates_are_dd_mm_yyyy_with_vietnamese_weekdays(day: dt.date) -> None:
    """Both languages write dd/mm/yyyy; Vietnamese weekdays run Thứ Hai … Chủ nhật."""
    vi = format_date(day, "vi", weekday=True)
    weekdays = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
    assert vi == f"{weekdays[day.weekday()]} {day:%d/%m/%Y}"
    assert format_date(day, "en", weekday=True) == f"{day:%a %d/%m/%Y}"
    assert dt.datetime.strptime(format_date(day, "vi"), "%d/%m/%Y").date() == day


@given(st.sampled_from(["vi", "en"]), st.integers(min_value=0, max_value=400))
def test_a_duration_reads_back_in_either_language(lang: str, n: int) -> None:
    """Duration.parse reads every Duration.text back, in both languages."""
    for duration in (
        Duration.working_days(n),
        Duration.working_hours(n),
        Duration.calendar_days(n),
        Duration.same_day(dt.time(n % 24, 0)),
        Duration.immediate(),
    ):
        assert Duration.parse(duration.text(lang)) == duration


def test_legal_citations_in_vietnamese() -> None:
    """Kinds of document and articles are written the official way."""
    source = LegalSource(document="Decree 23/2015/NĐ-CP", article="Art. 7")
    assert cite(source, "vi") == "Nghị định 23/2015/NĐ-CP, Điều 7"
    clause = LegalSource(document="Civil Code 91/2015/QH13", article="Art. 102(1)(b)")
    assert cite(clause, "vi") == "Bộ luật Dân sự 91/2015/QH13, điểm b khoản 1 Điều 102"
    assert cite(clause, "en") == str(clause)


def test_a_message_is_english_until_it_is_rendered() -> None:
    """A Message stores and compares as its English text and renders in any language."""
    note = Message("{day} is a working day", day="09/03/2026")
    assert note == "09/03/2026 is a working day"
    assert tr_data(note, "vi") == "09/03/2026 là ngày làm việc"
    assert tr_data("a phrase no catalogue has", "vi") == "a phrase no catalogue has"


def test_developer_texts_stay_english(assignment: object) -> None:
    """repr and exception messages are English whatever the language."""
    with language("vi"):
        assert "working days" in repr(assignment)
        with pytest.raises(InvalidInputError, match="must be timezone-aware"):
            CAL.deadline(dt.datetime(2026, 3, 9, 9), Duration.working_days(1))


@pytest.fixture(autouse=True)
def _no_leak() -> Iterator[None]:
    yield
    assert resolve_language(None) in LANGUAGES


def test_the_docs_code_font_has_the_vietnamese_letters() -> None:
    """The docs site's code blocks use a stack without DejaVu Sans Mono or generic monospace
    (headless Chromium misplaces the second mark of ầ, ẫ, ồ with them; see docs/languages.md)."""
    css = (ROOT / "docs" / "_static" / "govtier.css").read_text(encoding="utf-8")
    stack = re.search(r"--font-stack--monospace:([^;]*);", css)
    assert stack is not None
    families = [f.strip().strip('"') for f in stack.group(1).split(",")]
    assert families[:2] == ["Noto Sans Mono", "Liberation Mono"]
    assert "DejaVu Sans Mono" not in families
    assert "monospace" not in families
    conf = (ROOT / "docs" / "conf.py").read_text(encoding="utf-8")
    assert '"govtier.css"' in conf


@pytest.mark.parametrize(("lang", "shown"), [("vi", "in JSON thay cho bảng"), ("en", "print JSON")])
def test_the_cli_help_follows_lang(
    lang: str, shown: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """--help is written in the language asked for (argparse's own headings stay English)."""
    assert main(["calendar", "why", "--help", "--lang", lang]) == 0
    assert shown in capsys.readouterr().out
