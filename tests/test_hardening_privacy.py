"""Personal data stays out of repr, exception messages and logs; exports carry it only as required.

Dossiers are built with distinctive applicant values; every operation that could echo them is run
(reprs, invalid transitions, store errors, corrupt records, serialization errors, the command
line), with the root logger at DEBUG, and every captured string is scanned for the values.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import logging
import sqlite3
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.pg_fixtures import *  # noqa: F403 (the PostgreSQL fixtures)
from tests.pg_fixtures import PostgresSchemas
from tests.stored_rows import applicant_as_dict, header_of

from govtier import VIETNAM_TZ, DataFileError, GovtierError, InvalidInputError, WorkingCalendar
from govtier.cli import main as cli_main
from govtier.dossier import Applicant, Dossier, Outcome, Returned
from govtier.errors import CorruptRecordError, StorageError
from govtier.interop import (
    PERSONAL_FIELDS,
    ApplicantCoding,
    PortalFormat,
    PortalRecord,
    parse_progress_record,
    parse_sync_record,
    progress_records,
    sync_record,
)
from govtier.reporting import report, row_of
from govtier.serialization import (
    event_from_record,
    event_to_record,
    from_json,
    loads,
    record_from_json,
    to_json,
)
from govtier.storage import MemoryStore, PostgresStore, SQLiteStore
from govtier.storage._compact import HEADER_FIELDS
from govtier.storage.ports import Append, summarize
from govtier.testing.contract import sample_header
from govtier.testing.strategies import dossier_headers, dossiers

NAME = "Trần Thị Riêngtư"
ID_NUMBER = "079301999888"
PHONE = "0987654321"
EMAIL = "rieng.tu.secret@example.vn"
ADDRESS = "Số 77 Ngõ Bímật, Phường Kín"
PERSONAL = (NAME, ID_NUMBER, PHONE, EMAIL, ADDRESS)
APPLICANT = Applicant(name=NAME, id_number=ID_NUMBER, phone=PHONE, email=EMAIL, address=ADDRESS)
AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VIETNAM_TZ)
CAL = WorkingCalendar.vietnam()


def _leaks(text: str) -> list[str]:
    return [value for value in PERSONAL if value in text]


def _dossier(code: str = "G01-260302-0001") -> Dossier:
    header = attrs.evolve(sample_header(code), applicant=APPLICANT)
    received = Dossier.receive(header, at=AT, actor="clerk", calendar=CAL)
    return received.transfer(at=AT + dt.timedelta(hours=2), actor="clerk", calendar=CAL)


@pytest.fixture
def captured(caplog: pytest.LogCaptureFixture) -> Iterator[list[str]]:
    """Strings to scan; at the end, with every log record at DEBUG, none holds personal data."""
    texts: list[str] = []
    caplog.set_level(logging.DEBUG)
    yield texts
    logged = [caplog.text] + [r.getMessage() for r in caplog.records]
    for text in texts + logged:
        assert not _leaks(text), text
    assert texts


def _error_texts(action: Callable[[], object]) -> list[str]:
    """``str`` and ``repr`` of the error ``action`` raises, and of its ``value`` attribute."""
    with pytest.raises(GovtierError) as caught:
        action()
    exc = caught.value
    return [str(exc), repr(exc), repr(getattr(exc, "value", None)), repr(exc.args)]


def test_reprs_hide_personal_data(captured: list[str]) -> None:
    """Dossier, header, event, applicant, slip, summary and portal-record reprs carry none."""
    dossier = _dossier()
    assert dossier.header is not None
    captured += [repr(dossier), str(dossier), repr(dossier.header), repr(APPLICANT)]
    captured += [repr(e) for e in dossier.events] + [str(e) for e in dossier.events]
    captured += [repr(dossier.receipt_slip()), repr(summarize(dossier, province="01"))]
    captured += [repr(PortalRecord.from_dossier(dossier, PortalFormat(include={"ChuHoSo"})))]
    captured += [repr(parse_sync_record(sync_record(dossier)))]


@settings(max_examples=25, deadline=None)
@given(dossier=dossiers(headers=dossier_headers()), data=st.data())
def test_generated_dossiers_never_echo_the_applicant(dossier: Dossier, data: st.DataObject) -> None:
    """Any generated history with these personal values: reprs and refused commands hide them."""
    assert dossier.header is not None
    dossier = Dossier.from_events(
        [
            attrs.evolve(
                dossier.events[0], header=attrs.evolve(dossier.header, applicant=APPLICANT)
            ),
            *dossier.events[1:],
        ]
    )
    texts = [repr(dossier), *map(repr, dossier.events), repr(summarize(dossier, province=None))]
    later = dossier.events[-1].at + dt.timedelta(days=data.draw(st.integers(0, 3)))
    commands: list[Callable[[], object]] = [
        lambda: dossier.return_result(at=later, actor="clerk"),
        lambda: dossier.decide(at=later, actor="clerk", outcome=Outcome.GRANTED, document="D"),
        lambda: dossier.apply(Returned(at=later, actor="clerk")),
        lambda: dossier.apply(dossier.events[0]),
    ]
    for command in commands:
        try:
            command()
        except GovtierError as exc:
            texts += [str(exc), repr(exc)]
    for text in texts:
        assert not _leaks(text), text


def test_invalid_transitions_hide_personal_data(captured: list[str]) -> None:
    """Commands a dossier's status refuses name the dossier and the status, never the applicant."""
    dossier = _dossier()
    captured += _error_texts(lambda: dossier.return_result(at=AT, actor="clerk"))
    captured += _error_texts(lambda: dossier.apply(dossier.events[0]))  # a second first event
    captured += _error_texts(lambda: Dossier().apply(Returned(at=AT, actor="x")))
    other = attrs.evolve(dossier.events[0], header=attrs.evolve(dossier.header, code="X-1"))
    captured += _error_texts(lambda: Dossier.from_events([dossier.events[0], other]))


