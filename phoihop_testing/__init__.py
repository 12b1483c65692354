"""phoihop's test kit for plugin authors, shipped with phoihop.

Its pytest plugin (:mod:`phoihop_testing.plugin`, entry point ``pytest11``) loads into
every pytest run of a virtualenv where phoihop is installed; its fixtures are all named
``phoihop_…`` so that they never meet a project's own (``app``, ``client``…). See
docs/CONTRACT.md for what is stable.

:mod:`phoihop_testing.sheets_emulator` is the fake Google Sheets API server of phoihop's
own tests (which import it by its older name, ``tests.fake_sheets``).
"""
PASSWORD = "mat-khau-thu-nghiem"

__all__ = ["PASSWORD"]
