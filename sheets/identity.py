"""Which record a row without ``Mã`` is, and when archiving must wait for a person.

Pure functions: the sync engine hands them signatures and counts and applies the answer.

A row's *signature* is what identifies it by content: the canonical texts of its imported
(not computed) non-empty fields. A row that lost its ``Mã`` (cleared cells, rows pasted
from an old copy, a copy of the file saved without the column) still has its content, so
it is matched against the records whose rows are missing from the sheet in this run — the
records that would otherwise be archived — and against rows a crashed run created but
never wrote back.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field


def signature(texts: dict, fields) -> str | None:
    """A stable digest of the non-empty texts of ``fields``; ``None`` when all are empty."""
    items = sorted((name, texts[name]) for name in fields if texts.get(name))
    if not items:
        return None
    return hashlib.blake2b(repr(items).encode("utf-8"), digest_size=16).hexdigest()


@dataclass(frozen=True)
class Candidate:
    """A record a keyless row may be: its ``Mã``, and whether a crashed run created it
    (never confirmed in the sheet) or its row went missing (confirmed before)."""

    key: str
    crashed: bool


@dataclass
class Claims:
    """The answer: ``restored`` row → key of a record whose row lost its ``Mã``;
    ``adopted`` row → key of a record a crashed run created; ``ambiguous`` row → the keys
    it could be (not guessed: a row error names them)."""

    restored: dict = field(default_factory=dict)
    adopted: dict = field(default_factory=dict)
    ambiguous: dict = field(default_factory=dict)


def claim_rows(rows: dict, candidates: dict) -> Claims:
    """Match keyless rows to candidates by signature.

    ``rows``: row id → signature (``None`` never matches). ``candidates``: signature →
    list of :class:`Candidate`. A signature shared by exactly as many rows as candidates
    pairs them in order when every candidate was created by a crashed run (identical new
    rows are interchangeable); otherwise one row and one candidate pair, and anything
    else (two records for one row, two rows for one record) is ambiguous.
    """
    claims = Claims()
    by_signature = defaultdict(list)
    for row, sig in rows.items():
        if sig is not None and sig in candidates:
            by_signature[sig].append(row)
    for sig, matched in by_signature.items():
        found = candidates[sig]
        if len(found) == len(matched) and (len(found) == 1 or all(c.crashed for c in found)):
            for row, candidate in zip(matched, found):
                (claims.adopted if candidate.crashed else claims.restored)[row] = candidate.key
        else:
            keys = [c.key for c in found]
            for row in matched:
                claims.ambiguous[row] = keys
    return claims


def mass_archive(gone: int, previous: int, share: float, minimum: int) -> bool:
    """Whether archiving ``gone`` records of the ``previous`` live rows needs a person's
    confirmation: more than ``share`` of them, and at least ``minimum`` records."""
    return gone >= max(1, minimum) and gone > share * previous


def metadata_candidates(rows: dict, counts, known) -> dict:
    """Rows that may take back the ``Mã`` their row carries as metadata (Google's row
    DeveloperMetadata, which moves with its row when rows are sorted, inserted, deleted
    or moved): the ``Mã`` cell is empty or holds something else, the metadata names a
    record of the binding that no ``Mã`` cell of the sheet holds, and no other row's
    metadata names it too (then neither is guessed).

    ``rows``: row id → (``Mã`` in the cell or ``None``, ``Mã`` in the metadata).
    ``counts``: ``Mã`` → how many cells hold it. ``known``: the binding's ``Mã``.
    Returns row id → ``Mã``.
    """
    wanted = {row: meta for row, (cell, meta) in rows.items()
              if meta and meta != cell and meta in known and not counts.get(meta)}
    named = defaultdict(int)
    for meta in wanted.values():
        named[meta] += 1
    return {row: meta for row, meta in wanted.items() if named[meta] == 1}


def resembles(texts: dict, snapshot: dict | None, fields) -> bool:
    """Whether a row still looks like the record it was: at least half of the fields the
    last-synced values fill are equal in the row. A row emptied and typed over with a
    new entry (its metadata stayed) does not; a row only moved or sorted does."""
    if not snapshot:
        return False
    filled = [name for name in fields if snapshot.get(name)]
    same = sum(1 for name in filled if (texts.get(name) or "") == snapshot[name])
    return bool(filled) and 2 * same >= len(filled)