def test_store_errors_hide_personal_data(captured: list[str], tmp_path: Path) -> None:
    """Stale versions, reused keys, unknown codes and corrupt records: no personal value."""
    dossier = _dossier()
    for store in (MemoryStore(), SQLiteStore(tmp_path / "p.db")):
        store.save(dossier, expected_version=0, idempotency_key="k1")
        captured += _error_texts(lambda s=store: s.save(dossier, expected_version=0))
        captured += _error_texts(lambda s=store: s.save(_dossier(), expected_version=5))
        captured += _error_texts(
            lambda s=store: s.append_many(
                [Append(code="G01-260302-0009", events=dossier.events, expected_version=0)]
            )
        )
        captured += _error_texts(
            lambda s=store: s.save(
                _dossier("G01-260302-0002"), expected_version=0, idempotency_key="k1"
            )
        )
        captured += _error_texts(lambda s=store: s.load("G01-260302-0404"))
        store.close()
    path = tmp_path / "p.db"
    with sqlite3.connect(path) as raw:
        (kind, text) = raw.execute("SELECT kind, data FROM events WHERE seq = 1").fetchone()
        data = json.loads(text)
        applicant = applicant_as_dict(kind, data)
        for field in ("name", "phone", "email", "address", "id_number"):  # wrong types
            applicant[field] = [applicant.get(field), {"x": applicant.get(field)}]
        header = header_of(kind, data)
        header.extend([None] * (len(HEADER_FIELDS) - len(header)))
        header.append(ADDRESS)  # a value past the header's fields
        raw.execute("UPDATE events SET data = ? WHERE seq = 1", (json.dumps(data),))
    raw.close()
    store = SQLiteStore(path)
    captured += _error_texts(lambda: store.load(dossier.code))
    store.close()


