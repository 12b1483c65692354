"""Fixtures for the spreadsheet backends."""
import pytest

from tests.fake_sheets import FakeSheets


@pytest.fixture
def fake_sheets(monkeypatch):
    """A started fake Sheets API server; ``PHOIHOP_SHEETS_EMULATOR`` points at it."""
    with FakeSheets() as fake:
        monkeypatch.setenv("PHOIHOP_SHEETS_EMULATOR", fake.url)
        yield fake
