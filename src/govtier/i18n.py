"""The language of every text a clerk or citizen reads: Vietnamese by default, English on request.

govtier's human-facing texts (``why()``, deadline explanations, assignment explanations, the
receipt slip, report headings, the CLI) come from gettext message catalogues. The message ids are
English; ``src/govtier/locale/<lang>/LC_MESSAGES/govtier.po`` holds the Vietnamese (``"vi"``) and
English (``"en"``) texts, compiled to ``.mo`` files with Babel when the package is built or
installed (also ``pip install -e``).

Every producing function takes ``lang=None``: ``None`` means the default language, which is
Vietnamese until a portal changes it once with :func:`set_default_language`, or for a block of
code with :func:`language`. Developer-facing text (exception messages, logs, ``repr``) stays in
English so that errors are searchable.

>>> tr("Sunday", "vi")
'Chủ nhật'
>>> tr("Sunday", "en")
'Sunday'
>>> with language("en"):
...     format_date(dt.date(2026, 2, 17), weekday=True)
'Tue 17/02/2026'
>>> format_date(dt.date(2026, 2, 17), "vi", weekday=True)
'Thứ Ba 17/02/2026'
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import gettext
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Final

from govtier.errors import InvalidInputError

if TYPE_CHECKING:
    from govtier.legal import LegalSource

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "NC_",
    "N_",
    "Message",
    "cite",
    "format_date",
    "format_datetime",
    "get_default_language",
    "language",
    "language_from_environment",
    "resolve_language",
    "set_default_language",
    "tr",
    "tr_data",
    "trc",
    "trn",
    "weekday_name",
]

LANGUAGES: Final = ("vi", "en")
"""The languages govtier speaks, Vietnamese first."""

_CODES: Final = frozenset(LANGUAGES)

DEFAULT_LANGUAGE: Final = "vi"
"""The language used when nobody chose one."""

DOMAIN: Final = "govtier"
LOCALE_DIR: Final = Path(__file__).parent / "locale"

_process_default: str = DEFAULT_LANGUAGE
_scoped: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "govtier_language", default=None
)
_LOCALE_NAME: Final = re.compile(r"^([A-Za-z]{2,3})(?:[_-][A-Za-z0-9]+)?(?:\.[\w-]+)?(?:@\w+)?$")


def resolve_language(lang: str | None = None) -> str:
    """The language code to use for ``lang``: ``"vi"`` or ``"en"``.

    ``None`` gives the current default (see :func:`set_default_language` and :func:`language`).
    Regional and encoding suffixes are accepted: ``"vi_VN"``, ``"en-US"``, ``"en_GB.UTF-8"``.

    Raises:
        InvalidInputError: the code names no language govtier has (the message lists them).

    >>> resolve_language("vi_VN.UTF-8")
    'vi'
    """
    if lang is None:
        scoped = _scoped.get()
        return scoped if scoped is not None else _process_default
    if type(lang) is str and lang in _CODES:  # (the common case: an exact code)
        return lang
    given: object = lang
    match = _LOCALE_NAME.match(lang) if isinstance(given, str) else None
    code = match.group(1).lower() if match else None
    if code not in LANGUAGES:
        msg = f"lang must be one of {', '.join(LANGUAGES)} (Vietnamese, English); got {lang!r}"
        raise InvalidInputError(msg, field="lang", value=lang)
    return code


def set_default_language(lang: str) -> None:
    """Set the process-wide default language once, e.g. when a portal starts.

    Raises:
        InvalidInputError: an unknown language code.
    """
    global _process_default  # noqa: PLW0603  (the one process-wide setting)
    _process_default = resolve_language(lang)


def get_default_language() -> str:
    """The language a ``lang=None`` call speaks right now."""
    return resolve_language(None)


@contextlib.contextmanager
def language(lang: str) -> Iterator[str]:
    """Speak ``lang`` inside a ``with`` block (this thread or task only).

    Raises:
        InvalidInputError: an unknown language code.
    """
    token = _scoped.set(resolve_language(lang))
    try:
        yield _scoped.get() or DEFAULT_LANGUAGE
    finally:
        _scoped.reset(token)


def language_from_environment(environ: Mapping[str, str]) -> str:
    """The language the environment's locale asks for, falling back to Vietnamese.

    Reads ``LANGUAGE`` (a colon-separated list), ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` in the
    order gettext does; ``C``/``POSIX`` and languages govtier lacks are skipped.

    >>> language_from_environment({"LANG": "en_US.UTF-8"})
    'en'
    >>> language_from_environment({"LANG": "C.UTF-8"})
    'vi'
    """
    for key in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(key, "")
        for part in value.split(":"):
            match = _LOCALE_NAME.match(part.strip())
            if match and match.group(1).lower() in LANGUAGES:
                return match.group(1).lower()
        if value and key != "LANGUAGE":
            break  # the first locale variable set decides, as in gettext
    return DEFAULT_LANGUAGE


@functools.cache
def _catalogue(lang: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[lang], fallback=True)


def tr(message: str, lang: str | None = None, /, **values: object) -> str:
    """The text of ``message`` (an English message id) in ``lang``, with ``{values}`` filled in.

    Raises:
        InvalidInputError: an unknown language code.
    """
    text = _catalogue(resolve_language(lang)).gettext(message)
    return text.format(**values) if values else text


class Message(str):
    """A text kept in English that can be written again in another language.

    It *is* the English string (so it compares, hashes, stores and serialises as one) and
    remembers its message id and values, so that :func:`tr_data` or :meth:`text` can render it
    in Vietnamese later. After a round trip through storage it is a plain English string.

    >>> note = Message("{day} is a working day", day="09/03/2026")
    >>> note, note.text("vi")
    ('09/03/2026 is a working day', '09/03/2026 là ngày làm việc')
    """

    msgid: str
    values: dict[str, object]

    def __new__(cls, msgid: str, /, **values: object) -> Message:
        """Build the English text of ``msgid`` with ``values``."""
        made = super().__new__(cls, tr(msgid, "en", **values))
        made.msgid = msgid
        made.values = dict(values)
        return made

    def text(self, lang: str | None = None) -> str:
        """The message in ``lang`` (values that are Messages too are written in ``lang``)."""
        values = {k: v.text(lang) if isinstance(v, Message) else v for k, v in self.values.items()}
        return tr(self.msgid, lang, **values)


_PARENTHESIS: Final = re.compile(r"\(([^()]+)\)")


def tr_data(text: str, lang: str | None = None, /) -> str:
    """A text from govtier's bundled data (a rule's "receivers", a step's name) in ``lang``.

    The catalogue holds the bundled data's English phrases (``scripts/update_catalogues.py``
    extracts them); a text it lacks, e.g. one from a province's own file, is returned as given.
    A parenthesis inside a proper name (``"Văn phòng đăng ký đất đai Hà Nội (or its branch)"``)
    is translated on its own.

    Raises:
        InvalidInputError: an unknown language code.
    """
    if isinstance(text, Message):
        return text.text(lang)
    catalogue = _catalogue(resolve_language(lang))
    whole = catalogue.gettext(text)
    if whole != text:
        return whole
    return _PARENTHESIS.sub(lambda m: f"({catalogue.gettext(m.group(1))})", text)


def trn(singular: str, plural: str, n: int, lang: str | None = None, /, **values: object) -> str:
    """Like :func:`tr`, for a message that depends on a count ``n`` (``{n}`` is filled in).

    Raises:
        InvalidInputError: an unknown language code.
    """
    text = _catalogue(resolve_language(lang)).ngettext(singular, plural, n)
    return text.format(n=n, **values)


def weekday_name(day: dt.date, lang: str | None = None, *, short: bool = False) -> str:
    """The weekday of ``day``: ``"Thứ Hai"``…``"Chủ nhật"``, or ``"Mon"``/``"Monday"``.

    In Vietnamese the full name is used even when ``short`` is asked for: it is how dates are
    written on official forms.
    """
    code = resolve_language(lang)
    if code == "vi":
        return tr(_WEEKDAYS[day.weekday()], code)
    name = tr(_WEEKDAYS[day.weekday()], code)
    return name[:3] if short else name


def format_date(day: dt.date, lang: str | None = None, *, weekday: bool = False) -> str:
    """``dd/mm/yyyy``, with the weekday in front if asked (``"Thứ Ba 17/02/2026"``)."""
    text = f"{day:%d/%m/%Y}"
    return f"{weekday_name(day, lang, short=True)} {text}" if weekday else text


def format_datetime(moment: dt.datetime, lang: str | None = None, *, weekday: bool = True) -> str:
    """``Thứ Ba 17/02/2026 08:00`` (or ``Tue 17/02/2026 08:00``): the weekday, date and time."""
    return f"{format_date(moment.date(), lang, weekday=weekday)} {moment:%H:%M}"


def trc(context: str, message: str, lang: str | None = None, /, **values: object) -> str:
    """Like :func:`tr`, for a message whose text depends on where it is shown (``msgctxt``).

    >>> trc("report column", "paused", "vi"), tr("paused", "vi")
    ('tạm dừng', 'tạm dừng tính thời gian')
    """
    text = _catalogue(resolve_language(lang)).pgettext(context, message)
    return text.format(**values) if values else text


def NC_(context: str, message: str) -> str:  # noqa: N802  (the gettext convention)
    """Mark ``message`` (in ``context``) for the catalogue without translating it now."""
    del context
    return message


def N_(message: str) -> str:  # noqa: N802  (the gettext convention for "mark for extraction")
    """Mark ``message`` for the catalogue without translating it now."""
    return message


_WEEKDAYS: Final = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)


_DOCUMENT_KINDS: Final = tuple(
    sorted(
        (
            N_("Labour Code"),
            N_("Civil Code"),
            N_("Decree"),
            N_("Circular"),
            N_("Joint Circular"),
            N_("Decision"),
            N_("Resolution"),
            N_("Politburo Resolution"),
            N_("Law"),
            N_("Law on Judicial Records"),
            N_("Official Letter"),
            N_("Notice"),
        ),
        key=len,
        reverse=True,
    )
)
_CLAUSE: Final = re.compile(r"\bArts?\. (\d+)\((\d+)\)(?:\(([a-zđ])\))?")
_ARTICLE_CLAUSE: Final = re.compile(r"\bArts?\. (\d+) cl\. (\d+)")
_ARTICLE: Final = re.compile(r"\bArts?\. ")


def _vi_article(article: str) -> str:
    def clause(match: re.Match[str]) -> str:
        point = f"điểm {match.group(3)} " if match.group(3) else ""
        return f"{point}khoản {match.group(2)} Điều {match.group(1)}"

    text = _CLAUSE.sub(clause, article)
    text = _ARTICLE_CLAUSE.sub(lambda m: f"khoản {m.group(2)} Điều {m.group(1)}", text)
    text = _ARTICLE.sub("Điều ", text)
    text = re.sub(r"\bAppendix\b", "Phụ lục", text)
    return text.replace(", as amended by ", ", được sửa đổi bởi ")


def cite(source: LegalSource, lang: str | None = None) -> str:
    """A legal source as a reader cites it, in ``lang``.

    In Vietnamese the kind of document and the article are written the official way
    ("Bộ luật Lao động 45/2019/QH14, khoản 3 Điều 111"); numbers and dates are unchanged.

    >>> from govtier.legal import LegalSource
    >>> source = LegalSource(document="Labour Code 45/2019/QH14", article="Art. 111(3)")
    >>> cite(source, "vi")
    'Bộ luật Lao động 45/2019/QH14, khoản 3 Điều 111'
    >>> cite(source, "en")
    'Labour Code 45/2019/QH14, Art. 111(3)'
    """
    code = resolve_language(lang)
    document = tr(source.document, code)
    article = source.article
    if code == "vi":
        if document == source.document:
            for kind in _DOCUMENT_KINDS:
                if document.startswith(kind + " "):
                    document = tr(kind, code) + document[len(kind) :]
                    break
        article = _vi_article(tr_data(article, code)) if article else None
    text = document
    if article:
        text += f", {article}"
    if source.issued:
        text += f" ({source.issued:%d/%m/%Y})"
    return text