def test_serialization_errors_hide_personal_data(captured: list[str]) -> None:
    """Records and JSON that fail to read are described by field path and type only."""
    record = event_to_record(_dossier().events[0])
    applicant = record["data"]["header"]["applicant"]
    applicant["phone"] = {"nested": PHONE}
    applicant["email"] = 12
    applicant["nickname"] = NAME  # an unexpected field: its name is reported, not its value
    captured += _error_texts(lambda: event_from_record(record))
    text = json.dumps(record["data"])
    captured += _error_texts(lambda: loads(text, type(_dossier().events[0])))
    captured += _error_texts(lambda: loads(text[:-3] + NAME, type(_dossier().events[0])))
    captured += _error_texts(lambda: record_from_json(f'["{NAME}", {ID_NUMBER}'))


def test_portal_parse_errors_hide_personal_data(captured: list[str]) -> None:
    """A malformed personal field of a portal body is named, its value is not quoted."""
    body = sync_record(_dossier(), PortalFormat(include={"ChuHoSo"}))
    for field in PERSONAL_FIELDS:
        bad = dict(body, **{field: [body[field] or NAME, ADDRESS]})
        captured += _error_texts(lambda b=bad: parse_sync_record(b, PortalFormat()))
        assert field in captured[-4]


def test_cli_errors_hide_personal_data(captured: list[str], tmp_path: Path) -> None:
    """`govtier export` over a store with a corrupt record prints one line without the data."""
    path = tmp_path / "cli.db"
    store = SQLiteStore(path)
    dossier = _dossier()
    store.save(dossier, expected_version=0)
    store.close()
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE events SET data = ? WHERE seq = 2", (json.dumps([NAME, PHONE]),))
    raw.close()
    for argv in (
        ["export", "--store", str(path)],
        ["export", "--store", str(path), "--code", dossier.code],
        ["report", "--store", str(path), "--as-of", "2026-03-20T09:00:00+07:00"],
    ):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            status = cli_main(argv, out=out)
        captured += [err.getvalue()]
        if argv[0] == "report":
            assert status == 0
            captured += [out.getvalue()]
        else:
            assert status == 2, err.getvalue()


def _values(record: Any) -> Iterator[tuple[str, str]]:
    """Every (field, text) pair of a nested portal body."""
    if isinstance(record, dict):
        for key, value in record.items():
            if isinstance(value, str):
                yield key, value
            else:
                for inner, text in _values(value):
                    yield f"{key}.{inner}", text
    elif isinstance(record, list):
        for item in record:
            yield from _values(item)


def test_sync_record_carries_personal_data_only_where_required() -> None:
    """Email and phone (required) only in their fields; the name only in ChuHoSo, when asked."""
    dossier = _dossier()
    default = dict(_values(sync_record(dossier)))
    assert default["Email"] == EMAIL
    assert default["SoDienThoai"] == PHONE
    assert "ChuHoSo" not in default
    every = PortalFormat(include={"ChuHoSo", "DanhSachGiayToKetQua", "NgayTra"})
    with_name = dict(_values(sync_record(dossier, every)))
    assert with_name["ChuHoSo"] == NAME
    for body, allowed in ((default, {"Email", "SoDienThoai"}), (with_name, PERSONAL_FIELDS)):
        for field, text in body.items():
            if field not in allowed:
                assert not _leaks(text), (field, text)
    for progress in progress_records(dossier):
        assert not _leaks(json.dumps(progress, ensure_ascii=False)), progress


def test_reports_carry_no_personal_data() -> None:
    """Report rows, rendered tables and summaries hold codes and counts, never the applicant."""
    stored = [_dossier(f"G01-260302-000{n}") for n in (1, 2, 3)]
    as_of = AT + dt.timedelta(days=20)
    result = report(stored, as_of=as_of, group_by=("procedure",))
    texts = [json.dumps(result.to_rows(total=True), ensure_ascii=False, default=str)]
    texts += [str(result), repr(result), repr([row_of(d, as_of=as_of) for d in stored])]
    texts += [repr(summarize(d, province="01")) for d in stored]
    for text in texts:
        assert not _leaks(text), text


# -- issue 14: keys, kinds, portal values and exception chains ---------------------------------


