"""Domain rules of the contests area (spec/contests.md, "Rules"): pure functions on plain
values — no database, no Flask — each tested on its own.

Rule 1, conflict of interest: :func:`conflict_of_interest`. Rule 2, an entry's score:
:func:`mean_score`, :func:`enough_scores`. Rule 3, large spread: :func:`large_spread`.
Rule 4, ranking per field: :func:`competition_ranks`. Rule 5, prizes within quotas and
minimum scores, ties across a quota boundary left to the council: :func:`allocate_prizes`.
Rule 6 (overrides) is the admin's and the audit log's; what an entry shows afterwards is
:func:`prize_label`. Rule 7's follow-up lists need :func:`third_or_better`.

The scoring formulas an edition can choose: the plain mean (default), per-judge z-score
normalisation rescaled to the raw range (:func:`zscore_scores`), and jury + community vote
(:func:`jury_vote_score`). Criteria columns are summed, with optional weights per field
(:func:`criteria_total`). Which of several score rows of one judge for one entry counts
is :func:`counted_scores`.

Scores are ``Decimal``; rounding is half up (``85,125`` → ``85,13``), as offices round.
Messages are Vietnamese and quote values as the sheet shows them (``78,5``).
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from core.vietnamese import format_decimal, format_int, normalise

MINIMUM_VALID_SCORES = 3
SPREAD_LIMIT = Decimal(20)
MAX_SCORE = Decimal(100)

# What an entry's `Giải` column says besides a tier's name.
INSUFFICIENT = "chưa đủ phiếu chấm"
COUNCIL = "cần Hội đồng quyết định"
LARGE_SPREAD = "chênh lệch điểm lớn"

# Scoring formulas (Edition.scoring).
MEAN, ZSCORE, JURY_VOTE = "mean", "zscore", "jury_vote"
FORMULAS = {
    MEAN: "Trung bình cộng điểm hợp lệ",
    ZSCORE: "Chuẩn hóa z-score theo từng giám khảo (quy về thang điểm gốc)",
    JURY_VOTE: "Điểm giám khảo + bình chọn của cộng đồng",
}

TWO_PLACES = Decimal("0.01")
ONE_PLACE = Decimal("0.1")


def round_half_up(value, places: int = 2) -> Decimal:
    """``value`` rounded half up to ``places`` decimals: 85.125 → 85.13, 85.124 → 85.12."""
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def show(value) -> str:
    """A score as the sheet writes it: ``Decimal('78.50')`` → ``'78,5'``."""
    return format_decimal(value)


# -- rule 1: conflict of interest ------------------------------------------------------------
def conflict_of_interest(*, judge_person: Hashable | None, judge_workplace: Hashable | None,
                         authors: Iterable[Hashable], nominating_unit: Hashable | None,
                         judge_name: str = "", workplace_name: str = "") -> str | None:
    """Why a judge may not score an entry, or ``None``: the judge is one of its authors,
    or works at the unit that nominated it (đơn vị giới thiệu). People and organisations
    are compared by identity (the registry's ids), never by spelling."""
    if judge_person is not None and judge_person in set(authors):
        return f"xung đột lợi ích: giám khảo {judge_name} là tác giả của giải pháp".replace("  ", " ")
    if judge_workplace is not None and judge_workplace == nominating_unit:
        return (f"xung đột lợi ích: giám khảo {judge_name} công tác tại {workplace_name}, "
                "là đơn vị giới thiệu giải pháp").replace("  ", " ")
    return None


# -- rule 2: the score of an entry ----------------------------------------------------------
def mean_score(totals: Iterable) -> Decimal | None:
    """The mean of the valid totals, 2 decimals, rounded half up; ``None`` for none."""
    values = [Decimal(t) for t in totals]
    if not values:
        return None
    return round_half_up(sum(values) / len(values))


def enough_scores(count: int, minimum: int = MINIMUM_VALID_SCORES) -> bool:
    """An entry is ranked only with at least ``minimum`` valid scores."""
    return count >= minimum


# -- rule 3: spread ----------------------------------------------------------------------------
def spread(totals: Iterable) -> Decimal | None:
    """max − min of the valid totals (``None`` for fewer than two)."""
    values = [Decimal(t) for t in totals]
    return max(values) - min(values) if len(values) >= 2 else None


def large_spread(totals: Iterable, limit=SPREAD_LIMIT) -> bool:
    """The panel discusses an entry whose judges differ by *more* than ``limit`` points
    (a spread equal to the limit is not flagged)."""
    found = spread(totals)
    return found is not None and found > Decimal(limit)


# -- rule 4: ranking ---------------------------------------------------------------------------
def competition_ranks(scored: Iterable[tuple[Hashable, Decimal]]) -> dict[Hashable, int]:
    """Standard competition ranking, highest score first: equal scores share a rank and
    the next rank skips (scores 90, 85, 85, 80 → 1, 2, 2, 4)."""
    pairs = list(scored)
    values = sorted((Decimal(s) for _, s in pairs), reverse=True)
    first = {}
    for position, value in enumerate(values, start=1):
        first.setdefault(value, position)
    return {key: first[Decimal(score)] for key, score in pairs}


# -- rule 5: prizes ------------------------------------------------------------------------------
@dataclass(frozen=True)
class TierRule:
    """A prize tier as an edition sets it: ``quota`` places (``None``: no limit, when a
    ``minimum`` is set) and the minimum score to get it (``None``: none). A tier with
    neither a quota nor a minimum is not awarded: prizes are proposed once set."""

    tier: Hashable
    quota: int | None = None
    minimum: Decimal | None = None

    def places(self) -> float:
        if self.quota is not None:
            return max(0, int(self.quota))
        return float("inf") if self.minimum is not None else 0


@dataclass(frozen=True)
class ContestedGroup:
    """Tied entries across a quota boundary: the council decides. ``held`` lists the
    ``(tier, places)`` the group holds, from the tier whose boundary it straddles down."""

    score: Decimal
    entries: tuple
    held: tuple

    @property
    def tiers(self) -> tuple:
        return tuple(tier for tier, _ in self.held)


@dataclass
class Allocation:
    """What :func:`allocate_prizes` decided: ``awarded`` entry → tier; ``contested``
    entry → its :class:`ContestedGroup`; ``groups`` the contested groups, in order."""

    awarded: dict = field(default_factory=dict)
    contested: dict = field(default_factory=dict)
    groups: list = field(default_factory=list)

    @property
    def contested_tiers(self) -> list:
        """The tiers whose quota is contested, in tier order, each once."""
        return list(dict.fromkeys(tier for group in self.groups for tier in group.tiers))


def allocate_prizes(ranked: Sequence[tuple[Hashable, Decimal]], tiers: Sequence[TierRule]) -> Allocation:
    """Prizes down the ranking, tier by tier (rule 5).

    ``ranked``: ``(entry, score)`` of the entries that may be ranked (enough valid
    scores), in any order; ``tiers`` from the highest. For each tier, the candidates are
    the entries not yet placed whose score reaches the tier's minimum, best first, and the
    places left of its quota go to them. A group of equal scores that does not fit in the
    places left (it straddles the boundary) is not broken: every entry of it is contested
    ("cần Hội đồng quyết định"), the group holds the rest of this tier's places and then
    places of the next tiers, one per entry, and allocation goes on below it with the
    places left.
    """
    order = sorted(((key, Decimal(score)) for key, score in ranked), key=lambda pair: -pair[1])
    left = [rule.places() for rule in tiers]
    placed = set()
    result = Allocation()
    for index, rule in enumerate(tiers):
        if left[index] <= 0:
            continue
        candidates = [(key, score) for key, score in order
                      if key not in placed and (rule.minimum is None or score >= Decimal(rule.minimum))]
        position = 0
        while left[index] > 0 and position < len(candidates):
            score = candidates[position][1]
            group = [key for key, other in candidates[position:] if other == score]
            position += len(group)
            placed.update(group)
            if len(group) <= left[index]:
                for key in group:
                    result.awarded[key] = rule.tier
                left[index] -= len(group)
                continue
            held, wanting = [], len(group)
            for later in range(index, len(tiers)):
                take = min(left[later], wanting)
                if take > 0:
                    held.append((tiers[later].tier, int(take)))
                    left[later] -= take
                    wanting -= take
                if wanting == 0:
                    break
            contested = ContestedGroup(score=score, entries=tuple(group), held=tuple(held))
            result.groups.append(contested)
            for key in group:
                result.contested[key] = contested
    return result


# -- rule 6: what an entry's `Giải` shows --------------------------------------------------------
def prize_label(*, ranked: bool, tier_name: str | None, contested: bool,
                overridden: bool = False, override_name: str | None = None) -> str:
    """The entry's prize as its sheet shows it: the council's override when there is one
    (empty for "no prize"), else the proposed tier's name, "cần Hội đồng quyết định" for
    a contested tie, "chưa đủ phiếu chấm" when it has too few valid scores, or ''."""
    if overridden:
        return override_name or ""
    if not ranked:
        return INSUFFICIENT
    if contested:
        return COUNCIL
    return tier_name or ""


# -- scoring formulas ----------------------------------------------------------------------------
def zscore_scores(scores: Iterable[tuple[Hashable, Hashable, Decimal]]) -> dict[Hashable, Decimal]:
    """Per-judge z-score normalisation, rescaled to the raw range: each judge's totals
    ``(entry, judge, total)`` become ``μ + σ·(x − μⱼ)/σⱼ``, where ``μⱼ, σⱼ`` are that
    judge's mean and (population) standard deviation and ``μ, σ`` those of every total
    given; an entry's normalised score is the mean of its rescaled totals, 2 decimals.
    A judge whose totals do not vary contributes ``μ``. Fewer than two totals in all:
    the raw mean. Shown beside the raw mean, never in its place."""
    rows = [(entry, judge, Decimal(total)) for entry, judge, total in scores]
    if not rows:
        return {}
    overall_mean, overall_sd = _mean_sd([total for _, _, total in rows])
    by_judge = {}
    for _, judge, total in rows:
        by_judge.setdefault(judge, []).append(total)
    stats = {judge: _mean_sd(values) for judge, values in by_judge.items()}
    rescaled = {}
    for entry, judge, total in rows:
        mean, sd = stats[judge]
        if len(rows) < 2:
            value = total
        elif sd == 0:
            value = overall_mean
        else:
            value = overall_mean + overall_sd * (total - mean) / sd
        rescaled.setdefault(entry, []).append(value)
    return {entry: round_half_up(sum(values) / len(values)) for entry, values in rescaled.items()}


def _mean_sd(values: Sequence[Decimal]) -> tuple[Decimal, Decimal]:
    mean = sum(values) / len(values)
    variance = sum((v - mean) ** 2 for v in values) / len(values)
    return mean, variance.sqrt()


def jury_vote_score(jury_mean, votes: int | None, top_votes: int | None, *, max_score=MAX_SCORE,
                    jury_points=Decimal(80), vote_points=Decimal(20)) -> Decimal | None:
    """Jury + community vote: the judges' mean brought to ``jury_points`` (``mean ×
    jury_points ÷ max_score``) plus ``vote_points × votes ÷ top votes``, rounded half up
    to 0,1 — e.g. 80 + 20 × 1.200 ÷ 1.500 = 96,0 for a perfect jury score. No votes, or
    nobody voted: the vote part is 0. ``None`` without a jury mean."""
    if jury_mean is None:
        return None
    jury = Decimal(jury_mean) * Decimal(jury_points) / Decimal(max_score)
    vote = Decimal(0)
    if votes and top_votes:
        vote = Decimal(vote_points) * Decimal(votes) / Decimal(top_votes)
    return round_half_up(jury + vote, 1)


def criteria_total(values: Mapping[Hashable, Decimal], weights: Mapping[Hashable, Decimal] | None = None) -> Decimal:
    """A judge's total from criteria: the sum of each criterion's points, each times its
    weight for the entry's field when the field has weights (a criterion without one
    counts once), 2 decimals."""
    weights = weights or {}
    return round_half_up(sum((Decimal(v) * Decimal(weights.get(k, 1)) for k, v in values.items()), Decimal(0)))


# -- a score row's own checks ----------------------------------------------------------------------
def check_total(total, max_score=MAX_SCORE, header: str = "Điểm") -> str | None:
    """A judge's total is between 0 and the edition's maximum (thang điểm)."""
    if total is None:
        return None
    if Decimal(total) < 0:
        return f'{header} "{show(total)}" không được âm'
    if Decimal(total) > Decimal(max_score):
        return f'{header} "{show(total)}" vượt thang điểm {show(max_score)}'
    return None


def check_criterion(points, maximum, header: str) -> str | None:
    """A criterion's points are between 0 and that criterion's maximum (when it has one)."""
    if points is None:
        return None
    if Decimal(points) < 0:
        return f'{header} "{show(points)}" không được âm'
    if maximum is not None and Decimal(points) > Decimal(maximum):
        return f'{header} "{show(points)}" vượt số điểm tối đa {show(maximum)} của tiêu chí'
    return None


def check_sum(total, criteria_sum, header: str = "Điểm") -> str | None:
    """When a row gives both a total and criteria, the total is their sum."""
    if total is None or criteria_sum is None or Decimal(total) == Decimal(criteria_sum):
        return None
    return f'{header} "{show(total)}" khác tổng điểm các tiêu chí ({show(criteria_sum)})'


# -- which of several rows of one judge for one entry counts ------------------------------------------
@dataclass(frozen=True)
class ScoreRow:
    """One score of one judge for one entry: ``key`` is (entry, judge, round), ``order``
    its age (older first: the row that came in first), ``correction`` when the sheet marks
    it as the correction of the judge's earlier score, ``code`` its Mã (for messages)."""

    id: Hashable
    key: Hashable
    order: int
    correction: bool = False
    code: str | None = None


def counted_scores(rows: Iterable[ScoreRow]) -> dict[Hashable, str | None]:
    """``{id: None}`` for the score that counts of each judge × entry × round, ``{id:
    reason}`` for the others: the newest correction replaces the original; without a
    correction, the first row counts and a later one is a duplicate (the sheet reports it
    as a row error; this is the rule for rows that came in anyway)."""
    groups = {}
    for row in rows:
        groups.setdefault(row.key, []).append(row)
    verdict = {}
    for group in groups.values():
        group.sort(key=lambda r: r.order)
        corrections = [r for r in group if r.correction]
        keep = corrections[-1] if corrections else group[0]
        for row in group:
            if row is keep:
                verdict[row.id] = None
            elif corrections and not row.correction:
                verdict[row.id] = f"đã có phiếu sửa{_code(keep)}"
            else:
                verdict[row.id] = f"trùng phiếu chấm{_code(keep)}"
    return verdict


def _code(row: ScoreRow) -> str:
    return f" (Mã {row.code})" if row.code else ""


# -- prize money -----------------------------------------------------------------------------------
def base_salary_on(day: dt.date, table: Iterable[tuple[dt.date, int]]) -> int | None:
    """The base salary (mức lương cơ sở) in force on ``day``: the amount of the latest
    ``(effective from, amount)`` not after it; ``None`` before the first."""
    found = None
    for start, amount in sorted(table):
        if start <= day:
            found = amount
    return found


def prize_amount(vnd: int | None, multiple, base_salary: int | None) -> int | None:
    """A tier's prize in đồng: a fixed amount, or a multiple of the base salary (rounded
    half up to the đồng); the fixed amount wins when both are set."""
    if vnd is not None:
        return int(vnd)
    if multiple is None or base_salary is None:
        return None
    return int(round_half_up(Decimal(multiple) * Decimal(base_salary), 0))


# -- rule 7: national prizes ------------------------------------------------------------------------
PRIZE_WORD = re.compile(r"^(giải\s+)", re.IGNORECASE)


def tier_of(text: str | None, tiers: Sequence[tuple[str, Sequence[str]]]) -> int | None:
    """The position (0 = highest) of the tier that a prize text names — 'Giải Ba',
    'ba', 'Giải ba toàn quốc' — among ``(name, aliases)`` in tier order; ``None`` when it
    names none."""
    key = normalise(text)
    if not key:
        return None
    key = PRIZE_WORD.sub("", key)
    key = re.sub(r"\s+(toàn quốc|quốc gia)$", "", key)
    for position, (name, aliases) in enumerate(tiers):
        if key in {PRIZE_WORD.sub("", normalise(n)) for n in (name, *aliases)}:
            return position
    return None


def third_or_better(text: str | None, tiers: Sequence[tuple[str, Sequence[str]]]) -> bool:
    """Whether a national prize is a third prize (Ba) or better: at or above the tier
    named 'Ba', or the third tier when the kind has no 'Ba'."""
    position = tier_of(text, tiers)
    if position is None:
        return False
    third = tier_of("Ba", tiers)
    return position <= (third if third is not None else 2)


# -- lists of fields in a judge's row -----------------------------------------------------------------
def split_fields(text: str | None, known: Iterable[str]) -> list[str]:
    """The fields a cell lists, one per line or separated by '; ' — where a field's own
    name may contain '; ' ('Nông, lâm, ngư nghiệp; tài nguyên và môi trường'): the longest
    run of parts that spells a known field is taken as one. Unknown parts come back as
    they are (the caller reports them)."""
    spellings = {normalise(name) for name in known}
    found = []
    for line in re.split(r"[\n\r\u2028\u2029]+", text or ""):
        parts = [part.strip() for part in line.split(";")]
        parts = [p for p in parts if p]
        start = 0
        while start < len(parts):
            end = len(parts)
            while end > start + 1 and normalise("; ".join(parts[start:end])) not in spellings:
                end -= 1
            found.append("; ".join(parts[start:end]))
            start = end
    return list(dict.fromkeys(found))


# -- messages ------------------------------------------------------------------------------------------
def quota_text(quota: int | None) -> str:
    return "không giới hạn" if quota is None else format_int(quota)
