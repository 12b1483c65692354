"""Spreadsheet side of phoihop: backends, column mappings, the sync engine.

Backends (``sheets.xlsx``, ``sheets.gsheets``) implement :class:`sheets.backend.Backend`;
``sheets.values`` and ``sheets.table`` are pure functions that read cells the way offices
write them; ``sheets.sync`` is the three-way merge between a worksheet and the database.
"""
