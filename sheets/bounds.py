"""Where a worksheet's table ends: cells far away from it are not part of it.

An office sheet is a table near A1 (a title block, a header row within the first rows,
data below). A value typed far away — ``XFD1048576``, or a note 5,000 rows below — is
not part of the table: it is left out with a warning, and it is never a reason to read
(or allocate) the whole sheet. Both backends apply the same two rules, the ``.xlsx``
reader while it streams the file, the Google one on the grid it received:

- **columns**: the table is as wide as the dense block of columns used in the first
  :data:`HEAD_ROWS` rows, starting at column A (a gap of more than :data:`FAR_COLUMNS`
  empty columns ends the block), plus :data:`FAR_COLUMNS` columns of slack for data
  without a header. A cell right of that is far away.
- **rows**: once :data:`FAR_ROWS` consecutive empty rows follow the last row with a
  value, the table has ended: a value after that gap is far away, and so is everything
  after it (reading stops there).

Pure functions and a small streaming helper; no I/O.
"""
from __future__ import annotations

from typing import Any, Iterable

from sheets.backend import UNCOMPUTED

HEAD_ROWS = 20
FAR_COLUMNS = 50
FAR_ROWS = 1000


def column_letter(col: int) -> str:
    """0-based column → Excel letters: 0 → A, 25 → Z, 26 → AA, 16383 → XFD."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _empty(value: Any) -> bool:
    """Empty for the table's extent: no value, blank text, or a formula that never had a
    result (a formula column dragged to the bottom of the sheet is not a million rows)."""
    return value is None or value is UNCOMPUTED or (isinstance(value, str) and not value.strip())


def column_limit(head: Iterable[Iterable[tuple[int, Any]]]) -> int:
    """How many columns the table may use (0-based columns below the result are in),
    from the cells of the first :data:`HEAD_ROWS` rows given as ``(col, value)`` pairs."""
    used = sorted({col for row in head for col, value in row if not _empty(value)})
    edge = -1
    for col in used:
        if col - edge > FAR_COLUMNS + 1:
            break
        edge = col
    return edge + 1 + FAR_COLUMNS


def far_warning(cells: list[str], more: int = 0) -> str:
    """The office's warning for cells left out, e.g. 'Ô XFD1048576 nằm xa bảng …'."""
    named = ", ".join(cells[:5])
    extra = len(cells) - 5 + more
    tail = f" và {extra} ô khác" if extra > 0 else ""
    return (f"Ô {named}{tail} nằm xa bảng (ngoài vùng dữ liệu): phoihop không đọc "
            "và không coi là một phần của bảng. Nếu là dữ liệu, hãy chuyển vào trong bảng.")


class Bounder:
    """Applies the two rules to rows fed one at a time (0-based row index, sparse cells).

    ``feed(index, cells)`` takes ``[(col, value)]`` of one row, in row order, and returns
    the kept cells, or ``None`` once the table has ended (the caller stops reading).
    The first :data:`HEAD_ROWS` rows are held back until the column limit is known;
    :meth:`flush_head` returns them (call it when the head is complete or input ended).
    """

    def __init__(self) -> None:
        self.limit: int | None = None
        self.head: list[tuple[int, list[tuple[int, Any]]]] = []
        self.far: list[str] = []
        self.far_more = 0
        self.last_filled = -1
        self.ended = False

    def _note(self, row: int, col: int) -> None:
        if len(self.far) < 5:
            self.far.append(f"{column_letter(col)}{row + 1}")
        else:
            self.far_more += 1

    def _trim(self, index: int, cells: list[tuple[int, Any]]) -> list[tuple[int, Any]]:
        kept = []
        for col, value in cells:
            if col < self.limit:
                kept.append((col, value))
            elif not _empty(value):
                self._note(index, col)
        if any(not _empty(v) for _, v in kept):
            self.last_filled = index
        return kept

    def feed(self, index: int, cells: list[tuple[int, Any]]) -> list[tuple[int, Any]] | None:
        if self.ended:
            return None
        if self.limit is None:
            if index < HEAD_ROWS:
                self.head.append((index, cells))
                return []
            self.flush_head()
        filled = any(not _empty(v) for _, v in cells)
        if filled and index - self.last_filled > FAR_ROWS:
            first = next(col for col, v in cells if not _empty(v))
            self._note(index, first)
            self.ended = True
            return None
        return self._trim(index, cells)

    def flush_head(self) -> list[tuple[int, list[tuple[int, Any]]]]:
        """Fix the column limit from the held-back head rows and return them, trimmed."""
        if self.limit is not None:
            return []
        self.limit = column_limit(cells for _, cells in self.head)
        head, self.head = self.head, []
        return [(index, self._trim(index, cells)) for index, cells in head]

    def warnings(self) -> list[str]:
        return [far_warning(self.far, self.far_more)] if self.far else []


def bound_grid(grid: list[list[Any]]) -> tuple[list[list[Any]], list[str]]:
    """Apply the rules to a whole grid (rows of cells from A1); return the kept grid —
    the same list, trimmed in place — and the warnings."""
    limit = column_limit(enumerate(row) for row in grid[:HEAD_ROWS])
    far: list[str] = []
    more = 0
    last_filled = -1
    end = len(grid)
    for index, row in enumerate(grid):
        if not row:
            continue
        if len(row) > limit:
            for col in range(limit, len(row)):
                if not _empty(row[col]):
                    if len(far) < 5:
                        far.append(f"{column_letter(col)}{index + 1}")
                    else:
                        more += 1
            del row[limit:]
        if any(not _empty(v) for v in row):
            if index - last_filled > FAR_ROWS:
                first = next(col for col, v in enumerate(row) if not _empty(v))
                far.append(f"{column_letter(first)}{index + 1}")
                end = index
                break
            last_filled = index
    del grid[end:]
    while grid and all(_empty(v) for v in grid[-1]):
        grid.pop()
    return grid, [far_warning(far, more)] if far else []
