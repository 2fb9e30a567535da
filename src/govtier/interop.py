"""National Public Service Portal (DVCQG) records: sync a dossier, report its progress, read back.

Two record bodies, as one-stop systems send them to the portal:

* ``DongBoHoSoMC`` (sync a dossier): :func:`sync_record` builds it from a dossier;
  :func:`parse_sync_record` reads one into a :class:`PortalRecord`, which rebuilds what a record
  can tell (status, moments, the appointment history of supplement rounds).
* ``CapNhatTienDoHoSoMC`` (progress): :func:`progress_records` gives one body per event, with the
  status after it; :func:`parse_progress_record` reads one back.

No official VPCP specification was found. The field names, the ``yyyyMMddHHmmss`` format in
Asia/Ho_Chi_Minh and the service names come from the OpenCPS integration code [P]; a newer
interface seems to use ``yyyy-MM-dd HH:mm:ss`` [U], and the ``LoaiDoiTuong`` codes conflict
between codebases [U]. :class:`PortalFormat` makes each of these a setting. ``docs/portal.md``
lists what is unconfirmed.

Personal data: ``Email`` and ``SoDienThoai`` are required by the body and come from the
applicant; ``ChuHoSo`` (the applicant's name) is optional and sent only when the format includes
it. No address, identity number or other personal field is ever sent. Personal fields stay out of
``repr`` and error messages.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Final

import attrs

from govtier._checks import VIETNAM_TZ, check_aware
from govtier._guard import decimal_int, describe
from govtier.catalogue import Channel, ProcedureGroup
from govtier.dossier import (
    Apologised,
    ApplicantKind,
    AppointmentChange,
    Decided,
    Dossier,
    Event,
    HandedOver,
    Outcome,
    Paid,
    PaymentRequested,
    Received,
    Refused,
    Returned,
    Status,
    Stopped,
    Supplemented,
    SupplementRequested,
    Timeliness,
    Transferred,
)
from govtier.errors import DataFileError, InvalidInputError

__all__ = [
    "OPTIONAL_FIELDS",
    "PERSONAL_FIELDS",
    "PROGRESS_SERVICE",
    "REQUIRED_FIELDS",
    "SYNC_SERVICE",
    "ApplicantCoding",
    "DateFormat",
    "PortalFormat",
    "PortalRecord",
    "PortalSupplement",
    "ProgressRecord",
    "group_sync_records",
    "parse_progress_record",
    "parse_sync_record",
    "progress_records",
    "request_body",
    "sync_record",
]

SYNC_SERVICE: Final = "DongBoHoSoMC"
"""The portal service that creates or updates a dossier [P]."""
PROGRESS_SERVICE: Final = "CapNhatTienDoHoSoMC"
"""The portal service that records a step of progress or a status change [P]."""


class DateFormat(enum.Enum):
    """How moments are written: always in Asia/Ho_Chi_Minh, an empty string for none."""

    COMPACT = "yyyyMMddHHmmss"
    """The OpenCPS format, e.g. ``20260309093000`` [P]."""
    SPACED = "yyyy-MM-dd HH:mm:ss"
    """Seen in a newer interface, e.g. ``2026-03-09 09:30:00`` [U]."""

    @property
    def strftime(self) -> str:
        """The pattern for :meth:`datetime.strftime`."""
        return "%Y%m%d%H%M%S" if self is DateFormat.COMPACT else "%Y-%m-%d %H:%M:%S"


class ApplicantCoding(enum.Enum):
    """How ``LoaiDoiTuong`` codes the applicant's kind (the codebases disagree [U])."""

    OPENCPS = "1/2"
    """OpenCPS: ``"1"`` citizen, ``"2"`` business; a business household is sent as ``"2"``."""
    ZERO_BASED = "0/1/2"
    """Another codebase: ``"0"`` citizen, ``"1"`` business, ``"2"`` business household."""

    def encode(self, kind: ApplicantKind) -> str:
        """The code of ``kind``."""
        return _KIND_CODES[self][kind]

    def decode(self, code: str) -> ApplicantKind:
        """The kind a code stands for.

        Raises:
            InvalidInputError: the code is not one of this coding's.
        """
        for kind, text in _KIND_CODES[self].items():
            if text == code and (self is not ApplicantCoding.OPENCPS or kind is not _HOUSEHOLD):
                return kind
        codes = sorted(set(_KIND_CODES[self].values()))
        msg = f"LoaiDoiTuong under the {self.value} coding is one of {codes}; got {describe(code)}"
        raise InvalidInputError(msg, field="LoaiDoiTuong", value=code)

    def canonical(self, kind: ApplicantKind) -> ApplicantKind:
        """The kind a record in this coding can express (a household is a business in 1/2)."""
        return self.decode(self.encode(kind))


