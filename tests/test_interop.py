"""National-portal records: dossier -> record -> parsed record -> record, and what survives."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govtier import VIETNAM_TZ, Duration, WorkingCalendar
from govtier.catalogue import Channel
from govtier.deadlines import ClockRules, WaitRule
from govtier.dossier import (
    Applicant,
    ApplicantKind,
    AppointmentChange,
    Dossier,
    DossierHeader,
    Outcome,
    Refused,
    Status,
    StepPlan,
)
from govtier.errors import DataFileError, InvalidInputError, InvalidTransitionError
from govtier.interop import (
    OPTIONAL_FIELDS,
    PROGRESS_SERVICE,
    REQUIRED_FIELDS,
    SYNC_SERVICE,
    ApplicantCoding,
    DateFormat,
    PortalFormat,
    PortalRecord,
    parse_progress_record,
    parse_sync_record,
    progress_records,
    request_body,
    sync_record,
)

CAL = WorkingCalendar.vietnam()
NAME, PHONE, EMAIL, ID_NUMBER = "Trần Thị Bích", "0987654321", "bich@example.vn", "001190000002"


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0, ss: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, ss, tzinfo=VIETNAM_TZ)


def header(**changes: object) -> DossierHeader:
    base = DossierHeader(
        code="G01.20.01-260309-0042",
        procedure_id="residence.permanent",
        procedure_version=1,
        procedure_code="1.004222",
        procedure_name="Đăng ký thường trú",
        receiving_unit="00004",
        subject_unit="00004",
        competent="Công an Phường Ba Đình",
        returns_at="Trung tâm Phục vụ hành chính công",
        channel=Channel.IN_PERSON,
        applicant=Applicant(
            name=NAME, id_number=ID_NUMBER, phone=PHONE, email=EMAIL, address="1 Phố Huế"
        ),
        time_limit=Duration.working_days(7),
        clock=ClockRules(max_supplement_requests=3, max_extensions=2),
        steps=(StepPlan(name="verify", agency="Công an", share=Duration.working_days(3)),),
    )
    return attrs.evolve(base, **changes)


def example() -> Dossier:
    d = Dossier.receive(header(), at=at(2026, 3, 9, 9, 30, 15), actor="clerk.lan", calendar=CAL)
    d = d.request_supplement(
        at=at(2026, 3, 10), actor="clerk.lan", components=["CT01"], reason="thiếu chữ ký"
    )
    d = d.supplement(at=at(2026, 3, 12), actor="clerk.lan", calendar=CAL, components=["CT01"])
    d = d.transfer(at=at(2026, 3, 12, 10), actor="clerk.lan", calendar=CAL)
    d = d.decide(at=at(2026, 3, 19, 15), actor="chair", outcome=Outcome.GRANTED, document="GCN-1")
    return d.return_result(at=at(2026, 3, 20, 8), actor="clerk.lan")


class TestSyncRecord:
    def test_fields(self) -> None:
        record = sync_record(
            example(), field_code="G09-CA-05", field_name="Đăng ký, quản lý cư trú"
        )
        for name in REQUIRED_FIELDS:
            assert name in record
        assert record["MaHoSo"] == "G01.20.01-260309-0042"
        assert record["MaTTHC"] == "1.004222"
        assert record["MaLinhVuc"] == "G09-CA-05"
        assert record["NgayTiepNhan"] == "20260309093015"
        assert record["NgayHenTra"] == "20260323170000"  # restarted after the supplement
        assert record["NgayKetThucXuLy"] == "20260319150000"
        assert record["NgayTra"] == "20260320080000"
        assert record["TrangThaiHoSo"] == "10"
        assert record["LoaiDoiTuong"] == "1"
        assert record["HinhThuc"] == "0"
        assert record["DonViXuLy"] == "Công an Phường Ba Đình"
        (round_,) = record["DanhSachHoSoBoSung"]
        assert round_["NgayHenTraTruoc"] == "20260318170000"
        assert round_["NgayHenTraMoi"] == "20260323170000"
        assert round_["NoiDungBoSung"] == "thiếu chữ ký"
        assert round_["DanhSachGiayToBoSung"] == [{"TenGiayTo": "CT01"}]
        assert round_["TrangThaiBoSung"] == "1"

    def test_personal_data_only_where_required(self) -> None:
        record = sync_record(example())
        text = json.dumps(record, ensure_ascii=False)
        assert "ChuHoSo" not in record
        assert NAME not in text
        assert ID_NUMBER not in text
        assert "Phố Huế" not in text
        # Email and SoDienThoai are required by the body, from the applicant
        assert (record["Email"], record["SoDienThoai"]) == (EMAIL, PHONE)
        with_name = sync_record(example(), PortalFormat(include={"ChuHoSo"}))
        assert with_name["ChuHoSo"] == NAME
        assert "NgayTra" not in with_name  # only what is included
        parsed = parse_sync_record(with_name, PortalFormat(include={"ChuHoSo"}))
        for secret in (NAME, PHONE, EMAIL):
            assert secret not in repr(parsed)

    def test_spaced_dates_and_zero_based_coding(self) -> None:
        fmt = PortalFormat(
            date_format=DateFormat.SPACED, applicant_coding=ApplicantCoding.ZERO_BASED
        )
        record = sync_record(example(), fmt)
        assert record["NgayTiepNhan"] == "2026-03-09 09:30:15"
        assert record["LoaiDoiTuong"] == "0"
        assert parse_sync_record(record, fmt).to_record(fmt) == record
        with pytest.raises(DataFileError, match="NgayTiepNhan"):  # the wrong date format
            parse_sync_record(record, PortalFormat(applicant_coding=ApplicantCoding.ZERO_BASED))

    @pytest.mark.parametrize(
        ("coding", "kind", "code", "back"),
        [
            (ApplicantCoding.OPENCPS, ApplicantKind.CITIZEN, "1", ApplicantKind.CITIZEN),
            (ApplicantCoding.OPENCPS, ApplicantKind.BUSINESS, "2", ApplicantKind.BUSINESS),
            (
                ApplicantCoding.OPENCPS,
                ApplicantKind.BUSINESS_HOUSEHOLD,
                "2",
                ApplicantKind.BUSINESS,
            ),
            (ApplicantCoding.ZERO_BASED, ApplicantKind.CITIZEN, "0", ApplicantKind.CITIZEN),
            (ApplicantCoding.ZERO_BASED, ApplicantKind.BUSINESS, "1", ApplicantKind.BUSINESS),
            (
                ApplicantCoding.ZERO_BASED,
                ApplicantKind.BUSINESS_HOUSEHOLD,
                "2",
                ApplicantKind.BUSINESS_HOUSEHOLD,
            ),
        ],
    )
    def test_applicant_coding(
        self, coding: ApplicantCoding, kind: ApplicantKind, code: str, back: ApplicantKind
    ) -> None:
        assert coding.encode(kind) == code
        assert coding.decode(code) is back

    def test_post_and_unknown_procedure_code(self) -> None:
        d = Dossier.submit(
            header(channel=Channel.POST, procedure_code=None), at=at(2026, 3, 9), actor="post"
        )
        record = sync_record(d)
        assert (record["HinhThuc"], record["MaTTHC"], record["TrangThaiHoSo"]) == ("1", "", "1")
        assert (record["NgayTiepNhan"], record["NgayHenTra"]) == ("", "")
        assert parse_sync_record(record).by_post

    def test_rebuilds_status_dates_and_history(self) -> None:
        d = example()
        parsed = parse_sync_record(sync_record(d))
        assert parsed.status is Status.RETURNED
        assert parsed.received_at == d.received_at
        assert parsed.appointment == d.appointment
        assert parsed.timeliness is d.timeliness
        assert parsed.appointment_history() == d.clock.history

    def test_extra_fields_are_kept(self) -> None:
        record = sync_record(example()) | {"GhiChu": "ghi chú", "TaiLieuNop": []}
        parsed = parse_sync_record(record)
        assert parsed.to_record() == record


class TestBadRecords:
    def good(self) -> dict[str, Any]:
        return sync_record(example())

    @pytest.mark.parametrize(
        ("field", "value", "problem"),
        [
            ("MaHoSo", "", "empty"),
            ("TrangThaiHoSo", "11", "status code"),
            ("TrangThaiHoSo", "x", "status code"),
            ("NgayHenTra", "2026-03-23", "yyyyMMddHHmmss"),
            ("NgayHenTra", "20261323170000", "yyyyMMddHHmmss"),
            ("LoaiDoiTuong", "0", "1/2"),
            ("HinhThuc", "2", "'0' or '1'"),
            ("DanhSachHoSoBoSung", {}, "list"),
            ("DanhSachHoSoBoSung", ["x"], "objects"),
            ("TenTTHC", None, "text"),
        ],
    )
    def test_malformed_field(self, field: str, value: object, problem: str) -> None:
        record = self.good() | {field: value}
        with pytest.raises(DataFileError, match=problem) as info:
            parse_sync_record(record)
        assert info.value.field == field

    def test_missing_field(self) -> None:
        record = self.good()
        del record["NgayTiepNhan"]
        with pytest.raises(DataFileError, match="missing") as info:
            parse_sync_record(record)
        assert info.value.entry == "G01.20.01-260309-0042"

    def test_messages_hide_personal_values(self) -> None:
        with pytest.raises(DataFileError) as info:
            parse_sync_record(self.good() | {"SoDienThoai": [PHONE]})
        assert PHONE not in str(info.value)
        with pytest.raises(DataFileError, match="JSON object"):
            parse_sync_record([])  # type: ignore[arg-type]

    def test_bad_format(self) -> None:
        with pytest.raises(InvalidInputError, match="include"):
            PortalFormat(include={"DiaChi"})
        assert "DiaChi" not in OPTIONAL_FIELDS
        with pytest.raises(InvalidInputError, match="service"):
            request_body("Nope", [], unit_code="G01", session="s")
        with pytest.raises(InvalidInputError):
            sync_record(Dossier())


class TestProgress:
    def test_one_per_event(self) -> None:
        d = example()
        records = progress_records(d)
        assert len(records) == len(d.events)
        assert [r["TrangThai"] for r in records] == ["2", "5", "2", "4", "9", "10"]
        assert records[1]["NoiDungXuLy"] == "Yêu cầu bổ sung hồ sơ: thiếu chữ ký"
        assert records[1]["NgayKetThucTheoQuyDinh"] == ""  # the clock waits
        assert records[0]["ThoiDiemXuLy"] == "20260309093015"
        assert all(NAME not in json.dumps(r, ensure_ascii=False) for r in records)
        for r in records:
            assert parse_progress_record(r).to_record() == r

    def test_envelope(self) -> None:
        d = example()
        body = request_body(SYNC_SERVICE, [sync_record(d)], unit_code="G01.20", session="tok")
        assert (body["service"], body["isUpdating"], body["madonvi"]) == (
            SYNC_SERVICE,
            "False",
            "G01.20",
        )
        body = request_body(
            PROGRESS_SERVICE, progress_records(d), unit_code="G01.20", session="t", updating=True
        )
        assert body["isUpdating"] == "True"
        assert len(body["data"]) == 6

    def test_bad_progress(self) -> None:
        record = progress_records(example())[0]
        with pytest.raises(DataFileError, match="ThoiDiemXuLy"):
            parse_progress_record(record | {"ThoiDiemXuLy": ""})
        with pytest.raises(DataFileError, match="TrangThai"):
            parse_progress_record(record | {"TrangThai": "0"})


# --------------------------------------------------------------------------------------------
# Round trips over generated dossiers

ACTIONS = (
    "accept",
    "refuse",
    "request_supplement",
    "supplement",
    "transfer",
    "request_payment",
    "pay",
    "apologise",
    "decide",
    "return",
    "withdraw",
    "stop",
)


def step(d: Dossier, action: str, when: dt.datetime) -> Dossier:
    if action == "accept":
        return d.accept(at=when, actor="clerk", calendar=CAL)
    if action == "refuse":
        return d.apply(Refused(at=when, actor="clerk", reason="scope"))
    if action == "request_supplement":
        return d.request_supplement(at=when, actor="clerk", components=["CT01", "x"], reason="r")
    if action == "supplement":
        return d.supplement(at=when, actor="applicant", calendar=CAL, components=["CT01"])
    if action == "transfer":
        return d.transfer(at=when, actor="clerk", calendar=CAL)
    if action == "request_payment":
        return d.request_payment(at=when, actor="clerk", amount=50_000)
    if action == "pay":
        return d.pay(at=when, actor="applicant", calendar=CAL)
    if action == "apologise":
        return d.apologise(
            at=when, actor="chair", reason="late", extension=Duration.working_days(3), calendar=CAL
        )
    if action == "decide":
        return d.decide(at=when, actor="chair", outcome=Outcome.DENIED, document="CV-9")
    if action == "return":
        return d.return_result(at=when, actor="clerk")
    if action == "withdraw":
        return d.withdraw(at=when, actor="applicant")
    return d.stop(at=when, actor="chair", reason="stop")


@st.composite
def dossiers(draw: st.DrawFn) -> Dossier:
    kind = draw(st.sampled_from(list(ApplicantKind)))
    applicant = Applicant(
        kind=kind,
        name=draw(st.text(min_size=1, max_size=20)),
        phone=draw(st.none() | st.text(max_size=12)),
        email=draw(st.none() | st.text(max_size=20)),
    )
    h = header(
        applicant=applicant,
        channel=draw(st.sampled_from(list(Channel))),
        procedure_code=draw(st.none() | st.just("1.000948.H38")),
        clock=ClockRules(
            on_supplement=draw(st.sampled_from(list(WaitRule))),
            max_supplement_requests=3,
            max_extensions=2,
        ),
    )
    start = at(2026, 3, 2, 7) + dt.timedelta(
        seconds=draw(st.integers(0, 60 * 86400)), microseconds=draw(st.integers(0, 999_999))
    )
    if draw(st.booleans()):
        d = Dossier.submit(h, at=start, actor="web")
    else:
        d = Dossier.receive(h, at=start, actor="clerk", calendar=CAL)
    when = start
    for _ in range(draw(st.integers(0, 9))):
        allowed = d.allowed_events()
        if not allowed:
            break
        when += dt.timedelta(
            seconds=draw(st.integers(60, 5 * 86400)), microseconds=draw(st.integers(0, 999_999))
        )
        action = draw(st.sampled_from(ACTIONS))
        try:
            d = step(d, action, when)
        except InvalidTransitionError:
            continue
    return d


formats = st.builds(
    PortalFormat,
    date_format=st.sampled_from(list(DateFormat)),
    applicant_coding=st.sampled_from(list(ApplicantCoding)),
    include=st.frozensets(st.sampled_from(sorted(OPTIONAL_FIELDS))),
)


def second(moment: dt.datetime | None) -> dt.datetime | None:
    return None if moment is None else moment.replace(microsecond=0)


@settings(max_examples=150)
@given(dossiers(), formats)
def test_round_trip(d: Dossier, fmt: PortalFormat) -> None:
    record = sync_record(d, fmt)
    json.loads(json.dumps(record))  # plain JSON
    parsed = parse_sync_record(record, fmt)
    assert parsed.to_record(fmt) == record
    assert parsed == PortalRecord.from_dossier(d, fmt)
    # status and dates survive (to the second)
    assert parsed.status is d.status
    assert parsed.received_at == second(d.received_at)
    assert parsed.appointment == second(d.appointment)
    if "NgayKetThucXuLy" in fmt.include:
        assert parsed.finished_at == second(d.clock.finished_at)
        if d.clock.finished_at is not None and d.appointment is not None:
            assert parsed.timeliness is d.timeliness or (
                # a decision within the same second as the appointment
                second(d.clock.finished_at) == second(d.appointment)
            )
    assert parsed.applicant_kind is fmt.applicant_coding.canonical(d.header.applicant.kind)
    # progress bodies round-trip too
    for body in progress_records(d, fmt):
        assert parse_progress_record(body, fmt).to_record(fmt) == body


@settings(max_examples=150)
@given(dossiers())
def test_history_of_supplement_rounds(d: Dossier) -> None:
    """Without apologies or payments, the record rebuilds the clock's whole appointment history."""
    kinds = {e.kind for e in d.events}
    parsed = parse_sync_record(sync_record(d))
    expected = tuple(
        attrs.evolve(c, at=second(c.at), before=second(c.before), after=second(c.after))
        for c in d.clock.history
    )
    if kinds & {"apologised", "payment_requested"}:
        rebuilt = parsed.appointment_history()
        assert all(isinstance(c, AppointmentChange) for c in rebuilt)
        assert {c.at for c in rebuilt if c.cause != "received"} <= {c.at for c in expected}
    else:
        assert parsed.appointment_history() == expected


def test_moment_format() -> None:
    fmt = PortalFormat()
    utc = dt.datetime(2026, 3, 9, 2, 30, tzinfo=dt.UTC)
    assert fmt.format_moment(utc) == "20260309093000"
    assert fmt.parse_moment("20260309093000") == utc
    assert fmt.parse_moment("") is None
    with pytest.raises(InvalidInputError):
        fmt.parse_moment("2026030909300")
    with pytest.raises(InvalidInputError):
        fmt.format_moment(dt.datetime(2026, 3, 9))
