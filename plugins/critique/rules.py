"""Domain rules of the critique area (spec/critique.md, "Rules"): pure functions on plain
values — no database, no Flask, no today but the one handed in.

1. The comment window (thời gian góp ý): calendar days from the day received to the
   deadline, and working days — Mon–Fri after the day received up to and including the
   deadline, less the days off of the calendar, plus its compensating working days
   (:func:`window_days`, :func:`working_days`). Below the minimum (default 20 calendar
   days) the request is flagged :data:`SHORT` (:func:`short_window`).
2. The status machine ``Tiếp nhận → Đang thực hiện → Đã gửi báo cáo → Đã phản hồi``
   (:data:`MACHINE`, :func:`check_transition`); ``Quá hạn`` is derived — deadline passed,
   report not sent (:func:`is_overdue`, :func:`shown_status`); ``Từ chối`` needs a reason
   (:func:`check_refusal`); a report sent more than N days ago (default 30) that the
   requester has not answered with its báo cáo tiếp thu, giải trình is flagged
   :data:`NO_UPTAKE` (:func:`awaiting_uptake`).
3. An expert who works at the requesting organisation has a conflict of interest
   (:func:`conflicts_of_interest`).
4. Acceptance rate = accepted / recommendations, over the requests the requester answered
   (:func:`acceptance_rate`).

Row checks return ``[(field, Vietnamese message)]``, empty when the values are fine;
:func:`check_request` runs them all on a row's parsed values. The warnings of a row
(:func:`warnings`) are short flags, each starting with fixed words that machines may read,
joined by ``"; "`` (:func:`warning_text`). Messages quote dates as the sheet shows them.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Container, Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

from core.people import person_key, split_title
from sheets.values import format_date

# -- statuses -------------------------------------------------------------------------------
RECEIVED = "Tiếp nhận"
IN_PROGRESS = "Đang thực hiện"
REPORTED = "Đã gửi báo cáo"
ANSWERED = "Đã phản hồi"
REFUSED = "Từ chối"
OVERDUE = "Quá hạn"  # derived, never typed
MACHINE = (RECEIVED, IN_PROGRESS, REPORTED, ANSWERED)
STATUSES = {  # label → other spellings offices use
    RECEIVED: ("Mới nhận", "Đã tiếp nhận", "Chờ xử lý", "Mới"),
    IN_PROGRESS: ("Đang xử lý", "Đang triển khai", "Đang làm", "Đang góp ý"),
    REPORTED: ("Đã gửi", "Đã báo cáo", "Đã hoàn thành", "Hoàn thành", "Đã gửi ý kiến"),
    ANSWERED: ("Đã có phản hồi", "Đã nhận phản hồi", "Đã tiếp thu", "Đã có báo cáo tiếp thu"),
    REFUSED: ("Không thực hiện", "Trả lại", "Từ chối thực hiện"),
}
OPEN = (RECEIVED, IN_PROGRESS)  # the report is still to be sent
TYPED = {**STATUSES, OVERDUE: ()}  # what a sheet's cell may say: Quá hạn is read, then refused with a hint

# -- flags (Cảnh báo): each starts with these words ------------------------------------------
SHORT = "thời gian góp ý quá ngắn"
LATE = "quá hạn"
NO_UPTAKE = "chưa có báo cáo tiếp thu, giải trình"
CONFLICT = "xung đột lợi ích"
INCOMPLETE = "hồ sơ chưa đầy đủ"
SEPARATOR = "; "

MIN_WINDOW_DAYS = 20  # provincial rules: the dossier arrives at least 20 days ahead
UPTAKE_DAYS = 30  # the requester answers within 30 days of the report


# -- rule 1: the comment window -------------------------------------------------------------------
def window_days(received: dt.date | None, deadline: dt.date | None) -> int | None:
    """Calendar days from the day received to the deadline (``None`` without both)."""
    if received is None or deadline is None:
        return None
    return (deadline - received).days


def is_working_day(day: dt.date, days_off: Container[dt.date] = (), workdays: Container[dt.date] = ()) -> bool:
    """Mon–Fri and not a day off, or a compensating working day (a Saturday the
    government swapped for a day off)."""
    if day in workdays:
        return True
    return day.weekday() < 5 and day not in days_off


def weekdays(first: dt.date, last: dt.date) -> int:
    """Mon–Fri days from ``first`` to ``last``, both included (0 when ``last`` is before)."""
    days = (last - first).days + 1
    if days <= 0:
        return 0
    weeks, rest = divmod(days, 7)
    return weeks * 5 + sum(1 for i in range(rest) if (first.weekday() + i) % 7 < 5)


def working_days(received: dt.date | None, deadline: dt.date | None, days_off: Iterable[dt.date] = (),
                 workdays: Iterable[dt.date] = ()) -> int | None:
    """Working days after the day received, up to and including the deadline — the days
    :func:`is_working_day` counts —; ``None`` without both dates, 0 for a deadline on or
    before the day received. Counted without walking the days: the weekdays of the
    range, less the weekdays off, plus the weekend days worked."""
    if received is None or deadline is None:
        return None
    first = received + dt.timedelta(days=1)
    worked = frozenset(workdays)
    count = weekdays(first, deadline)
    count -= sum(1 for day in frozenset(days_off)
                 if first <= day <= deadline and day.weekday() < 5 and day not in worked)
    count += sum(1 for day in worked if first <= day <= deadline and day.weekday() >= 5)
    return count


def short_window(days: int | None, minimum: int = MIN_WINDOW_DAYS) -> bool:
    """Fewer calendar days than the minimum (exactly the minimum is not short)."""
    return days is not None and days < minimum


def check_window(received: dt.date | None, deadline: dt.date | None) -> list[tuple[str, str]]:
    """The deadline (hạn góp ý) is not before the day received."""
    if received is not None and deadline is not None and deadline < received:
        return [("deadline", f"Hạn góp ý ({format_date(deadline)}) trước ngày nhận ({format_date(received)})")]
    return []


def check_arrival(received: dt.date | None, bypassed: bool = False, issued: dt.date | None = None,
                  report_sent_on: dt.date | None = None) -> list[tuple[str, str]]:
    """A request that reached the LHH has its day received and a report not sent before
    it; one recorded as never sent to the LHH (``Không gửi LHH``: a document of the
    mandatory list the requester issued without critique) has no day received but the
    day it was issued."""
    if bypassed:
        if received is not None:
            return [("received_on", f'Văn bản ghi "Không gửi LHH" nhưng có ngày nhận ({format_date(received)})')]
        if issued is None:
            return [("issued_on", 'Văn bản không gửi LHH cần "Ngày ban hành" (để tính vào kỳ báo cáo)')]
        return []
    if received is None:
        return [("received_on", 'Thiếu "Ngày nhận"')]
    if report_sent_on is not None and report_sent_on < received:
        return [("report_sent_on", f"Ngày gửi báo cáo ({format_date(report_sent_on)}) trước ngày nhận "
                                   f"({format_date(received)})")]
    return []


# -- rule 2: the status machine ---------------------------------------------------------------------
def check_refusal(status: str | None, reason: str | None, *, reason_column: bool = True) -> list[tuple[str, str]]:
    """``Từ chối`` needs a reason. ``reason_column``: whether the sheet has the column
    ``Lý do từ chối`` (the message then says where to write it)."""
    if status != REFUSED or (reason or "").strip():
        return []
    if reason_column:
        return [("refusal_reason", 'Trạng thái "Từ chối" cần ghi lý do ở cột "Lý do từ chối"')]
    return [("status", 'Trạng thái "Từ chối" cần lý do: thêm cột "Lý do từ chối" và ghi lý do')]


def check_typed_status(status: str | None) -> list[tuple[str, str]]:
    """``Quá hạn`` is derived, never typed: the sheet says where the work stands."""
    if status == OVERDUE:
        return [("status", f'Trạng thái "{OVERDUE}" do phoihop tính (hạn góp ý đã qua mà chưa gửi báo cáo): '
                           f'ghi trạng thái thực tế ({RECEIVED} hoặc {IN_PROGRESS})')]
    return []


def check_transition(old: str | None, new: str | None) -> list[tuple[str, str]]:
    """A change of status made in the admin follows the machine: forward (a step may be
    skipped, e.g. a report sent without recording the work), never back; ``Từ chối``
    only before the report is sent; a refused request stays refused."""
    if old == new or old is None or new is None:
        return []
    if old == REFUSED:
        return [("status", f'Nhiệm vụ đã "Từ chối": không chuyển sang "{new}"')]
    if new == REFUSED:
        if old in OPEN:
            return []
        return [("status", f'Nhiệm vụ đã "{old}": không thể "Từ chối" sau khi đã gửi báo cáo')]
    if old in MACHINE and new in MACHINE and MACHINE.index(new) < MACHINE.index(old):
        return [("status", f'Trạng thái chỉ đi tiếp theo trình tự {" → ".join(MACHINE)}: không quay lại từ '
                           f'"{old}" về "{new}"')]
    return []


def next_statuses(status: str | None) -> list[str]:
    """The statuses a request may move to from ``status`` (itself included)."""
    return [s for s in (*MACHINE, REFUSED) if not check_transition(status, s)]


def effective_status(status: str | None, report_sent_on: dt.date | None = None, accepted: int | None = None) -> str:
    """The status as typed, or — when the sheet leaves it blank — what the other cells
    say: an answer (accepted recommendations) means ``Đã phản hồi``, a report date
    ``Đã gửi báo cáo``, else ``Tiếp nhận``."""
    if status:
        return status
    if accepted is not None:
        return ANSWERED
    if report_sent_on is not None:
        return REPORTED
    return RECEIVED


def is_overdue(status: str | None, deadline: dt.date | None, report_sent_on: dt.date | None, today: dt.date,
               accepted: int | None = None) -> bool:
    """``Quá hạn``: the deadline has passed (it is before today) and the report is not
    sent — the request is still ``Tiếp nhận`` or ``Đang thực hiện``."""
    return (deadline is not None and deadline < today and report_sent_on is None
            and effective_status(status, report_sent_on, accepted) in OPEN)


def awaiting_uptake(status: str | None, report_sent_on: dt.date | None, accepted: int | None, today: dt.date,
                    days: int = UPTAKE_DAYS) -> bool:
    """``Đã gửi báo cáo`` for more than ``days`` days (exactly ``days`` is not yet late)
    and no báo cáo tiếp thu, giải trình from the requester."""
    return (effective_status(status, report_sent_on, accepted) == REPORTED and accepted is None
            and report_sent_on is not None and (today - report_sent_on).days > days)


def shown_status(status: str | None, deadline: dt.date | None, report_sent_on: dt.date | None,
                 accepted: int | None, today: dt.date) -> str:
    """The status the admin shows: ``Quá hạn`` when :func:`is_overdue`, else the
    :func:`effective_status`."""
    if is_overdue(status, deadline, report_sent_on, today, accepted):
        return OVERDUE
    return effective_status(status, report_sent_on, accepted)


def on_time(report_sent_on: dt.date | None, deadline: dt.date | None) -> bool | None:
    """Whether the report went out by the deadline (``None`` when either is unknown)."""
    if report_sent_on is None or deadline is None:
        return None
    return report_sent_on <= deadline


# -- recommendations (rule 4) -----------------------------------------------------------------------
def check_recommendations(made: int | None, accepted: int | None) -> list[tuple[str, str]]:
    """The requester cannot take up more recommendations than were made."""
    if made is not None and accepted is not None and accepted > made:
        return [("accepted", f"{accepted} kiến nghị được tiếp thu nhiều hơn {made} kiến nghị đã đưa ra")]
    return []


def percent(part, whole, places: int = 2) -> float | None:
    """``part / whole`` in percent, rounded half up; ``None`` when ``whole`` is 0."""
    if not whole:
        return None
    quantum = Decimal(1).scaleb(-places)
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(quantum, rounding=ROUND_HALF_UP))


def acceptance_rate(made: int | None, accepted: int | None) -> float | None:
    """Accepted / made in percent (2 decimals), over the requests the requester answered;
    ``None`` when nothing answered was made."""
    return percent(accepted or 0, made or 0)


# -- rule 3: conflict of interest --------------------------------------------------------------------
def conflicts_of_interest(requester: int | None, team: Iterable[tuple[str, Iterable[int | None]]]) -> list[str]:
    """The names of the experts of ``team`` — ``(name, their workplaces)``, a workplace
    being an organisation id (from the expert directory, from the registry) — who work at
    the ``requester`` (an organisation id)."""
    if requester is None:
        return []
    return [name for name, workplaces in team if requester in set(workplaces)]


# -- the expert directory ---------------------------------------------------------------------------
def unknown_experts(names: Iterable[str] | None, directory: Container[str]) -> list[str]:
    """The names (titles split off) that are not in the directory, whose names are given
    as :func:`core.people.person_key` keys."""
    missing = []
    for name in names or ():
        key = person_key(name)
        if key and key not in directory:
            missing.append(split_title(name)[1])
    return list(dict.fromkeys(missing))


def check_experts(names: Iterable[str] | None, directory: Container[str]) -> list[tuple[str, str]]:
    """Every expert of the team is in the expert directory (``critique.experts``)."""
    missing = unknown_experts(names, directory)
    if not missing:
        return []
    quoted = ", ".join(f"'{name}'" for name in missing)
    return [("experts", f"chuyên gia {quoted} không có trong danh sách chuyên gia")]


def check_request(values: Mapping, directory: Container[str] | None = None, *,
                  reason_column: bool = True) -> list[tuple[str, str]]:
    """Every rule on a request row's parsed values (``field → value``; what a row does not
    have is skipped). ``directory``: the expert directory's keys (the team is not checked
    without it)."""
    problems = []
    problems += check_arrival(values.get("received_on"), bool(values.get("bypassed")), values.get("issued_on"),
                              values.get("report_sent_on"))
    problems += check_window(values.get("received_on"), values.get("deadline"))
    problems += check_recommendations(values.get("recommendations"), values.get("accepted"))
    problems += check_typed_status(values.get("status"))
    problems += check_refusal(values.get("status"), values.get("refusal_reason"), reason_column=reason_column)
    if directory is not None:
        problems += check_experts(values.get("experts"), directory)
    return problems


# -- what the office sees -------------------------------------------------------------------------------
def warnings(*, window: int | None, minimum: int = MIN_WINDOW_DAYS, overdue: bool = False, awaiting: bool = False,
             conflicts: Iterable[str] = (), documents_complete: bool | None = True,
             bypassed: bool = False) -> list[str]:
    """The flags of a request, in a fixed order: short window, overdue, no uptake report,
    one per conflicted expert, incomplete dossier. A document never sent to the LHH has
    none (it is counted apart)."""
    if bypassed:
        return []
    flags = []
    if short_window(window, minimum):
        flags.append(SHORT)
    if overdue:
        flags.append(LATE)
    if awaiting:
        flags.append(NO_UPTAKE)
    flags += [f"{CONFLICT}: {name}" for name in dict.fromkeys(conflicts)]
    if documents_complete is False:
        flags.append(INCOMPLETE)
    return flags


def warning_text(flags: Iterable[str]) -> str:
    """The ``Cảnh báo`` cell: the flags joined by ``"; "``; empty when none."""
    return SEPARATOR.join(flags)


# -- figures ----------------------------------------------------------------------------------------
def median(histogram: Mapping[int, int]) -> float | None:
    """The median of values given as ``{value: how many}`` (what a GROUP BY gives);
    ``None`` when there are none. Between two middle values, their mean."""
    total = sum(count for count in histogram.values() if count > 0)
    if not total:
        return None
    wanted = [(total - 1) // 2, total // 2]  # 0-based positions of the middle value(s)
    found, seen = [], 0
    for value in sorted(histogram):
        count = histogram[value]
        if count <= 0:
            continue
        while wanted and wanted[0] < seen + count:
            found.append(value)
            wanted.pop(0)
        seen += count
    return float(Decimal(sum(found)) / len(found))


def per_unit_per_year(count: int, units: int, years: int) -> float | None:
    """``count / (units × years)`` rounded half up to 2 decimals (the national survey's
    2,85 critiques per unit per year)."""
    if not units or not years:
        return None
    return float((Decimal(count) / (units * years)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