def _logged(exc: BaseException) -> str:
    """What ``logging.exception`` would write for ``exc``: the message and the whole chain."""
    return "".join(traceback.format_exception(exc))


def _chain_is_clean(exc: BaseException) -> None:
    """No exception in the chain a logger prints holds personal data; causes are dropped."""
    assert not _leaks(_logged(exc)), _logged(exc)
    if not isinstance(exc, StorageError) or isinstance(exc, CorruptRecordError):
        assert exc.__cause__ is None, repr(exc.__cause__)


def _received_document() -> dict[str, Any]:
    return json.loads(to_json(_dossier().events[0]))


def test_unexpected_keys_named_like_a_person_are_counted(captured: list[str]) -> None:
    """A key holding a person's name is reported by count and position, never by its text."""
    document = _received_document()
    document["data"]["header"]["applicant"][NAME] = "x"
    with pytest.raises(CorruptRecordError) as caught:
        from_json(json.dumps(document))
    assert "1 unexpected field @ $.header.applicant" in str(caught.value)
    _chain_is_clean(caught.value)
    captured.append(str(caught.value))
    top = dict(document, **{NAME: 1, PHONE: 2})
    with pytest.raises(CorruptRecordError, match=r"2 unexpected fields \(keys #5, #6\)") as caught:
        from_json(json.dumps(top))
    captured += [str(caught.value), _logged(caught.value)]
    dossier_doc = json.loads(to_json(_dossier()))
    dossier_doc[EMAIL] = None
    captured += _error_texts(lambda: from_json(json.dumps(dossier_doc)))


def _store_with_a_named_key(store: Any) -> str:
    dossier = _dossier("G01-260302-0777")
    store.save(dossier, expected_version=0)
    return dossier.code


def test_unexpected_keys_in_a_stored_sqlite_row(captured: list[str], tmp_path: Path) -> None:
    """A stored row with a key named like a person: the store and `govtier export` hide it."""
    path = tmp_path / "keys.db"
    store = SQLiteStore(path)
    code = _store_with_a_named_key(store)
    store.close()
    with sqlite3.connect(path) as raw:
        (kind, text) = raw.execute("SELECT kind, data FROM events WHERE seq = 1").fetchone()
        data = json.loads(text)
        applicant_as_dict(kind, data)[NAME] = ADDRESS
        raw.execute("UPDATE events SET data = ? WHERE seq = 1", (json.dumps(data),))
    raw.close()
    store = SQLiteStore(path)
    with pytest.raises(CorruptRecordError) as caught:
        store.load(code)
    assert "unexpected field" in str(caught.value)
    _chain_is_clean(caught.value)
    captured += [str(caught.value), _logged(caught.value)]
    store.close()
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert cli_main(["export", "--store", str(path)], out=io.StringIO()) == 2
    assert "unexpected field" in err.getvalue()
    captured.append(err.getvalue())


@pytest.mark.postgres
def test_unexpected_keys_in_a_stored_postgres_row(
    captured: list[str], pg_schemas: PostgresSchemas
) -> None:
    """The same on PostgreSQL: the key is counted, never quoted."""
    import psycopg
    from psycopg import sql

    schema = pg_schemas.new()
    store = PostgresStore(pg_schemas.url, schema=schema)
    code = _store_with_a_named_key(store)
    store.close()
    with psycopg.connect(pg_schemas.url, autocommit=True) as raw:
        ident = sql.Identifier(schema)
        row = raw.execute(sql.SQL("SELECT data FROM {}.events WHERE seq = 1").format(ident))
        (text,) = row.fetchone() or (None,)
        packed = json.loads(text)  # [[kind, seconds since the event before, values], ...]
        applicant_as_dict(packed[0][0], packed[0][2])[NAME] = ADDRESS
        raw.execute(
            sql.SQL("UPDATE {}.events SET data = %s WHERE seq = 1").format(ident),
            (json.dumps(packed),),
        )
    store = PostgresStore(pg_schemas.url, schema=schema)
    with pytest.raises(CorruptRecordError) as caught:
        store.load(code)
    store.close()
    assert "unexpected field" in str(caught.value)
    _chain_is_clean(caught.value)
    captured += [str(caught.value), _logged(caught.value)]


