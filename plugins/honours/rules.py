"""Domain rules of the honours area (spec/honours.md, "Rules"): pure functions on plain
values — no database, no Flask. Each is tested on its own (tests/plugins/honours/test_rules.py).

1. **Eligibility is data** (:class:`Eligibility`, one per category): the học hàm or học
   vị the category needs, the window in which it must have been conferred (since the
   previous round; in the year before the ceremony), the link to the province (born
   there, or living/working there for :data:`PROVINCE_YEARS` years), and how many listed
   achievements it needs. :func:`ineligibility` gives every reason a nomination fails, in
   plain Vietnamese.
2. **Once per degree/title category**: :func:`first_honour` finds the year a person was
   first honoured in a category; a category that may be given again (``repeatable``)
   is never flagged and counts in times honoured (lượt).
3. **One person, two nominators**: :func:`duplicates` merges the rows of one round whose
   normalised name and year of birth match (and category), flags — never merges — rows
   of one name where a year of birth is missing, and leaves homonyms born in different
   years alone.
4. **The council's vote**: :func:`threshold` (default: more than half of the members
   present) and :func:`decide`; a closed round is :func:`locked` but for an admin.

:func:`status` writes what the rules found as the row's ``Tình trạng hồ sơ``, each
outcome starting with the words offices filter on.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, NamedTuple

from core.vietnamese import format_date, format_decimal, normalise

# -- words the office filters on -------------------------------------------------------------
SELECTED = "Được tôn vinh"
NOT_SELECTED = "Không được tôn vinh"
RESULTS = {
    SELECTED: ("Được chọn", "Đạt", "Có", "x", "Được xét chọn"),
    NOT_SELECTED: ("Không được chọn", "Không đạt", "Không", "Không được xét chọn"),
}
INELIGIBLE = "Không đủ điều kiện"

# -- the windows a title or degree must have been conferred in -------------------------------
SINCE_PREVIOUS_ROUND = "since_previous_round"
YEAR_BEFORE_CEREMONY = "year_before_ceremony"
WINDOWS = (
    (SINCE_PREVIOUS_ROUND, "Từ sau đợt tôn vinh trước đến lễ tôn vinh"),
    (YEAR_BEFORE_CEREMONY, "Trong năm trước năm tổ chức lễ tôn vinh"),
)

PROVINCE_YEARS = 5  # living or working in the province this long links a person to it
DEFAULT_CEREMONY = (5, 18)  # Ngày Khoa học và Công nghệ Việt Nam: 18/5
DEFAULT_SHARE = Decimal(50)  # more than half of the council members present
MIN_AGE, MAX_AGE = 18, 100  # a year of birth outside these ages is implausible for a nominee


# -- categories and what they need -----------------------------------------------------------
@dataclass(frozen=True)
class Eligibility:
    """A category's conditions, as data: ``academic_title`` (GS, PGS) the nominee must
    hold, ``degrees`` (one of them), the ``window`` of conferral (:data:`WINDOWS`),
    ``province_link``, ``min_achievements`` listed, and whether it is ``repeatable``."""

    name: str
    academic_title: str | None = None
    degrees: tuple[str, ...] = ()
    window: str | None = None
    province_link: bool = False
    min_achievements: int = 0
    repeatable: bool = False


@dataclass(frozen=True)
class RoundFacts:
    """What eligibility needs of a round: its year, ceremony date, the ceremony of the
    round before it (:func:`previous_ceremony`) and its province (:func:`province_of`)."""

    year: int
    ceremony: dt.date
    previous_ceremony: dt.date
    province: str | None = None


@dataclass(frozen=True)
class Dossier:
    """What a nomination says that eligibility reads."""

    academic_title: str | None = None
    degree: str | None = None
    achievements: str | None = None
    conferral: str | None = None  # ``Ngày công nhận`` as written, when the sheet has it
    hometown: str | None = None
    years_in_province: int | None = None


class Conferral(NamedTuple):
    """When a title or degree was conferred: a date, or only its year."""

    date: dt.date | None
    year: int | None

    def text(self) -> str:
        return f"ngày {format_date(self.date)}" if self.date else f"năm {self.year}"


_DATE = re.compile(r"(?<!\d)(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})(?!\d)")
_YEAR_AFTER_WORD = re.compile(r"\bnăm\s+(\d{4})(?!\d)", re.IGNORECASE)
_BARE_YEAR = re.compile(r"(?<![\d/.-])((?:19|20)\d{2})(?![\d/.-])")


def _dates(text: str) -> list[dt.date]:
    found = []
    for day, month, year in _DATE.findall(text):
        try:
            found.append(dt.date(int(year), int(month), int(day)))
        except ValueError:
            continue
    return found


def conferral_of(conferral: str | None, achievements: str | None) -> Conferral | None:
    """When the title or degree was conferred: from ``Ngày công nhận`` when the sheet
    gives it (a date, or a year), else from the achievements as offices write them
    ('… bảo vệ luận án ngày 24/05/2022', '… Quyết định số 37/QĐ-HĐGSNN ngày 30/12/2022',
    '… tốt nghiệp năm 2022'): the latest date named, else the year after 'năm'.
    ``None`` when neither says."""
    text = unicodedata.normalize("NFC", conferral or "").strip()
    if text:
        dates = _dates(text)
        if dates:
            return Conferral(max(dates), max(dates).year)
        years = _BARE_YEAR.findall(text) or re.findall(r"(?<!\d)(\d{4})(?!\d)", text)
        if years:
            return Conferral(None, max(int(y) for y in years))
    text = unicodedata.normalize("NFC", achievements or "")
    dates = _dates(text)
    if dates:
        return Conferral(max(dates), max(dates).year)
    years = [int(y) for y in _YEAR_AFTER_WORD.findall(text)]
    return Conferral(None, max(years)) if years else None


def achievement_items(text: str | None) -> list[str]:
    """The achievements listed: items on their own lines (bulleted '- ', '+ ', '• ')
    or separated by ';'."""
    parts = re.split(r"[;\n\r\u2028\u2029]", unicodedata.normalize("NFC", text or ""))
    items = (re.sub(r"^(?:[-+*•]\s*)+", "", part.strip()).strip() for part in parts)
    return [item for item in items if item]


def check_title(rule: Eligibility, dossier: Dossier) -> list[str]:
    """The học hàm and the học vị the category needs."""
    problems = []
    if rule.academic_title and (dossier.academic_title or "") != rule.academic_title:
        have = f"hồ sơ ghi {dossier.academic_title}" if dossier.academic_title else "hồ sơ chưa ghi học hàm"
        problems.append(f"hình thức {rule.name} cần học hàm {rule.academic_title} ({have})")
    if rule.degrees and dossier.degree not in rule.degrees:
        have = f"hồ sơ ghi {dossier.degree}" if dossier.degree else "hồ sơ chưa ghi học vị"
        problems.append(f"hình thức {rule.name} cần học vị {' hoặc '.join(rule.degrees)} ({have})")
    return problems


def check_window(rule: Eligibility, conferred: Conferral | None, round: RoundFacts) -> list[str]:
    """The title or degree was conferred in the category's window: since the previous
    round (after its ceremony, up to this ceremony), or in the year before the ceremony."""
    if not rule.window:
        return []
    what = "chức danh" if rule.academic_title else "học vị"
    if conferred is None:
        return [f'chưa rõ thời điểm công nhận {what} (ghi ở cột "Ngày công nhận" hoặc trong "Thành tích")']
    ceremony = format_date(round.ceremony)
    if rule.window == YEAR_BEFORE_CEREMONY:
        wanted = round.ceremony.year - 1
        if conferred.year != wanted:
            return [f"{what} được công nhận {conferred.text()}, không phải trong năm {wanted} "
                    f"(năm trước lễ tôn vinh {ceremony})"]
        return []
    after = round.previous_ceremony
    if conferred.date is not None:
        early, late = conferred.date <= after, conferred.date > round.ceremony
    else:
        early, late = conferred.year < after.year, conferred.year > round.ceremony.year
    if early:
        return [f"{what} được công nhận {conferred.text()}, trước đợt tôn vinh trước ({format_date(after)})"]
    if late:
        return [f"{what} được công nhận {conferred.text()}, sau lễ tôn vinh ({ceremony})"]
    return []


def born_in(hometown: str | None, province: str | None) -> bool | None:
    """Whether a hometown as written lies in the province (``None``: cannot tell)."""
    if not hometown or not province:
        return None
    return normalise(province) in normalise(hometown)


def check_province(rule: Eligibility, dossier: Dossier, province: str | None) -> list[str]:
    """Born in the province, or living/working there for :data:`PROVINCE_YEARS` years.
    A nomination that says neither its hometown nor its years in the province is
    presumed linked: the nominating organisation of the province vouches for it."""
    if not rule.province_link or (not dossier.hometown and dossier.years_in_province is None):
        return []
    if born_in(dossier.hometown, province) or (dossier.years_in_province or 0) >= PROVINCE_YEARS:
        return []
    where = f"tỉnh {province}" if province else "tỉnh"
    hometown = f"quê quán {dossier.hometown}" if dossier.hometown else "chưa ghi quê quán"
    years = f"{dossier.years_in_province} năm" if dossier.years_in_province is not None else "chưa ghi số năm"
    return [f"không sinh ra tại {where} ({hometown}) và chưa sống, làm việc tại tỉnh đủ {PROVINCE_YEARS} năm ({years})"]


def check_achievements(rule: Eligibility, dossier: Dossier) -> list[str]:
    """At least ``min_achievements`` achievements listed."""
    count = len(achievement_items(dossier.achievements))
    if count >= rule.min_achievements:
        return []
    if count == 0:
        return ["chưa có thành tích nào được liệt kê"]
    return [f"cần ít nhất {rule.min_achievements} thành tích, hồ sơ có {count}"]


def ineligibility(rule: Eligibility, dossier: Dossier, round: RoundFacts) -> list[str]:
    """Every reason the nomination does not meet its category's conditions (rule 1),
    empty when it does."""
    return [
        *check_title(rule, dossier),
        *check_window(rule, conferral_of(dossier.conferral, dossier.achievements), round),
        *check_province(rule, dossier, round.province),
        *check_achievements(rule, dossier),
    ]


def province_of(unit_name: str | None) -> str | None:
    """The province an LHH's name names: 'Liên hiệp hội tỉnh Phú Thọ' → 'Phú Thọ',
    '… thành phố Hải Phòng' → 'Hải Phòng'; ``None`` when it names none."""
    text = " ".join(unicodedata.normalize("NFC", unit_name or "").split())
    found = list(re.finditer(r"\b(?:tỉnh|thành phố|tp\.?)\s+", text, re.IGNORECASE))
    if not found:
        return None
    return text[found[-1].end():].strip() or None


# -- rounds --------------------------------------------------------------------------------------
def default_ceremony(year: int) -> dt.date:
    """18/05 of the year: Vietnam Science and Technology Day."""
    return dt.date(year, *DEFAULT_CEREMONY)


def previous_ceremony(year: int, ceremony: dt.date, ceremonies: dict[int, dt.date]) -> dt.date:
    """The ceremony of the latest round before ``year`` (``ceremonies``: year → date of
    the unit's rounds); without one, the same day a year before this ceremony."""
    earlier = [y for y in ceremonies if y < year]
    if earlier:
        return ceremonies[max(earlier)]
    try:
        return ceremony.replace(year=ceremony.year - 1)
    except ValueError:  # 29/02
        return ceremony.replace(year=ceremony.year - 1, day=28)


def is_past(ceremony: dt.date | None, today: dt.date) -> bool:
    """A round whose ceremony is before today."""
    return ceremony is not None and ceremony < today


# -- the council ---------------------------------------------------------------------------------
def members_voting(council_size: int | None, present: int | None) -> int | None:
    """How many members the vote counts against: those present, else the whole council."""
    return present or council_size or None


def threshold(council_size: int | None, present: int | None, share: Decimal | int | None = None) -> Decimal | None:
    """The number of votes for that a nomination must exceed: ``share`` percent (default
    50: more than half) of the members present, else of the council; ``None`` when the
    council's size is not known."""
    members = members_voting(council_size, present)
    if not members:
        return None
    return Decimal(members) * Decimal(DEFAULT_SHARE if share is None else share) / 100


def decide(votes_for: int | None, limit: Decimal | None, eligible: bool = True) -> str | None:
    """Rule 4: selected when the votes for are more than the threshold (and the
    nomination is eligible); ``None`` until the votes and the threshold are known."""
    if votes_for is None or limit is None:
        return None
    return SELECTED if eligible and votes_for > limit else NOT_SELECTED


def locked(closed: bool | None, role: str | None) -> bool:
    """Rule 4: a closed round's results are locked — only an admin changes them (the
    audit log keeps who and when)."""
    return bool(closed) and role != "admin"


def check_votes(votes_for: int | None, votes_against: int | None, council_size: int | None,
                present: int | None) -> str | None:
    """Votes cannot exceed the members voting; ``None`` when they do not."""
    members = members_voting(council_size, present)
    if members is None:
        return None
    given = (votes_for or 0) + (votes_against or 0)
    if votes_for is not None and votes_for > members:
        return f"{votes_for} phiếu đồng ý nhiều hơn số thành viên hội đồng ({members})"
    if given > members:
        return f"{given} phiếu (đồng ý và không đồng ý) nhiều hơn số thành viên hội đồng ({members})"
    return None


def describe_threshold(council_size: int | None, present: int | None, share: Decimal | int | None = None) -> str:
    """'quá 50 % của 13 thành viên có mặt (trên 6,5 phiếu)' — for pages and messages."""
    limit = threshold(council_size, present, share)
    if limit is None:
        return "chưa rõ số thành viên hội đồng"
    who = f"{present} thành viên có mặt" if present else f"{council_size} thành viên hội đồng"
    percent = format_decimal(Decimal(DEFAULT_SHARE if share is None else share))
    return f"quá {percent} % của {who} (trên {format_decimal(limit.normalize())} phiếu)"


# -- the year of birth --------------------------------------------------------------------------
def check_year_of_birth(year: int, today: dt.date) -> str | None:
    """Why a year of birth is not one (a phrase after the cell's value), or ``None``."""
    if year > today.year:
        return "ở tương lai"
    if year > today.year - MIN_AGE:
        return f"không hợp lý: người được đề cử chưa đủ {MIN_AGE} tuổi"
    if year < today.year - MAX_AGE:
        return f"không hợp lý: người được đề cử đã hơn {MAX_AGE} tuổi"
    return None


# -- one person, several rows ------------------------------------------------------------------
SAME, MAYBE, DIFFERENT = "same", "maybe", "different"


@dataclass(frozen=True)
class Listed:
    """A nomination row as the duplicate rule sees it: ``group`` (the round and the
    normalised name), ``order`` (where it stands in the office's list), ``ref`` (how the
    office finds it: its STT), the name as written, the year of birth, the category and
    the nominating organisation (a key)."""

    id: int
    group: tuple
    order: tuple
    ref: str
    name: str
    year_of_birth: int | None
    category: int | None
    nominator: str | None = None


@dataclass(frozen=True)
class Match:
    """What :func:`duplicates` found for one row: merged into an earlier row (its
    ``merged_into`` id and ``merged_ref``), the ``nominators`` of the nomination it
    belongs to, or ``similar_to`` an earlier row it may be the same person as."""

    merged_into: int | None = None
    merged_ref: str | None = None
    nominators: int = 1
    similar_to: int | None = None
    similar_name: str | None = None
    similar_ref: str | None = None


def same_person(a: Listed, b: Listed) -> str:
    """Two rows of one name: the same person when both years of birth are known and equal,
    different people when both are known and differ, and ``maybe`` when one is missing."""
    if a.year_of_birth is not None and b.year_of_birth is not None:
        return SAME if a.year_of_birth == b.year_of_birth else DIFFERENT
    return MAYBE


def duplicates(rows: Iterable[Listed]) -> dict[int, Match]:
    """Rule 3 over rows of one or more rounds: ``{row id: Match}`` for every row.

    Within a group (round and normalised name), in the office's order: a row that is the
    same person (:func:`same_person`) in the same category as an earlier row is merged into
    the first of them — one nomination with several nominators; a row that may be an
    earlier one's person (a year of birth missing, or the same person in another
    category) is flagged with the first such row, never merged; homonyms born in
    different years are left alone."""
    groups: dict[tuple, list[Listed]] = {}
    for row in rows:
        groups.setdefault(row.group, []).append(row)
    found: dict[int, Match] = {}
    for members in groups.values():
        members.sort(key=lambda r: r.order)
        primary_of: dict[int, Listed] = {}
        merged: dict[int, list[Listed]] = {}
        similar: dict[int, Listed] = {}
        for index, row in enumerate(members):
            earlier = members[:index]
            target = next((e for e in earlier if e.id not in primary_of and same_person(e, row) == SAME
                           and e.category == row.category), None)
            if target is not None:
                primary_of[row.id] = target
                merged[target.id].append(row)
                continue
            merged[row.id] = [row]
            other = next((e for e in earlier if same_person(e, row) != DIFFERENT), None)
            if other is not None:
                similar[row.id] = other
        for primary_id, group in merged.items():
            count = nominator_count(group)
            primary = group[0]
            hint = similar.get(primary_id)
            found[primary_id] = Match(nominators=count, similar_to=hint.id if hint else None,
                                      similar_name=hint.name if hint else None, similar_ref=hint.ref if hint else None)
            for row in group[1:]:
                found[row.id] = Match(merged_into=primary.id, merged_ref=primary.ref, nominators=count)
    return found


def nominator_count(rows: Iterable[Listed]) -> int:
    """The organisations that nominated the rows of one nomination (a row without one
    counts on its own)."""
    rows = list(rows)
    named = {normalise(r.nominator) for r in rows if r.nominator and normalise(r.nominator)}
    return len(named) + sum(1 for r in rows if not (r.nominator and normalise(r.nominator)))


# -- honoured before ---------------------------------------------------------------------------
class Honour(NamedTuple):
    """A past selection: who, in which category, in which round's year."""

    person: int
    category: int
    year: int


def first_honour(person: int | None, category: int | None, year: int, history: Iterable[Honour]) -> int | None:
    """Rule 2: the year the person was first honoured in this category before ``year``,
    or ``None``. (Whether that is a problem is the category's ``repeatable``.)"""
    if person is None or category is None:
        return None
    years = [h.year for h in history if h.person == person and h.category == category and h.year < year]
    return min(years) if years else None


# -- what the office reads --------------------------------------------------------------------
def status(reasons: Iterable[str] = (), repeat: tuple[int, str] | None = None, match: Match | None = None) -> str:
    """The row's ``Tình trạng hồ sơ``: each outcome starts with the words an office filters
    on, in this order, joined by '; ' — ``Không đủ điều kiện: …``, ``Đã được tôn vinh năm
    <year> (<category>)``, ``Gộp với dòng <row>: <n> đơn vị đề cử``, ``Có thể trùng với
    <name> (dòng <row>): cần kiểm tra``; empty when nothing needs saying."""
    parts = []
    reasons = list(reasons)
    if reasons:
        parts.append(f"{INELIGIBLE}: " + "; ".join(reasons))
    if repeat is not None:
        parts.append(f"Đã được tôn vinh năm {repeat[0]} ({repeat[1]})")
    if match is not None and match.merged_into is not None:
        parts.append(f"Gộp với dòng {match.merged_ref}: {match.nominators} đơn vị đề cử")
    if match is not None and match.similar_to is not None:
        parts.append(f"Có thể trùng với {match.similar_name} (dòng {match.similar_ref}): cần kiểm tra")
    return "; ".join(parts)


def row_ref(number: str | None, key: str | None, record_id: int | None = None) -> str:
    """How a row is named to the office: its STT; without one, its Mã."""
    if number:
        return str(number)
    if key:
        return f"có Mã {key}"
    return f"số {record_id} trong hệ thống"


def row_order(binding: int | None, number: str | None, record_id: int) -> tuple:
    """Where a row stands in the office's list: by worksheet, then STT (numerically),
    then creation; rows made in the admin come after the sheets' rows."""
    text = (number or "").strip()
    digits = re.match(r"\d+", text)
    return (binding is None, binding or 0, int(digits[0]) if digits else 10**9, text, record_id)
