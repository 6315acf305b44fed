"""The moderation reports: what the office did each month, and where it treated alike unalike.

Reads only; both reports need ``moderation.reports`` (PIO office, chief, records custodian,
legal counsel, auditor). No web imports: the pages, CSV and JSON are in ``oversight/routes.py``.

**Transparency** (GO 409 §.20 asks for careful, category-bound removals; this shows the public
and the chain of command how that went). One row per month (UTC, ``YYYY-MM``), page and
category; the row with category ``all`` carries the page's totals for the month:

- ``captured``: comments and replies first captured that month from the live platform
  (source ``ingest:``). Records brought in from a platform's data export are history, never
  screened or queued, so they are not counted as moderation work. Only on ``all`` rows: a
  comment has no category until screening gives it one.
- ``flagged``: cases opened that month (by screening or an employee's report); per category by
  the categories the case names, so a case about two categories counts in both rows and once
  in ``all``.
- ``kept`` / ``hidden`` / ``removed`` / ``restored``: decisions made that month, counted by
  action. A hide or removal counts under the §.20 category it rests on (the decision's reason).
  A keep rests on "no violation" and a restoration undoes a hide or removal, so both count
  under the categories the case was flagged for: the ``profanity`` row's ``kept`` says how many
  comments flagged for profanity were left up.
- ``warnings`` / ``blocks``: warnings given and blocks imposed that month, by their category.
- ``decided`` and ``median_hours_to_decision``: cases first decided that month, and the median
  of (first decision − case opened) in hours; per category by the case's categories.
- ``acted_without_finding`` / ``acted_against_finding``: hides and removals of comments made
  that month for a category screening did not find — in a comment where it found nothing, or
  where it found only other categories — under the category cited (what the viewpoint guard
  holds for a second person; a high figure is a question about viewpoint).

Every count is one SQL ``GROUP BY`` (month, page[, category]); only the medians are computed in
Python, from one duration per case decided in the period.

**Consistency** lists pairs of near-identical comments whose cases ended differently (one
removed, one kept; or hidden against restored, …), so the office can see and correct unequal
treatment. Only each case's latest decision counts, and "restored" is an outcome of its own.

- *Near-identical*: the text is normalized (Unicode NFKC, casefold, every run of punctuation or
  whitespace becomes one space), cut into word bigrams (a one-word text is its own shingle),
  and two comments are near-identical when the Jaccard similarity of those sets is at least
  the threshold (0.8 by default: in a twenty-word comment, about one word changed). Texts equal
  after normalization are one group and compared once.
- *Candidates without comparing every pair*: MinHash signatures (64 multiply-shift hash
  functions over a 64-bit hash of each bigram) split into bands (LSH banding); two texts are
  compared only when a whole band agrees. The band width is the widest that still finds a pair
  at exactly the threshold with probability ≥ 0.99 (threshold 0.8: 12 bands of 5); every
  candidate is then checked with the exact Jaccard similarity, so no pair below the threshold
  is ever listed. Seeds are fixed, so a report is the same on every run. Buckets whose members
  all ended the same way are skipped without a comparison.
- *Why our own banding and not the ``datasketch`` library*: datasketch installs and is a good
  MinHash LSH, but it hashes and inserts document by document in Python: on 50,000 synthetic
  comments (word bigrams already made) its ``MinHash.bulk`` plus LSH insert and query took
  4.2 s, about 25 s at 300,000. Here no Python code runs per word: zlib hashes the words,
  and the bigrams, the MinHash of every text and the banding are computed in NumPy for all
  texts at once (NumPy is already a dependency). ``bench/moderation_reports.py`` times it.
- The text compared is the version the PIO decided on (the last one screened while the case
  was open), else the record's latest version.
- *At scale*: the periodic roll-up job packs each month's decided cases and their shingled,
  banded texts (``oversight/consistency_rollups.py``); the report then reads a dozen rows and
  only pairs, checks and counts (:func:`compare`), all in NumPy, with every case decided or
  changed since the roll-up read from the records. Both ways give the same report.
"""

from __future__ import annotations

import itertools
import re
import statistics
import unicodedata
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, NamedTuple

import numpy as np
from sqlalchemy import Select, and_, extract, func, literal, literal_column, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnClause

from piodesk.archive.tables import ArchiveItem, ArchiveVersion
from piodesk.connectors.model import ItemKind
from piodesk.core import clock
from piodesk.core.errors import InvalidInput
from piodesk.core.permissions import Actor, Perm, require
from piodesk.moderation.model import REASONS, Action, Outcome
from piodesk.moderation.queries import page_names
from piodesk.moderation.tables import Block, Case, CaseCategory, Decision, Screening, Warning_

ALL = "all"
#: Row categories in display order: the page total, then the eight §.20 categories.
CATEGORIES: tuple[str, ...] = (ALL, *(c for c in REASONS if c != "no_violation"))
LIVE_SOURCE = "ingest:"
MAX_MONTHS = 120
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_COMMENT_KINDS = (ItemKind.COMMENT.value, ItemKind.REPLY.value)
RESTORE = "restore"


# ---- periods ---------------------------------------------------------------------------------


def parse_month(value: str, label: str = "month") -> tuple[int, int]:
    """``YYYY-MM`` as (year, month), or a clear refusal."""
    m = _MONTH.match((value or "").strip())
    if not m or not 1 <= int(m[2]) <= 12 or not 1970 <= int(m[1]) <= 9998:
        raise InvalidInput(f"{label} is a month written YYYY-MM, not '{(value or '')[:20]}'")
    return int(m[1]), int(m[2])


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + n
    return index // 12, index % 12 + 1