_HOUSEHOLD: Final = ApplicantKind.BUSINESS_HOUSEHOLD
_KIND_CODES: Final = {
    ApplicantCoding.OPENCPS: {
        ApplicantKind.CITIZEN: "1",
        ApplicantKind.BUSINESS: "2",
        ApplicantKind.BUSINESS_HOUSEHOLD: "2",
    },
    ApplicantCoding.ZERO_BASED: {
        ApplicantKind.CITIZEN: "0",
        ApplicantKind.BUSINESS: "1",
        ApplicantKind.BUSINESS_HOUSEHOLD: "2",
    },
}

REQUIRED_FIELDS: Final[tuple[str, ...]] = (
    "MaHoSo",
    "MaTTHC",
    "TenTTHC",
    "MaLinhVuc",
    "TenLinhVuc",
    "LoaiDoiTuong",
    "Email",
    "SoDienThoai",
    "TrichYeuHoSo",
    "NgayTiepNhan",
    "NgayHenTra",
    "TrangThaiHoSo",
    "HinhThuc",
    "DonViXuLy",
)
"""The sync body's fields that are always sent (not marked optional in OpenCPS) [P]."""

OPTIONAL_FIELDS: Final[frozenset[str]] = frozenset(
    {
        "ChuHoSo",
        "NgayTra",
        "NgayKetThucXuLy",
        "DanhSachHoSoBoSung",
        "DanhSachGiayToKetQua",
        "NgayBatDau",
        "NgayKetThucTheoQuyDinh",
    }
)
"""Optional fields govtier can fill (the last two belong to the progress body)."""

PERSONAL_FIELDS: Final[frozenset[str]] = frozenset({"ChuHoSo", "Email", "SoDienThoai"})
"""The fields that carry the applicant's personal data."""

_DEFAULT_INCLUDE: Final = frozenset(
    {"NgayTra", "NgayKetThucXuLy", "DanhSachHoSoBoSung", "NgayBatDau", "NgayKetThucTheoQuyDinh"}
)


def _include(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str):
        value = (value,)
    return frozenset(value)


def _check_include(_inst: object, _attribute: object, value: frozenset[str]) -> None:
    unknown = sorted(value - OPTIONAL_FIELDS)
    if unknown:
        msg = (
            f"include names optional fields among {', '.join(sorted(OPTIONAL_FIELDS))}; "
            f"got {', '.join(unknown)}"
        )
        raise InvalidInputError(msg, field="include", value=unknown)


@attrs.frozen(kw_only=True)
class PortalFormat:
    """The settings of one portal endpoint.

    Attributes:
        date_format: how moments are written.
        applicant_coding: how ``LoaiDoiTuong`` is coded.
        include: which optional fields to send (see :data:`OPTIONAL_FIELDS`). The default sends
            the non-personal ones govtier can fill except ``DanhSachGiayToKetQua``; add
            ``"ChuHoSo"`` only where the endpoint requires the applicant's name.
    """

    date_format: DateFormat = DateFormat.COMPACT
    applicant_coding: ApplicantCoding = ApplicantCoding.OPENCPS
    include: frozenset[str] = attrs.field(
        default=_DEFAULT_INCLUDE, converter=_include, validator=_check_include
    )

    def format_moment(self, moment: dt.datetime | None) -> str:
        """A moment as the portal writes it: Asia/Ho_Chi_Minh, to the second; ``""`` for none.

        Raises:
            InvalidInputError: the moment is naive.
        """
        if moment is None:
            return ""
        return check_aware(moment, "moment").strftime(self.date_format.strftime)

    def parse_moment(self, text: str) -> dt.datetime | None:
        """Read a moment written in this format (``""`` is none).

        Raises:
            InvalidInputError: the text has another shape.
        """
        if text == "":
            return None
        try:
            naive = dt.datetime.strptime(text, self.date_format.strftime)  # noqa: DTZ007
        except (TypeError, ValueError):
            msg = f"a moment is written {self.date_format.value}; got {describe(text)}"
            raise InvalidInputError(msg, field="moment", value=text) from None
        if len(text) != len(self.date_format.value):
            msg = f"a moment is written {self.date_format.value}; got {describe(text)}"
            raise InvalidInputError(msg, field="moment", value=text)
        return naive.replace(tzinfo=VIETNAM_TZ)


def _second(moment: dt.datetime | None) -> dt.datetime | None:
    """The moment as a record keeps it: Asia/Ho_Chi_Minh, whole seconds."""
    return None if moment is None else moment.astimezone(VIETNAM_TZ).replace(microsecond=0)