@pytest.mark.parametrize("field", ["kind", "type", "schema"])
def test_kind_type_and_schema_values_are_not_quoted(captured: list[str], field: str) -> None:
    """An unknown kind, type or schema holding a name is described by its type and length."""
    document = _received_document()
    document[field] = NAME
    with pytest.raises(CorruptRecordError) as caught:
        from_json(json.dumps(document))
    assert "a text of" in str(caught.value)
    _chain_is_clean(caught.value)
    captured += [str(caught.value), _logged(caught.value)]
    record = event_to_record(_dossier().events[0])
    if field != "type":
        record[field] = NAME
        with pytest.raises(CorruptRecordError) as caught:
            event_from_record(record)
        captured += [str(caught.value), _logged(caught.value)]


SYNC_FIELDS = ("NgayTiepNhan", "NgayHenTra", "TrangThaiHoSo", "HinhThuc", "LoaiDoiTuong")
PROGRESS_FIELDS = ("ThoiDiemXuLy", "TrangThai")


@pytest.mark.parametrize("value", [NAME, f"{PHONE}", f"2026{ID_NUMBER}"])
def test_portal_parsers_never_quote_a_wrong_value(captured: list[str], value: str) -> None:
    """A personal value sent in a date, status, form or kind field: the field is named only."""
    dossier = _dossier()
    body = sync_record(dossier)
    for field in SYNC_FIELDS:
        with pytest.raises(DataFileError) as caught:
            parse_sync_record(dict(body, **{field: value}))
        assert field in str(caught.value)
        _chain_is_clean(caught.value)
        captured += [str(caught.value), _logged(caught.value)]
    (progress, *_) = progress_records(dossier)
    for field in PROGRESS_FIELDS:
        with pytest.raises(DataFileError) as caught:
            parse_progress_record(dict(progress, **{field: value}))
        assert field in str(caught.value)
        _chain_is_clean(caught.value)
        captured += [str(caught.value), _logged(caught.value)]
    with pytest.raises(InvalidInputError) as direct:
        PortalFormat().parse_moment(value)
    captured += [str(direct.value), _logged(direct.value)]
    with pytest.raises(InvalidInputError) as direct:
        ApplicantCoding.OPENCPS.decode(value)
    captured += [str(direct.value), _logged(direct.value)]


def test_value_parsing_causes_are_dropped_with_their_type_kept(captured: list[str]) -> None:
    """A cause that quotes the value is not chained; its type name stays in ``cause_type``."""
    document = _received_document()
    document["data"]["at"] = NAME  # the ISO parser's message would quote it
    with pytest.raises(CorruptRecordError) as caught:
        from_json(json.dumps(document))
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__
    assert caught.value.cause_type is not None
    _chain_is_clean(caught.value)
    captured += [str(caught.value), _logged(caught.value)]
    record = event_to_record(_dossier().events[0])
    record["data"]["header"]["channel"] = NAME  # the enum conversion would quote it
    with pytest.raises(CorruptRecordError) as caught:
        event_from_record(record)
    assert caught.value.cause_type is not None
    _chain_is_clean(caught.value)
    captured += [str(caught.value), _logged(caught.value)]
    with pytest.raises(CorruptRecordError) as caught:
        loads(json.dumps({"at": NAME}), Returned)
    _chain_is_clean(caught.value)
    captured += [str(caught.value), _logged(caught.value)]


def test_logging_an_error_logs_no_value(
    captured: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    """`logging.exception` on the errors above writes neither the message value nor a cause."""
    document = _received_document()
    document["data"]["header"]["applicant"]["phone"] = {"x": PHONE}
    document["data"]["at"] = EMAIL
    log = logging.getLogger("portal")
    try:
        from_json(json.dumps(document))
    except GovtierError:
        log.exception("import failed")
    assert "import failed" in caplog.text
    captured.append(caplog.text)