def _label(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


@dataclass(frozen=True)
class Period:
    """Whole UTC months from ``first`` to ``last`` (both ``YYYY-MM``, inclusive)."""

    first: str
    last: str

    @classmethod
    def of(cls, month_from: str | None = None, month_to: str | None = None) -> Period:
        """The months asked for; by default the twelve months up to the current one."""
        now = clock.now().astimezone(UTC)
        to = parse_month(month_to, "to") if month_to else (now.year, now.month)
        start = parse_month(month_from, "from") if month_from else _add_months(*to, -11)
        if start > to:
            raise InvalidInput(f"from ({_label(*start)}) is after to ({_label(*to)})")
        span = (to[0] * 12 + to[1]) - (start[0] * 12 + start[1]) + 1
        if span > MAX_MONTHS:
            raise InvalidInput(f"a report covers at most {MAX_MONTHS} months ({span} asked)")
        return cls(_label(*start), _label(*to))

    @property
    def start(self) -> datetime:
        """The first instant of the period."""
        year, month = parse_month(self.first)
        return datetime(year, month, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the period."""
        year, month = _add_months(*parse_month(self.last), 1)
        return datetime(year, month, 1, tzinfo=UTC)

    def months(self) -> list[str]:
        """Every month of the period, oldest first."""
        out, ym = [], parse_month(self.first)
        while _label(*ym) <= self.last:
            out.append(_label(*ym))
            ym = _add_months(*ym, 1)
        return out


_YYYY_MM_PG: ColumnClause[str] = literal_column("'YYYY-MM'")


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _month_of(session: Session, column: Any) -> Any:
    """SQL for the UTC month (``YYYY-MM``) of a timestamp column, on either database."""
    if _dialect(session) == "postgresql":
        # Literal SQL, not bound parameters: PostgreSQL only matches a GROUP BY expression to
        # the selected one when both are spelled identically.
        return func.to_char(func.timezone(literal_column("'UTC'"), column), _YYYY_MM_PG)
    # SQLite stores a UTC timestamp as ISO text ("2026-03-02 10:00:00.000000"): its first
    # seven characters are the month, cheaper to cut than strftime is to parse.
    return func.substr(column, literal_column("1"), literal_column("7"))


def _hours_between(session: Session, end: Any, start: Any) -> Any:
    if _dialect(session) == "postgresql":
        return extract("epoch", end - start) / 3600.0
    return (func.julianday(end) - func.julianday(start)) * 24.0


def _in(column: Any, period: Period) -> Any:
    return and_(column >= period.start, column < period.end)


# ---- transparency ----------------------------------------------------------------------------


@dataclass(kw_only=True)
class Counts:
    """What the transparency report counts, for one page's row and for a month's total."""

    flagged: int = 0
    kept: int = 0
    hidden: int = 0
    removed: int = 0
    restored: int = 0
    warnings: int = 0
    blocks: int = 0
    decided: int = 0
    median_hours_to_decision: float | None = None
    # Hides and removals of comments for a category screening did not find: in a comment where
    # it found nothing, and in one where it found something else (the viewpoint guard's cases).
    acted_without_finding: int = 0
    acted_against_finding: int = 0


#: The counters a month's total sums from its pages' rows (the median is recomputed).
SUMMED: tuple[str, ...] = tuple(
    f.name for f in fields(Counts) if f.name != "median_hours_to_decision"
)


@dataclass
class TransparencyRow(Counts):
    """One month, page and category (``all`` carries the page's totals for the month)."""

    month: str
    page_id: int | None
    page_name: str
    category: str
    captured: int | None = None  # only on "all" rows

    def as_dict(self) -> dict[str, Any]:
        """The row as plain data (JSON and CSV use the same fields, in this order)."""
        return {name: getattr(self, name) for name in ROW_FIELDS}


#: The columns of a transparency row, in the order CSV and JSON give them.
ROW_FIELDS: tuple[str, ...] = (
    "month",
    "page_id",
    "page_name",
    "category",
    "captured",
    *(f.name for f in fields(Counts)),
)


@dataclass
class MonthTotal(Counts):
    """Every selected page together in one month (what the chart draws)."""

    month: str
    captured: int = 0


@dataclass
class TransparencyReport:
    """The transparency report for a period and (optionally) one page."""

    period: Period
    page_id: int | None
    rows: list[TransparencyRow]
    months: list[MonthTotal]


_Key = tuple[str, int | None, str]  # month, page, category


def _grouped(session: Session, query: Select[Any]) -> Iterable[Any]:
    return session.execute(query).all()


def transparency(
    session: Session,
    *,
    actor: Actor,
    month_from: str | None = None,
    month_to: str | None = None,
    page_id: int | None = None,
) -> TransparencyReport:
    """Per month, page and category: captured, flagged, kept, hidden, removed, restored,
    warnings, blocks and the median time to a first decision (see the module's docstring)."""
    require(actor, Perm.MODERATION_REPORTS)
    return _transparency(session, month_from, month_to, page_id)


def _transparency(
    session: Session, month_from: str | None, month_to: str | None, page_id: int | None
) -> TransparencyReport:
    from piodesk.oversight import rollups

    period = Period.of(month_from, month_to)
    pages = page_names(session)
    # Closed months with a current roll-up come from it; every other month (the current one,
    # one never rolled up, one whose records changed since) is computed from the records.
    rolled = rollups.usable(session, period)
    rows: dict[_Key, TransparencyRow] = {}
    by_month: dict[str, list[float]] = defaultdict(list)
    for first, last in _runs([m for m in period.months() if m not in rolled]):
        live, durations = _live_rows(session, Period(first, last), page_id, pages)
        rows.update(live)
        by_month.update(durations)
    medians: dict[str, float | None] = {}
    if rolled:
        for r in rollups.rows(session, sorted(rolled), page_id, pages):
            rows[(r.month, r.page_id, r.category)] = r
        for m, median in rolled.items():
            if page_id is None:
                medians[m] = median
            else:
                own = rows.get((m, page_id, ALL))
                medians[m] = own.median_hours_to_decision if own else None
    order = {c: i for i, c in enumerate(CATEGORIES)}
    ordered = sorted(
        rows.values(),
        key=lambda r: (r.month, r.page_name.casefold(), r.page_id or 0, order.get(r.category, 99)),
    )
    return TransparencyReport(
        period, page_id, ordered, _month_totals(period, ordered, by_month, medians)
    )


def _runs(months: list[str]) -> list[tuple[str, str]]:
    """Consecutive months as (first, last) runs."""
    out: list[tuple[str, str]] = []
    for m in months:
        if out and _label(*_add_months(*parse_month(out[-1][1]), 1)) == m:
            out[-1] = (out[-1][0], m)
        else:
            out.append((m, m))
    return out


def _live_rows(
    session: Session, period: Period, page_id: int | None, pages: dict[int, str]
) -> tuple[dict[_Key, TransparencyRow], dict[str, list[float]]]:
    """The transparency rows of a period computed from the records, and each month's
    durations to a first decision (for the all-pages median)."""
    rows: dict[_Key, TransparencyRow] = {}

    def row(month: str, page: int | None, category: str) -> TransparencyRow:
        key = (month, page, category)
        found = rows.get(key)
        if found is None:
            name = pages.get(page, "—") if page is not None else "(no page)"
            found = rows[key] = TransparencyRow(month, page, name, category)
            if category == ALL:
                found.captured = 0
        return found

    def on_page(column: Any) -> Any:
        return column == page_id if page_id is not None else literal(True)

    # Comments captured live: an item's first version tells where it came from.
    first = aliased(ArchiveVersion)
    month = _month_of(session, ArchiveItem.first_captured_at)
    captured = (
        select(month, ArchiveItem.page_id, func.count())
        .join(first, and_(first.item_id == ArchiveItem.id, first.version == 1))
        .where(
            ArchiveItem.kind.in_(_COMMENT_KINDS),
            _in(ArchiveItem.first_captured_at, period),
            first.source.startswith(LIVE_SOURCE),
            on_page(ArchiveItem.page_id),
        )
        .group_by(month, ArchiveItem.page_id)
    )
    for m, page, n in _grouped(session, captured):
        row(m, page, ALL).captured = n

    # Flagged: cases opened, in all and per category.
    month = _month_of(session, Case.opened_at)
    scope = and_(_in(Case.opened_at, period), on_page(Case.page_id))
    for m, page, n in _grouped(
        session,
        select(month, Case.page_id, func.count()).where(scope).group_by(month, Case.page_id),
    ):
        row(m, page, ALL).flagged = n
    for m, page, category, n in _grouped(
        session,
        select(month, Case.page_id, CaseCategory.category, func.count())
        .join(CaseCategory, CaseCategory.case_id == Case.id)
        .where(scope)
        .group_by(month, Case.page_id, CaseCategory.category),
    ):
        row(m, page, category).flagged = n

    # Decisions made in the period, by action; hides and removals by the category they cite.
    month = _month_of(session, Decision.decided_at)
    scope = and_(_in(Decision.decided_at, period), on_page(Case.page_id))
    column = {
        Action.KEEP.value: "kept",
        Action.HIDE.value: "hidden",
        Action.REMOVE.value: "removed",
        RESTORE: "restored",
    }
    for m, page, action, reason, n in _grouped(
        session,
        select(month, Case.page_id, Decision.action, Decision.reason, func.count())
        .join(Case, Case.id == Decision.case_id)
        .where(scope)
        .group_by(month, Case.page_id, Decision.action, Decision.reason),
    ):
        if action not in column:
            continue
        total = row(m, page, ALL)
        setattr(total, column[action], getattr(total, column[action]) + n)
        if action in (Action.HIDE.value, Action.REMOVE.value) and reason in REASONS:
            setattr(row(m, page, reason), column[action], n)
    # Keeps and restorations rest on "no violation": count them under the case's categories.
    for m, page, action, category, n in _grouped(
        session,
        select(month, Case.page_id, Decision.action, CaseCategory.category, func.count())
        .join(Case, Case.id == Decision.case_id)
        .join(CaseCategory, CaseCategory.case_id == Case.id)
        .where(scope, Decision.action.in_((Action.KEEP.value, RESTORE)))
        .group_by(month, Case.page_id, Decision.action, CaseCategory.category),
    ):
        setattr(row(m, page, category), column[action], n)

    # Warnings and blocks, by their category.
    for table, at, attr in (
        (Warning_, Warning_.warned_at, "warnings"),
        (Block, Block.blocked_at, "blocks"),
    ):
        month = _month_of(session, at)
        for m, page, category, n in _grouped(
            session,
            select(month, table.page_id, table.category, func.count())
            .where(_in(at, period), on_page(table.page_id))
            .group_by(month, table.page_id, table.category),
        ):
            setattr(row(m, page, ALL), attr, getattr(row(m, page, ALL), attr) + n)
            setattr(row(m, page, category), attr, n)

    # Hides and removals made against or without a finding (the viewpoint guard's concern).
    for m, page, reason, found in _unfounded(session, period, on_page):
        attr = "acted_without_finding" if not found else "acted_against_finding"
        for r in (row(m, page, ALL), row(m, page, reason)):
            setattr(r, attr, getattr(r, attr) + 1)

    # Time to a first decision: one duration per case, medians per group in Python.
    month = _month_of(session, Case.first_decided_at)
    scope = and_(_in(Case.first_decided_at, period), on_page(Case.page_id))
    hours = _hours_between(session, Case.first_decided_at, Case.opened_at)
    by_group: dict[_Key, list[float]] = defaultdict(list)
    by_month: dict[str, list[float]] = defaultdict(list)
    # One row per (case, category), and one for a case with none; the "all" groups take each
    # case once (rows of a case come together, ordered by case).
    last = None
    for case_id, m, page, h, category in session.connection().execute(
        select(Case.id, month, Case.page_id, hours, CaseCategory.category)
        .outerjoin(CaseCategory, CaseCategory.case_id == Case.id)
        .where(scope)
        .order_by(Case.id)
    ):
        if case_id != last:
            last = case_id
            by_group[(m, page, ALL)].append(float(h))
            by_month[m].append(float(h))
        if category is not None:
            by_group[(m, page, category)].append(float(h))
    for (m, page, category), values in by_group.items():
        r = row(m, page, category)
        r.decided = len(values)
        r.median_hours_to_decision = _median(values)
    return rows, by_month


def _unfounded(
    session: Session, period: Period, on_page: Any
) -> list[tuple[str, int | None, str, frozenset[str]]]:
    """Each hide or removal of a comment in the period whose category screening did not find:
    (month, page, category, what screening did find)."""
    month = _month_of(session, Decision.decided_at)
    rows = session.execute(
        select(month, Case.page_id, Decision.reason, Case.screening_id, Case.item_id)
        .join(Case, Case.id == Decision.case_id)
        .where(
            _in(Decision.decided_at, period),
            on_page(Case.page_id),
            Decision.action.in_((Action.HIDE.value, Action.REMOVE.value)),
            func.coalesce(Case.kind, "") != ItemKind.POST.value,
        )
    ).all()
    screening_ids = {r[3] for r in rows if r[3] is not None}
    item_ids = {r[4] for r in rows if r[3] is None and r[4] is not None}
    by_id: dict[int, frozenset[str]] = {}
    by_item: dict[int, frozenset[str]] = {}
    ids = sorted(screening_ids)
    for start in range(0, len(ids), 500):
        for sid, findings in session.execute(
            select(Screening.id, Screening.findings).where(
                Screening.id.in_(ids[start : start + 500])
            )
        ):
            by_id[sid] = frozenset(str(f.get("category")) for f in findings or ())
    items = sorted(item_ids)
    for start in range(0, len(items), 500):
        for item_id, findings in session.execute(
            select(Screening.item_id, Screening.findings)
            .where(Screening.item_id.in_(items[start : start + 500]))
            .order_by(Screening.id)
        ):
            by_item[item_id] = frozenset(str(f.get("category")) for f in findings or ())
    out = []
    for m, page, reason, sid, item_id in rows:
        found = (
            by_id.get(sid, frozenset()) if sid is not None else by_item.get(item_id, frozenset())
        )
        if reason not in found:
            out.append((m, page, reason, found))
    return out


def _median(values: Sequence[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def _month_totals(
    period: Period,
    rows: Sequence[TransparencyRow],
    durations: dict[str, list[float]],
    medians: dict[str, float | None] | None = None,
) -> list[MonthTotal]:
    totals = {m: MonthTotal(m) for m in period.months()}
    for r in rows:
        if r.category != ALL or r.month not in totals:
            continue
        t = totals[r.month]
        t.captured += r.captured or 0
        for name in SUMMED:
            setattr(t, name, getattr(t, name) + getattr(r, name))
    for m, values in durations.items():
        if m in totals:
            totals[m].median_hours_to_decision = _median(values)
    for m, median in (medians or {}).items():  # rolled-up months: the median as kept
        if m in totals:
            totals[m].median_hours_to_decision = median
    return list(totals.values())


# ---- consistency -----------------------------------------------------------------------------

DEFAULT_THRESHOLD = 0.8
MIN_THRESHOLD = 0.5
NUM_PERM = 64
_PUNCT = re.compile(r"[\W_]+")
_MIXED = -1  # a text group whose cases did not all end the same way


# ASCII letters and digits stay (lowercased); every other ASCII byte becomes a space.
_ASCII = bytes(
    c + 32 if 65 <= c <= 90 else c if (48 <= c <= 57 or 97 <= c <= 122) else 32 for c in range(256)
)


def normalize(text: str) -> str:
    """Casefolded, NFKC, punctuation and whitespace runs collapsed to one space."""
    if text.isascii():  # most comments: one pass in C instead of a Unicode regex
        return " ".join(text.encode().translate(_ASCII).decode().split())
    return _PUNCT.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def shingles(normalized: str) -> frozenset[str]:
    """The word bigrams of a normalized text (a one-word text is its own shingle)."""
    words = normalized.split()
    if len(words) < 2:
        return frozenset(words)
    return frozenset(f"{a} {b}" for a, b in itertools.pairwise(words))


def jaccard(a: frozenset[Any], b: frozenset[Any]) -> float:
    """|a ∩ b| / |a ∪ b| (1.0 for two empty sets)."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def bands_for(threshold: float, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """(bands, rows per band): the widest band that finds a pair at ``threshold`` with
    probability at least 0.99 (wider bands mean fewer false candidates to check)."""
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        bands = num_perm // rows
        if 1 - (1 - threshold**rows) ** bands >= 0.99:
            best = (bands, rows)
    return best


_rng = np.random.default_rng(409)
_A = _rng.integers(1, 1 << 63, NUM_PERM, dtype=np.uint64) | np.uint64(1)  # odd multipliers
_B = _rng.integers(0, 1 << 63, NUM_PERM, dtype=np.uint64)
_MIX = _rng.integers(1, 1 << 63, NUM_PERM, dtype=np.uint64) | np.uint64(1)
_PAIR = np.uint64(0x9E3779B97F4A7C15)  # odd constants that spread a word's bits over 64
_SPREAD = np.uint64(0xC2B2AE3D27D4EB4F)
_CHUNK = 128  # texts per NumPy block: small enough for the block to stay in the CPU cache


@dataclass
class Shingled:
    """Every text's word bigrams as 64-bit hashes, in one array (text i owns
    ``hashes[offsets[i]:offsets[i + 1]]``)."""

    hashes: np.ndarray
    offsets: np.ndarray

    def set_of(self, i: int) -> frozenset[int]:
        """Text i's shingles, for the exact Jaccard check."""
        return frozenset(self.hashes[self.offsets[i] : self.offsets[i + 1]].tolist())


def shingle_all(normalized: Sequence[str]) -> Shingled:
    """Hash the word bigrams of many normalized texts at once.

    Each word is its CRC-32 (computed in C, no Python work per word), spread to 64 bits; a
    bigram is the mix of its two words' values, computed for every text together in NumPy:
    the same sets as :func:`shingles`, as numbers.
    """
    crcs: list[int] = []
    lengths = np.empty(len(normalized), dtype=np.int64)
    for n, text in enumerate(normalized):
        before = len(crcs)
        crcs.extend(map(zlib.crc32, text.encode().split()))
        lengths[n] = len(crcs) - before
    word = np.asarray(crcs, dtype=np.uint64) * _SPREAD
    starts = np.concatenate(([0], np.cumsum(lengths)))[:-1]
    bigram = word[:-1] * _PAIR ^ word[1:] if len(word) > 1 else word[:0]
    # A bigram may not span two texts: drop the one that starts at each text's last word.
    keep = np.ones(len(bigram), dtype=bool)
    ends = starts + lengths - 1
    keep[ends[(lengths > 0) & (ends < len(bigram))]] = False
    one_word = lengths == 1
    counts = np.where(one_word, 1, np.maximum(lengths - 1, 0))
    # Each text's shingles in order: its bigrams, or its single word.
    hashes = np.empty(int(counts.sum()), dtype=np.uint64)
    offsets = np.concatenate(([0], np.cumsum(counts)))
    in_bigrams = np.repeat(~one_word, counts)
    hashes[in_bigrams] = bigram[keep]
    hashes[~in_bigrams] = word[starts[one_word]]
    return distinct(Shingled(hashes, offsets))


def distinct(shingled: Shingled) -> Shingled:
    """Each text's shingles as a set: sorted, each once (a text may repeat a word pair)."""
    hashes, offsets = shingled.hashes, shingled.offsets
    owner = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    order = np.lexsort((hashes, owner))
    h, o = hashes[order], owner[order]
    first = np.ones(len(h), dtype=bool)
    first[1:] = (h[1:] != h[:-1]) | (o[1:] != o[:-1])
    counts = np.bincount(o[first], minlength=len(offsets) - 1)
    return Shingled(h[first], np.concatenate(([0], np.cumsum(counts))).astype(np.int64))


def concat(parts: Sequence[Shingled]) -> Shingled:
    """Several texts' shingles as one (the texts in order)."""
    hashes = np.concatenate([p.hashes for p in parts]) if parts else np.empty(0, np.uint64)
    sizes = np.concatenate([np.diff(p.offsets) for p in parts]) if parts else np.empty(0)
    return Shingled(hashes, np.concatenate(([0], np.cumsum(sizes))).astype(np.int64))


def _ragged(offsets: np.ndarray, which: np.ndarray) -> np.ndarray:
    """The positions of texts ``which``'s elements, one text after the other."""
    lengths = offsets[which + 1] - offsets[which]
    total = int(lengths.sum())
    starts = np.cumsum(lengths) - lengths
    return np.arange(total, dtype=np.int64) - np.repeat(starts - offsets[which], lengths)


def minhash(shingled: Shingled) -> np.ndarray:
    """MinHash signatures (texts × NUM_PERM, uint32); every text needs at least one shingle."""
    hashes, offsets = shingled.hashes, shingled.offsets
    count = len(offsets) - 1
    sig = np.empty((count, NUM_PERM), dtype=np.uint32)
    shift = np.uint64(32)
    for start in range(0, count, _CHUNK):
        stop = min(count, start + _CHUNK)
        lo, hi = offsets[start], offsets[stop]
        # Multiply-shift hashing: (a·x + b) mod 2^64, top 32 bits; one column per function.
        block = np.multiply(hashes[lo:hi, None], _A)
        block += _B
        block >>= shift
        sig[start:stop] = np.minimum.reduceat(block, offsets[start:stop] - lo, axis=0)
    return sig


def band_keys(sig: np.ndarray, threshold: float) -> np.ndarray:
    """Each text's LSH band keys (texts × bands, uint64): a band's rows mixed into one number,
    so two texts agree on a whole band when their keys for it are equal."""
    bands, rows = bands_for(threshold, sig.shape[1])
    wide = sig.astype(np.uint64)
    keys = np.empty((len(sig), bands), dtype=np.uint64)
    for band in range(bands):
        cols = slice(band * rows, (band + 1) * rows)
        keys[:, band] = (wide[:, cols] * _MIX[cols]).sum(axis=1, dtype=np.uint64)
    return keys


def candidate_pairs(sig: np.ndarray, threshold: float, pure: np.ndarray) -> set[tuple[int, int]]:
    """Index pairs (i < j) that agree on a whole band of their signatures (LSH banding).

    ``pure`` holds each text's single outcome code, or ``_MIXED``; a bucket whose members all
    ended the same way cannot hold an inconsistency and is skipped.
    """
    found = candidate_array(band_keys(sig, threshold), pure)
    return {(int(i), int(j)) for i, j in found}


_VECTOR_BUCKET = 64  # buckets up to this size are paired in NumPy; larger ones code by code


def candidate_array(keys: np.ndarray, pure: np.ndarray) -> np.ndarray:
    """:func:`candidate_pairs` from band keys, as an (m × 2) array of pairs i < j, sorted.

    Only members that ended differently (or groups that did within) are paired, so a bucket
    of a thousand removals and one keep costs a thousand pairs, not 500,000.
    """
    n = len(keys)
    found: list[np.ndarray] = []
    for band in range(keys.shape[1] if n > 1 else 0):
        k = keys[:, band]
        order = np.argsort(k, kind="stable")
        ks = k[order]
        new = np.ones(n, dtype=bool)
        new[1:] = ks[1:] != ks[:-1]
        starts = np.flatnonzero(new)
        lengths = np.diff(np.append(starts, n))
        codes = pure[order]
        low = np.minimum.reduceat(codes, starts)
        high = np.maximum.reduceat(codes, starts)
        keep = (lengths > 1) & ~((low == high) & (low != _MIXED))
        for length in np.unique(lengths[keep]).tolist():
            first = starts[keep & (lengths == length)]
            if length <= _VECTOR_BUCKET:
                a, b = np.triu_indices(length, 1)
                i = order[(first[:, None] + a).ravel()]
                j = order[(first[:, None] + b).ravel()]
                ok = (pure[i] != pure[j]) | (pure[i] == _MIXED)
                i, j = i[ok], j[ok]
                found.append(np.minimum(i, j).astype(np.int64) * n + np.maximum(i, j))
            else:
                for f in first.tolist():
                    found.append(_bucket_pairs(order[f : f + length], pure, n))
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    coded = np.unique(np.concatenate(found))
    return np.stack((coded // n, coded % n), axis=1)


def _bucket_pairs(bucket: np.ndarray, pure: np.ndarray, n: int) -> np.ndarray:
    """A large bucket's pairs of members that ended differently, coded i·n + j (i < j)."""
    by_code: dict[int, list[int]] = defaultdict(list)
    for i in bucket.tolist():
        by_code[int(pure[i])].append(i)
    out: list[np.ndarray] = []
    codes = sorted(by_code)
    for x, code in enumerate(codes):
        group = np.array(by_code[code], dtype=np.int64)
        if code == _MIXED:
            a, b = np.triu_indices(len(group), 1)
            out.append(np.minimum(group[a], group[b]) * n + np.maximum(group[a], group[b]))
        for other in codes[x + 1 :]:
            o = np.array(by_code[other], dtype=np.int64)
            i, j = np.repeat(group, len(o)), np.tile(o, len(group))
            out.append(np.minimum(i, j) * n + np.maximum(i, j))
    return np.concatenate(out) if out else np.empty(0, dtype=np.int64)


def jaccard_many(shingled: Shingled, g: np.ndarray, h: np.ndarray) -> np.ndarray:
    """The exact Jaccard similarity of texts g[k] and h[k] for every k, all at once (the
    shingles of each text distinct, as :func:`shingle_all` makes them)."""
    if len(g) == 0:
        return np.empty(0, dtype=np.float64)
    sizes = np.diff(shingled.offsets)
    texts = np.unique(np.concatenate((g, h)))
    # Each involved shingle's rank among them: a pair and a rank fit in one 64-bit key.
    _, ranks = np.unique(shingled.hashes[_ragged(shingled.offsets, texts)], return_inverse=True)
    local = np.concatenate(([0], np.cumsum(sizes[texts]))).astype(np.int64)
    keys = []
    for side in (g, h):
        at = np.searchsorted(texts, side)
        pair = np.repeat(np.arange(len(side), dtype=np.uint64), sizes[side])
        keys.append((pair << np.uint64(32)) | ranks[_ragged(local, at)].astype(np.uint64))
    both = np.sort(np.concatenate(keys))
    twice = both[1:][both[1:] == both[:-1]]
    common = np.bincount((twice >> np.uint64(32)).astype(np.int64), minlength=len(g))
    return common / (sizes[g] + sizes[h] - common)


@dataclass
class DecidedComment:
    """A decided case's comment as the consistency report shows it."""

    case_id: int
    page_id: int | None
    page_name: str
    text: str
    outcome: str
    action: str  # of the latest decision
    reason: str
    decided_by: str
    decided_at: datetime

    def as_dict(self) -> dict[str, Any]:
        """Plain data for the JSON API."""
        return {
            "case_id": self.case_id,
            "page_id": self.page_id,
            "page_name": self.page_name,
            "text": self.text,
            "outcome": self.outcome,
            "action": self.action,
            "reason": self.reason,
            "decided_by": self.decided_by,
            "decided_at": self.decided_at.isoformat(),
        }


@dataclass
class Pair:
    """Two near-identical comments whose cases ended differently."""

    a: DecidedComment
    b: DecidedComment
    similarity: float


@dataclass
class ConsistencyReport:
    """Pairs of near-identical comments with different outcomes, most similar first."""

    period: Period
    page_id: int | None
    threshold: float
    compared: int  # decided cases with text in the period
    total_pairs: int
    pairs: list[Pair] = field(default_factory=list)

    @property
    def truncated(self) -> bool:
        """True when more pairs exist than are listed."""
        return self.total_pairs > len(self.pairs)


class _Row(NamedTuple):
    """A decided case as read, before it is known whether it will be listed."""

    case_id: int
    page_id: int | None
    outcome: str
    decided_at: datetime
    action: str
    reason: str
    decided_by: str
    text: str


def _decided(session: Session, period: Period | None, cases: Any = None) -> list[_Row]:
    """Every case decided in the period (None: ever) with its latest decision and the text
    decided on; with ``cases`` (a condition on ``Case``), only those cases."""
    latest = select(Decision.case_id, func.max(Decision.id).label("id")).group_by(Decision.case_id)
    if cases is not None:
        latest = latest.join(Case, Case.id == Decision.case_id).where(cases)
    found = latest.subquery()
    screened = aliased(ArchiveVersion)
    head = aliased(ArchiveVersion)
    query = (
        select(
            Case.id,
            Case.page_id,
            Case.outcome,
            Case.decided_at,
            Decision.action,
            Decision.reason,
            Decision.actor_name,
            # The version the PIO saw (the last one screened), else the record as it stands.
            func.coalesce(screened.text, head.text),
        )
        .join(found, found.c.case_id == Case.id)
        .join(Decision, Decision.id == found.c.id)
        .outerjoin(Screening, Screening.id == Case.screening_id)
        .outerjoin(screened, screened.seq == Screening.version_seq)
        .outerjoin(ArchiveItem, ArchiveItem.id == Case.item_id)
        .outerjoin(
            head, and_(head.item_id == ArchiveItem.id, head.version == ArchiveItem.head_version)
        )
        .where(Case.outcome.is_not(None))
        .order_by(Case.id)
    )
    if period is not None:
        query = query.where(_in(Case.decided_at, period))
    # Plain rows: only the few cases that end up in a listed pair become DecidedComments.
    return [
        _Row._make(row)
        for row in session.execute(query)
        if row[-1] and not row[-1].isspace()  # a reported link never captured has no text
    ]


def _decided_by_id(session: Session, ids: Iterable[int]) -> dict[int, _Row]:
    """The decided cases with these ids, as :func:`_decided` reads them."""
    wanted = sorted(set(ids))
    out: dict[int, _Row] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        out.update((r.case_id, r) for r in _decided(session, None, Case.id.in_(chunk)))
    return out


def _comment(row: _Row, pages: dict[int, str]) -> DecidedComment:
    name = pages.get(row.page_id, "—") if row.page_id is not None else "(no page)"
    return DecidedComment(
        row.case_id,
        row.page_id,
        name,
        row.text,
        row.outcome,
        row.action,
        row.reason,
        row.decided_by,
        clock.as_utc(row.decided_at),
    )


#: Outcome codes in the arrays the report computes on (the values of ``Outcome``, in order).
OUTCOME_CODES: dict[str, int] = {o.value: n for n, o in enumerate(Outcome)}
NO_PAGE = -1


def micros(at: datetime) -> int:
    """A UTC instant as whole microseconds since 1970 (exact, and comparable as a number)."""
    delta = clock.as_utc(at) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class Corpus:
    """The decided cases a consistency report compares, as arrays (one entry per case), and
    the distinct normalized texts they were decided on (``text`` indexes ``shingled``)."""

    case_ids: np.ndarray  # int64
    pages: np.ndarray  # int64, NO_PAGE for none
    outcomes: np.ndarray  # int64, OUTCOME_CODES
    decided: np.ndarray  # int64, micros()
    text: np.ndarray  # int64
    shingled: Shingled
    keys: np.ndarray | None = None  # band keys at DEFAULT_THRESHOLD, when already computed

    @classmethod
    def of(cls, rows: Sequence[_Row]) -> Corpus:
        """Cases read from the records: normalized, grouped by text and shingled here."""
        groups: dict[str, int] = {}
        kept: list[_Row] = []
        text: list[int] = []
        for r in rows:
            key = normalize(r.text)
            if key:
                kept.append(r)
                text.append(groups.setdefault(key, len(groups)))
        return cls(
            np.array([r.case_id for r in kept], dtype=np.int64),
            np.array([NO_PAGE if r.page_id is None else r.page_id for r in kept], dtype=np.int64),
            np.array([OUTCOME_CODES[r.outcome] for r in kept], dtype=np.int64),
            np.array([micros(r.decided_at) for r in kept], dtype=np.int64),
            np.array(text, dtype=np.int64),
            shingle_all(list(groups)),
        )


def consistency(
    session: Session,
    *,
    actor: Actor,
    month_from: str | None = None,
    month_to: str | None = None,
    page_id: int | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = 200,
) -> ConsistencyReport:
    """Near-identical comments decided differently in the period (latest decisions; with a
    page, pairs that have at least one side on it). See the module's docstring for how."""
    require(actor, Perm.MODERATION_REPORTS)
    return _consistency(session, month_from, month_to, page_id, threshold, limit)


def _consistency(
    session: Session,
    month_from: str | None,
    month_to: str | None,
    page_id: int | None,
    threshold: float,
    limit: int,
    *,
    rollups: bool = True,
) -> ConsistencyReport:
    """The report; from the roll-ups kept by the periodic job where they are current (every
    case decided or changed since is read from the records), else all from the records."""
    from piodesk.oversight import consistency_rollups

    if not MIN_THRESHOLD <= threshold <= 1.0:
        raise InvalidInput(f"the similarity threshold is between {MIN_THRESHOLD} and 1")
    if not 1 <= limit <= 5_000:
        raise InvalidInput("list between 1 and 5,000 pairs")
    period = Period.of(month_from, month_to)
    corpus = consistency_rollups.corpus(session, period) if rollups else None
    if corpus is None:
        corpus = Corpus.of(_decided(session, period))
    total, listed = compare(corpus, threshold, page_id, limit)
    details = _decided_by_id(session, (i for pair in listed for i in pair[1:]))
    pages = page_names(session)
    pairs = [
        Pair(_comment(details[a], pages), _comment(details[b], pages), round(similarity, 3))
        for similarity, a, b in listed
    ]
    return ConsistencyReport(
        period, page_id, threshold, compared=len(corpus.case_ids), total_pairs=total, pairs=pairs
    )


def compare(
    corpus: Corpus, threshold: float, page_id: int | None, limit: int
) -> tuple[int, list[tuple[float, int, int]]]:
    """(How many case pairs ended differently, the first ``limit`` of them as (similarity,
    case id, case id)): near-identical text groups found by banding, checked exactly."""
    n_texts = len(corpus.shingled.offsets) - 1
    if len(corpus.case_ids) == 0:
        return 0, []
    # Members of each text group, by case id; a group's outcome code, or _MIXED.
    order = np.lexsort((corpus.case_ids, corpus.text))
    starts = np.searchsorted(corpus.text[order], np.arange(n_texts))
    ends = np.append(starts[1:], len(order))
    outcomes = corpus.outcomes[order]
    low = np.minimum.reduceat(outcomes, starts)
    high = np.maximum.reduceat(outcomes, starts)
    pure = np.where(low == high, low, _MIXED)

    g_parts: list[np.ndarray] = [np.flatnonzero(pure == _MIXED)]
    h_parts: list[np.ndarray] = [g_parts[0]]
    s_parts: list[np.ndarray] = [np.ones(len(g_parts[0]))]
    if n_texts > 1:
        keys = corpus.keys
        if keys is None or threshold != DEFAULT_THRESHOLD:
            keys = band_keys(minhash(corpus.shingled), threshold)
        found = candidate_array(keys, pure)
        similarity = jaccard_many(corpus.shingled, found[:, 0], found[:, 1])
        near = similarity >= threshold
        g_parts.append(found[near, 0])
        h_parts.append(found[near, 1])
        s_parts.append(similarity[near])
    g, h, sim = np.concatenate(g_parts), np.concatenate(h_parts), np.concatenate(s_parts)

    # Pairs of cases that ended differently, per match: from each group's outcome counts.
    def counts(where: np.ndarray | None) -> np.ndarray:
        table = np.zeros((n_texts, len(OUTCOME_CODES)), dtype=np.int64)
        chosen = slice(None) if where is None else where
        np.add.at(table, (corpus.text[chosen], corpus.outcomes[chosen]), 1)
        return table

    def unequal(table: np.ndarray) -> np.ndarray:
        size = table.sum(axis=1)
        across = size[g] * size[h] - (table[g] * table[h]).sum(axis=1)
        within = (size[g] ** 2 - (table[g] ** 2).sum(axis=1)) // 2
        return np.where(g == h, within, across)

    pairs = unequal(counts(None))
    if page_id is not None:  # drop the pairs with neither side on the page
        pairs = pairs - unequal(counts(corpus.pages != page_id))
    total = int(pairs.sum())

    # Most similar first; among equals, the most recently decided (then the oldest cases).
    recent = np.maximum.reduceat(corpus.decided[order], starts)
    first = corpus.case_ids[order][starts]
    latest = np.maximum(recent[g], recent[h])
    ranked = np.lexsort(
        (np.maximum(first[g], first[h]), np.minimum(first[g], first[h]), -latest, -sim)
    )
    listed: list[tuple[float, int, int]] = []
    for m in ranked.tolist():
        if len(listed) >= limit:
            break
        if pairs[m] == 0:
            continue
        listed.extend(
            _listed(
                corpus,
                order,
                starts,
                ends,
                int(g[m]),
                int(h[m]),
                float(sim[m]),
                page_id,
                limit - len(listed),
            )
        )
    return total, listed


def _listed(
    corpus: Corpus,
    order: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    g: int,
    h: int,
    similarity: float,
    page_id: int | None,
    room: int,
) -> list[tuple[float, int, int]]:
    """Up to ``room`` case pairs of one match that ended differently, newest decided first."""

    def newest_first(group: int) -> list[int]:
        members = order[starts[group] : ends[group]]
        return members[np.lexsort((corpus.case_ids[members], -corpus.decided[members]))].tolist()

    ours = newest_first(g)
    others = ours if g == h else newest_first(h)
    out: list[tuple[float, int, int]] = []
    for x, i in enumerate(ours):
        for j in others[x + 1 :] if g == h else others:
            if corpus.outcomes[i] == corpus.outcomes[j]:
                continue
            if page_id is not None and page_id not in (corpus.pages[i], corpus.pages[j]):
                continue
            a, b = sorted((int(corpus.case_ids[i]), int(corpus.case_ids[j])))
            out.append((similarity, a, b))
            if len(out) >= room:
                return out
    return out


# ---- the public page (no sign-in) --------------------------------------------------------


@dataclass
class PublicFigures:
    """What anyone may read: counts per month, page and category, and the consistency figures.
    No comment text, no case, no person, no account (``public_figures``)."""

    period: Period
    rows: list[TransparencyRow]
    months: list[MonthTotal]
    compared: int  # decided comments compared for consistency
    unequal_pairs: int  # near-identical comments that ended differently
    by_outcomes: dict[str, int]  # "kept / removed" → pairs


def public_figures(
    session: Session, *, month_from: str | None = None, month_to: str | None = None
) -> PublicFigures:
    """The transparency and consistency figures for the public page: numbers only."""
    report = _transparency(session, month_from, month_to, None)
    pairs = _consistency(session, month_from, month_to, None, DEFAULT_THRESHOLD, 5_000)
    outcomes: Counter[str] = Counter()
    for pair in pairs.pairs:
        outcomes[" / ".join(sorted((pair.a.outcome, pair.b.outcome)))] += 1
    return PublicFigures(
        period=report.period,
        rows=report.rows,
        months=report.months,
        compared=pairs.compared,
        unequal_pairs=pairs.total_pairs,
        by_outcomes=dict(sorted(outcomes.items())),
    )