def _components(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class PortalSupplement:
    """One supplement round of ``DanhSachHoSoBoSung``.

    Attributes:
        id: ``HoSoBoSungId``: the round's number, from 1.
        requested_by: ``NguoiYeuCauBoSung``: who asked (the clerk's id).
        content: ``NoiDungBoSung``: why (the request's reason).
        requested_at: ``NgayBoSung``: when it was asked.
        components: ``DanhSachGiayToBoSung``: the components to supplement.
        received_by: ``NguoiTiepNhanBoSung``: who took the supplement in.
        received_at: ``NgayTiepNhanBoSung``: when it came in (``None`` while waiting).
        due_before: ``NgayHenTraTruoc``: the appointment before the request.
        due_after: ``NgayHenTraMoi``: the appointment after the supplement.
    """

    id: str
    requested_by: str
    content: str
    requested_at: dt.datetime
    components: tuple[str, ...] = attrs.field(default=(), converter=_components)
    received_by: str | None = None
    received_at: dt.datetime | None = None
    due_before: dt.datetime | None = None
    due_after: dt.datetime | None = None

    @property
    def supplied(self) -> bool:
        """Whether the applicant has supplied what was asked (``TrangThaiBoSung`` ``"1"`` [U])."""
        return self.received_at is not None


@attrs.frozen(kw_only=True)
class PortalRecord:
    """A ``DongBoHoSoMC`` body as a value. Personal fields are hidden from ``repr``.

    Build one from a dossier (:meth:`from_dossier`) or a received body
    (:func:`parse_sync_record`); :meth:`to_record` writes the body.

    Attributes:
        code: ``MaHoSo``.
        procedure_code: ``MaTTHC``, the national code (``""`` when unknown; never guessed).
        procedure_name: ``TenTTHC``.
        field_code: ``MaLinhVuc``, the portal's sector code.
        field_name: ``TenLinhVuc``.
        applicant_kind: ``LoaiDoiTuong``, decoded.
        summary: ``TrichYeuHoSo``.
        received_at: ``NgayTiepNhan``.
        appointment: ``NgayHenTra``, the appointment in force (``None`` while paused).
        status: ``TrangThaiHoSo``.
        returned_at: ``NgayTra``.
        finished_at: ``NgayKetThucXuLy``, the decision.
        by_post: ``HinhThuc`` ``"1"``: submitted by public post (OpenCPS derives it from its
            postal flag; the meaning is [U]).
        handling_unit: ``DonViXuLy``.
        supplements: ``DanhSachHoSoBoSung``; ``None`` when the body did not carry it.
        results: ``DanhSachGiayToKetQua`` document names; ``None`` when not carried.
        holder: ``ChuHoSo``, the applicant's name (personal; ``None`` when not carried).
        email: ``Email`` (personal).
        phone: ``SoDienThoai`` (personal).
        extra: fields govtier does not map, kept as received (hidden from ``repr``).
    """

    code: str = attrs.field(validator=attrs.validators.min_len(1))
    procedure_code: str = ""
    procedure_name: str = ""
    field_code: str = ""
    field_name: str = ""
    applicant_kind: ApplicantKind | None = None
    summary: str = ""
    received_at: dt.datetime | None = None
    appointment: dt.datetime | None = None
    status: Status
    returned_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    by_post: bool = False
    handling_unit: str = ""
    supplements: tuple[PortalSupplement, ...] | None = None
    results: tuple[str, ...] | None = None
    holder: str | None = attrs.field(default=None, repr=False)
    email: str = attrs.field(default="", repr=False)
    phone: str = attrs.field(default="", repr=False)
    extra: tuple[tuple[str, Any], ...] = attrs.field(default=(), repr=False)

    @classmethod
    def from_dossier(
        cls,
        dossier: Dossier,
        fmt: PortalFormat | None = None,
        *,
        field_code: str = "",
        field_name: str = "",
        summary: str | None = None,
    ) -> PortalRecord:
        """The record of ``dossier`` as it stands, as ``fmt`` carries it.

        Moments are kept to the second; optional fields ``fmt`` does not send are left empty
        (``None``), so the value equals what :func:`parse_sync_record` reads back.

        Args:
            dossier: a dossier with at least one event.
            fmt: the endpoint's format (decides how the applicant's kind can be expressed and
                whether the applicant's name is carried).
            field_code: the portal's sector code (``MaLinhVuc``), e.g. from ``LayThuTuc``.
            field_name: the sector's name (``TenLinhVuc``).
            summary: ``TrichYeuHoSo``; defaults to the procedure's name.

        Raises:
            InvalidInputError: the dossier has no events.
        """
        fmt = fmt or PortalFormat()
        carried = fmt.include
        header = dossier.header
        status = dossier.status
        if header is None or status is None:
            msg = "an empty dossier has no portal record"
            raise InvalidInputError(msg, field="dossier", value=None)
        applicant = header.applicant
        clock = dossier.clock
        returned = next((e.at for e in dossier.events if isinstance(e, Returned)), None)
        decided = next((e for e in dossier.events if isinstance(e, Decided)), None)
        return cls(
            code=header.code,
            procedure_code=header.procedure_code or "",
            procedure_name=header.procedure_name,
            field_code=field_code,
            field_name=field_name,
            applicant_kind=fmt.applicant_coding.canonical(applicant.kind),
            summary=header.procedure_name if summary is None else summary,
            received_at=_second(clock.started_at),
            appointment=_second(clock.appointment),
            status=status,
            returned_at=_second(returned) if "NgayTra" in carried else None,
            finished_at=_second(clock.finished_at) if "NgayKetThucXuLy" in carried else None,
            by_post=header.channel is Channel.POST,
            handling_unit=header.competent,
            supplements=_supplements(dossier.events) if "DanhSachHoSoBoSung" in carried else None,
            results=(
                (() if decided is None else (decided.document,))
                if "DanhSachGiayToKetQua" in carried
                else None
            ),
            holder=applicant.name if "ChuHoSo" in carried else None,
            email=applicant.email or "",
            phone=applicant.phone or "",
        )

    @property
    def timeliness(self) -> Timeliness | None:
        """Early, on time or late, comparing ``NgayKetThucXuLy`` with ``NgayHenTra``.

        The same rule as :attr:`Dossier.timeliness`; ``None`` before a decision.
        """
        finished, due = self.finished_at, self.appointment
        if finished is None or due is None:
            return None
        if finished.date() < due.date():
            return Timeliness.EARLY
        return Timeliness.ON_TIME if finished <= due else Timeliness.LATE

    def appointment_history(self) -> tuple[AppointmentChange, ...]:
        """The appointment changes the record tells, oldest first, shaped as a dossier's clock.

        The receipt (with the first appointment: the first round's ``NgayHenTraTruoc``, or
        ``NgayHenTra`` when there was no round), then each supplement round: the request
        (before: ``NgayHenTraTruoc``, after: none) and the supplement (after:
        ``NgayHenTraMoi``). Changes the body cannot carry (apologies, payment waits) are
        missing. Empty before receipt.
        """
        if self.received_at is None:
            return ()
        rounds = [s for s in self.supplements or () if s.requested_at >= self.received_at]
        first = rounds[0].due_before if rounds else self.appointment
        changes = [
            AppointmentChange(
                at=self.received_at, cause="received", before=None, after=first, reason="receipt"
            )
        ]
        for round_ in rounds:
            changes.append(
                AppointmentChange(
                    at=round_.requested_at,
                    cause="supplement_requested",
                    before=round_.due_before,
                    after=None,
                    reason=round_.content,
                )
            )
            if round_.received_at is not None:
                changes.append(
                    AppointmentChange(
                        at=round_.received_at,
                        cause="supplemented",
                        before=None,
                        after=round_.due_after,
                        reason="supplemented",
                    )
                )
        return tuple(changes)

    def to_record(self, fmt: PortalFormat | None = None) -> dict[str, Any]:
        """The ``DongBoHoSoMC`` body: every value text (as OpenCPS sends), arrays of dicts."""
        fmt = fmt or PortalFormat()
        when = fmt.format_moment
        kind = self.applicant_kind
        record: dict[str, Any] = {
            "MaHoSo": self.code,
            "MaTTHC": self.procedure_code,
            "TenTTHC": self.procedure_name,
            "MaLinhVuc": self.field_code,
            "TenLinhVuc": self.field_name,
        }
        if "ChuHoSo" in fmt.include:
            record["ChuHoSo"] = self.holder or ""
        record.update(
            {
                "LoaiDoiTuong": "" if kind is None else fmt.applicant_coding.encode(kind),
                "Email": self.email,
                "SoDienThoai": self.phone,
                "TrichYeuHoSo": self.summary,
                "NgayTiepNhan": when(self.received_at),
                "NgayHenTra": when(self.appointment),
                "TrangThaiHoSo": str(self.status.portal_code),
            }
        )
        if "NgayTra" in fmt.include:
            record["NgayTra"] = when(self.returned_at)
        record["HinhThuc"] = "1" if self.by_post else "0"
        if "NgayKetThucXuLy" in fmt.include:
            record["NgayKetThucXuLy"] = when(self.finished_at)
        record["DonViXuLy"] = self.handling_unit
        if "DanhSachHoSoBoSung" in fmt.include:
            record["DanhSachHoSoBoSung"] = [
                _supplement_record(s, fmt) for s in self.supplements or ()
            ]
        if "DanhSachGiayToKetQua" in fmt.include:
            record["DanhSachGiayToKetQua"] = [{"TenGiayTo": name} for name in self.results or ()]
        for name, value in self.extra:
            record.setdefault(name, value)
        return record


def _supplements(events: Sequence[Event]) -> tuple[PortalSupplement, ...]:
    """The supplement rounds, with the appointment before each and after it."""
    rounds: list[PortalSupplement] = []
    current: dt.datetime | None = None
    for event in events:
        if isinstance(event, SupplementRequested):
            rounds.append(
                PortalSupplement(
                    id=str(len(rounds) + 1),
                    requested_by=event.actor,
                    content=event.reason,
                    requested_at=_req(_second(event.at)),
                    components=event.components,
                    due_before=_second(current),
                )
            )
            current = None
        elif isinstance(event, Supplemented):
            if rounds:
                rounds[-1] = attrs.evolve(
                    rounds[-1],
                    received_by=event.actor,
                    received_at=_second(event.at),
                    due_after=_second(event.appointment),
                )
            current = event.appointment
        elif isinstance(event, (Received, Apologised, Paid)):
            current = event.appointment
        elif isinstance(event, PaymentRequested):
            current = None
    return tuple(rounds)


def _req(moment: dt.datetime | None) -> dt.datetime:
    if moment is None:  # pragma: no cover  (events always have a moment)
        msg = "a moment is required"
        raise InvalidInputError(msg, field="moment", value=None)
    return moment


def _supplement_record(s: PortalSupplement, fmt: PortalFormat) -> dict[str, Any]:
    when = fmt.format_moment
    return {
        "HoSoBoSungId": s.id,
        "NguoiYeuCauBoSung": s.requested_by,
        "NoiDungBoSung": s.content,
        "NgayBoSung": when(s.requested_at),
        "NguoiTiepNhanBoSung": s.received_by or "",
        "NgayTiepNhanBoSung": when(s.received_at),
        "TrangThaiBoSung": "1" if s.supplied else "0",
        "DanhSachGiayToBoSung": [{"TenGiayTo": c} for c in s.components],
        "NgayHenTraTruoc": when(s.due_before),
        "NgayHenTraMoi": when(s.due_after),
    }


def sync_record(
    dossier: Dossier,
    fmt: PortalFormat | None = None,
    *,
    field_code: str = "",
    field_name: str = "",
    summary: str | None = None,
) -> dict[str, Any]:
    """The ``DongBoHoSoMC`` body of ``dossier`` (see :meth:`PortalRecord.from_dossier`).

    Raises:
        InvalidInputError: the dossier has no events.
    """
    fmt = fmt or PortalFormat()
    record = PortalRecord.from_dossier(
        dossier, fmt, field_code=field_code, field_name=field_name, summary=summary
    )
    return record.to_record(fmt)


def group_sync_records(
    dossier: Dossier,
    group: ProcedureGroup,
    fmt: PortalFormat | None = None,
    *,
    include_optional: Iterable[str] = (),
    field_code: str = "",
    field_name: str = "",
) -> list[dict[str, Any]]:
    """One ``DongBoHoSoMC`` body per member of an interconnected (liên thông) group dossier.

    Each body is the dossier's record with the member's national code (``MaTTHC``), name and
    agency; a member without a known code gets ``""`` (never guessed). How the portal keys the
    members of one group dossier is not specified in the sources seen [U]: the bodies share the
    dossier's ``MaHoSo``.

    Args:
        dossier: the group dossier.
        group: its group (e.g. ``Catalogue.bundled().group("group.birth", on)``).
        fmt: the portal format.
        include_optional: the names of optional members the applicant chose.
        field_code: ``MaLinhVuc``.
        field_name: ``TenLinhVuc``.

    Raises:
        InvalidInputError: the dossier has no events, or ``include_optional`` names no optional
            member of the group.
    """
    fmt = fmt or PortalFormat()
    chosen = set(include_optional)
    optional = {m.name for m in group.members if m.optional}
    unknown = sorted(chosen - optional)
    if unknown:
        msg = (
            f"{', '.join(unknown)} is not an optional member of {group.id}; optional members: "
            f"{', '.join(sorted(optional)) or 'none'}"
        )
        raise InvalidInputError(msg, field="include_optional", value=unknown)
    base = PortalRecord.from_dossier(dossier, fmt, field_code=field_code, field_name=field_name)
    return [
        attrs.evolve(
            base,
            procedure_code=member.code or "",
            procedure_name=member.name,
            handling_unit=member.agency,
        ).to_record(fmt)
        for member in group.members
        if not member.optional or member.name in chosen
    ]


# --------------------------------------------------------------------------------------------
# Reading a sync body


_SYNC: Final = f"<{SYNC_SERVICE} record>"
_PROGRESS: Final = f"<{PROGRESS_SERVICE} record>"
_KNOWN: Final = frozenset(REQUIRED_FIELDS) | OPTIONAL_FIELDS


class _Reader:
    """Reads the fields of one body, raising :class:`DataFileError` naming the field."""

    def __init__(self, record: object, fmt: PortalFormat, path: str) -> None:
        if not isinstance(record, Mapping):
            msg = f"a record is a JSON object, got {type(record).__name__}"
            raise DataFileError(msg, path=path)
        self.record: Mapping[str, Any] = record
        self.fmt = fmt
        self.path = path
        code = record.get("MaHoSo")
        self.entry = code if isinstance(code, str) and code else None

    def error(self, problem: str, field: str) -> DataFileError:
        return DataFileError(problem, path=self.path, entry=self.entry, field=field)


def _text(
    reader: _Reader,
    name: str,
    *,
    required: bool = True,
    source: Mapping[str, Any] | None = None,
    where: str = "",
) -> str:
    data = reader.record if source is None else source
    if name not in data:
        if required:
            raise reader.error("the field is missing", where + name)
        return ""
    value = data[name]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**100:
        value = str(value)  # a number sent for a code; a longer one is not text (str() raises)
    if not isinstance(value, str):
        shown = "" if name in PERSONAL_FIELDS else f", got {type(value).__name__}"
        raise reader.error(f"expected text{shown}", where + name)
    return value


def _moment(
    reader: _Reader,
    name: str,
    *,
    required: bool = True,
    source: Mapping[str, Any] | None = None,
    where: str = "",
) -> dt.datetime | None:
    text = _text(reader, name, required=required, source=source, where=where)
    try:
        return reader.fmt.parse_moment(text)
    except InvalidInputError as exc:
        raise reader.error(str(exc), where + name) from None


def _list(
    reader: _Reader, name: str, source: Mapping[str, Any] | None = None, where: str = ""
) -> list[Any]:
    data = reader.record if source is None else source
    value = data.get(name, [])
    if not isinstance(value, list):
        raise reader.error(f"expected a list, got {type(value).__name__}", where + name)
    for item in value:
        if not isinstance(item, Mapping):
            problem = f"expected a list of objects, got {type(item).__name__}"
            raise reader.error(problem, where + name)
    return value


def _names(
    reader: _Reader, name: str, source: Mapping[str, Any] | None = None, where: str = ""
) -> tuple[str, ...]:
    return tuple(
        _text(reader, "TenGiayTo", source=item, where=f"{where}{name}[{i}].")
        for i, item in enumerate(_list(reader, name, source=source, where=where))
    )


def _status(reader: _Reader, name: str) -> Status:
    text = _text(reader, name)
    try:
        return Status(decimal_int(text, name, max_digits=2))
    except ValueError:  # never the value: a wrong field may hold a name
        raise reader.error(f"expected a status code 1-10, got {describe(text)}", name) from None


def parse_sync_record(record: Mapping[str, Any], fmt: PortalFormat | None = None) -> PortalRecord:
    """Read a ``DongBoHoSoMC`` body written in ``fmt``.

    Required fields must be present; optional ones may be missing. Fields govtier does not map
    are kept in :attr:`PortalRecord.extra`. A record written by :func:`sync_record` in the same
    format is rebuilt exactly: ``parse_sync_record(r, fmt).to_record(fmt) == r``.

    Raises:
        DataFileError: a field is missing or malformed; the message names the dossier code and
            the field (never a personal value).
    """
    fmt = fmt or PortalFormat()
    reader = _Reader(record, fmt, _SYNC)
    code = _text(reader, "MaHoSo")
    if not code:
        raise reader.error("the dossier code is empty", "MaHoSo")
    kind_text = _text(reader, "LoaiDoiTuong")
    try:
        kind = None if kind_text == "" else fmt.applicant_coding.decode(kind_text)
    except InvalidInputError as exc:
        raise reader.error(str(exc), "LoaiDoiTuong") from None
    form = _text(reader, "HinhThuc")
    if form not in ("0", "1"):
        raise reader.error(f"expected '0' or '1', got {describe(form)}", "HinhThuc")
    data = reader.record
    scalars = {
        "procedure_code": _text(reader, "MaTTHC"),
        "procedure_name": _text(reader, "TenTTHC"),
        "field_code": _text(reader, "MaLinhVuc"),
        "field_name": _text(reader, "TenLinhVuc"),
        "summary": _text(reader, "TrichYeuHoSo"),
        "handling_unit": _text(reader, "DonViXuLy"),
        "email": _text(reader, "Email"),
        "phone": _text(reader, "SoDienThoai"),
    }
    received_at = _moment(reader, "NgayTiepNhan")
    appointment = _moment(reader, "NgayHenTra")
    status = _status(reader, "TrangThaiHoSo")
    returned_at = _moment(reader, "NgayTra", required=False)
    finished_at = _moment(reader, "NgayKetThucXuLy", required=False)
    supplements = None
    if "DanhSachHoSoBoSung" in data:
        supplements = tuple(
            _parse_supplement(reader, item, f"DanhSachHoSoBoSung[{i}].")
            for i, item in enumerate(_list(reader, "DanhSachHoSoBoSung"))
        )
    results = _names(reader, "DanhSachGiayToKetQua") if "DanhSachGiayToKetQua" in data else None
    return PortalRecord(
        code=code,
        applicant_kind=kind,
        received_at=received_at,
        appointment=appointment,
        status=status,
        returned_at=returned_at,
        finished_at=finished_at,
        by_post=form == "1",
        supplements=supplements,
        results=results,
        holder=_text(reader, "ChuHoSo") if "ChuHoSo" in data else None,
        extra=tuple((k, v) for k, v in data.items() if k not in _KNOWN),
        **scalars,
    )


def _parse_supplement(reader: _Reader, item: Mapping[str, Any], where: str) -> PortalSupplement:
    requested = _moment(reader, "NgayBoSung", source=item, where=where)
    if requested is None:
        raise reader.error("a supplement round needs its request moment", where + "NgayBoSung")
    received_by = _text(reader, "NguoiTiepNhanBoSung", required=False, source=item, where=where)
    return PortalSupplement(
        id=_text(reader, "HoSoBoSungId", source=item, where=where),
        requested_by=_text(reader, "NguoiYeuCauBoSung", source=item, where=where),
        content=_text(reader, "NoiDungBoSung", source=item, where=where),
        requested_at=requested,
        components=_names(reader, "DanhSachGiayToBoSung", source=item, where=where),
        received_by=received_by or None,
        received_at=_moment(reader, "NgayTiepNhanBoSung", required=False, source=item, where=where),
        due_before=_moment(reader, "NgayHenTraTruoc", required=False, source=item, where=where),
        due_after=_moment(reader, "NgayHenTraMoi", required=False, source=item, where=where),
    )


# --------------------------------------------------------------------------------------------
# Progress records


@attrs.frozen(kw_only=True)
class ProgressRecord:
    """A ``CapNhatTienDoHoSoMC`` body as a value.

    Attributes:
        code: ``MaHoSo``.
        actor: ``NguoiXuLy``: who acted (an id, not personal data of the applicant).
        at: ``ThoiDiemXuLy``.
        content: ``NoiDungXuLy``: what happened, in Vietnamese.
        status: ``TrangThai``: the status after the event.
        started_at: ``NgayBatDau``: the receipt, if any (optional field).
        due_at: ``NgayKetThucTheoQuyDinh``: the appointment after the event (optional field).
    """

    code: str = attrs.field(validator=attrs.validators.min_len(1))
    actor: str
    at: dt.datetime
    content: str
    status: Status
    started_at: dt.datetime | None = None
    due_at: dt.datetime | None = None

    def to_record(self, fmt: PortalFormat | None = None) -> dict[str, str]:
        """The ``CapNhatTienDoHoSoMC`` body (text values; optional dates per ``fmt``)."""
        fmt = fmt or PortalFormat()
        record = {
            "MaHoSo": self.code,
            "NguoiXuLy": self.actor,
            "ThoiDiemXuLy": fmt.format_moment(self.at),
            "NoiDungXuLy": self.content,
            "TrangThai": str(self.status.portal_code),
        }
        if "NgayBatDau" in fmt.include:
            record["NgayBatDau"] = fmt.format_moment(self.started_at)
        if "NgayKetThucTheoQuyDinh" in fmt.include:
            record["NgayKetThucTheoQuyDinh"] = fmt.format_moment(self.due_at)
        return record


def _content(event: Event) -> str:
    """What happened, in Vietnamese, for ``NoiDungXuLy``."""
    if isinstance(event, Refused):
        return f"Không tiếp nhận hồ sơ: {event.reason}"
    if isinstance(event, SupplementRequested):
        return f"Yêu cầu bổ sung hồ sơ: {event.reason}"
    if isinstance(event, Transferred):
        return f"Chuyển xử lý: {event.to}"
    if isinstance(event, HandedOver):
        return f"Bàn giao hồ sơ từ {event.from_agency} cho {event.to_agency} ({event.legal_basis})"
    if isinstance(event, Apologised):
        return f"Xin lỗi và hẹn lại ngày trả kết quả: {event.reason}"
    if isinstance(event, Stopped):
        return f"Dừng xử lý: {event.reason}"
    if isinstance(event, Decided):
        granted = event.outcome is Outcome.GRANTED
        return "Đã có kết quả: " + ("được giải quyết" if granted else "không được giải quyết")
    return _CONTENT[event.kind]


_CONTENT: Final = {
    "submitted": "Nộp hồ sơ",
    "received": "Tiếp nhận hồ sơ",
    "supplemented": "Đã bổ sung hồ sơ",
    "payment_requested": "Yêu cầu thực hiện nghĩa vụ tài chính",
    "paid": "Đã thực hiện nghĩa vụ tài chính",
    "returned": "Đã trả kết quả",
    "withdrawn": "Công dân yêu cầu rút hồ sơ",
}


def _progress(dossier: Dossier) -> Iterator[ProgressRecord]:
    state = Dossier()
    for event in dossier.events:
        state = state.apply(event)
        status = state.status
        if status is None or state.header is None:  # pragma: no cover  (after an event)
            continue
        yield ProgressRecord(
            code=state.header.code,
            actor=event.actor,
            at=_req(_second(event.at)),
            content=_content(event),
            status=status,
            started_at=_second(state.clock.started_at),
            due_at=_second(state.clock.appointment),
        )


def progress_records(dossier: Dossier, fmt: PortalFormat | None = None) -> list[dict[str, str]]:
    """One ``CapNhatTienDoHoSoMC`` body per event of ``dossier``, oldest first.

    ``TrangThai`` is the status after the event; ``NgayKetThucTheoQuyDinh`` the appointment
    then (empty while the clock waits on the applicant).
    """
    fmt = fmt or PortalFormat()
    return [p.to_record(fmt) for p in _progress(dossier)]


def parse_progress_record(
    record: Mapping[str, Any], fmt: PortalFormat | None = None
) -> ProgressRecord:
    """Read a ``CapNhatTienDoHoSoMC`` body written in ``fmt``.

    Raises:
        DataFileError: a field is missing or malformed.
    """
    fmt = fmt or PortalFormat()
    reader = _Reader(record, fmt, _PROGRESS)
    code = _text(reader, "MaHoSo")
    if not code:
        raise reader.error("the dossier code is empty", "MaHoSo")
    at = _moment(reader, "ThoiDiemXuLy")
    if at is None:
        raise reader.error("the moment of the step is empty", "ThoiDiemXuLy")
    return ProgressRecord(
        code=code,
        actor=_text(reader, "NguoiXuLy"),
        at=at,
        content=_text(reader, "NoiDungXuLy"),
        status=_status(reader, "TrangThai"),
        started_at=_moment(reader, "NgayBatDau", required=False),
        due_at=_moment(reader, "NgayKetThucTheoQuyDinh", required=False),
    )


def request_body(
    service: str,
    data: Sequence[Mapping[str, Any]],
    *,
    unit_code: str,
    session: str,
    updating: bool = False,
) -> dict[str, Any]:
    """The request envelope OpenCPS posts to the portal [P].

    Args:
        service: :data:`SYNC_SERVICE` or :data:`PROGRESS_SERVICE`.
        data: the bodies.
        unit_code: ``madonvi``, the sending unit's code.
        session: the session token from the portal's authentication (the caller obtains it).
        updating: ``isUpdating``: whether the dossier already exists on the portal.

    Raises:
        InvalidInputError: an unknown service.
    """
    if service not in (SYNC_SERVICE, PROGRESS_SERVICE):
        msg = f"service is {SYNC_SERVICE!r} or {PROGRESS_SERVICE!r}; got {service!r}"
        raise InvalidInputError(msg, field="service", value=service)
    return {
        "session": session,
        "madonvi": unit_code,
        "service": service,
        "isUpdating": "True" if updating else "False",
        "data": [dict(d) for d in data],
    }
