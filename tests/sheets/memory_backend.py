"""A spreadsheet held in memory, for engine tests that need what a file cannot easily
hold (formula cells with or without a stored result) or a hook between read and write.

It honours the :class:`sheets.backend.Backend` protocol exactly: ``read`` returns a
:class:`~sheets.backend.Grid` copy with ``formulas``; ``write`` refuses formula cells.
"""
from sheets.backend import BackendError, Grid, RequestCount


class MemoryBackend:
    def __init__(self, sheets, formulas=None):
        self.sheets = {title: [list(row) for row in grid] for title, grid in sheets.items()}
        self.formulas = {title: set(cells) for title, cells in (formulas or {}).items()}
        self.requests = RequestCount()
        self.writes = []
        self.after_read = None  # called once after the next read (a concurrent edit…)

    def read(self, worksheet):
        self.requests.reads += 1
        grid = Grid([list(row) for row in self.sheets[worksheet]], formulas=self.formulas.get(worksheet, ()))
        hook, self.after_read = self.after_read, None
        if hook is not None:
            hook()
        return grid

    def write(self, worksheet, cells):
        if not cells:
            return
        grid = self.sheets[worksheet]
        for cell in cells:
            if (cell.row - 1, cell.col - 1) in self.formulas.get(worksheet, ()):
                raise BackendError(f"formula cell {cell.row},{cell.col} written")
        self.requests.writes += 1
        self.writes.append(list(cells))
        for cell in cells:
            while len(grid) < cell.row:
                grid.append([])
            row = grid[cell.row - 1]
            while len(row) < cell.col:
                row.append(None)
            row[cell.col - 1] = cell.value

    def add_worksheet(self, worksheet, rows=1000, cols=26):
        self.sheets.setdefault(worksheet, [])

    def cell(self, worksheet, header, row_number, header_row=4):
        """The value under ``header`` in Excel row ``row_number``."""
        grid = self.sheets[worksheet]
        col = grid[header_row - 1].index(header)
        row = grid[row_number - 1]
        return row[col] if col < len(row) else None
