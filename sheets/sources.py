"""Where a binding's rows live: ``gsheet:KEY`` (Google Sheets) or a local ``.xlsx`` path."""
import os

from core.errors import ConfigError
from sheets.backend import BackendError


def normalise_source(text):
    """A Google Sheets URL or ``gsheet:KEY`` → ``gsheet:KEY``; a workbook path → its absolute path."""
    from sheets.gsheets import parse_source

    text = (text or "").strip()
    if text.startswith(("gsheet:", "http://", "https://")):
        try:
            return f"gsheet:{parse_source(text)}"
        except BackendError as exc:
            raise ConfigError(str(exc)) from exc
    if text.lower().endswith(".xlsx"):
        return os.path.abspath(text)
    raise ConfigError(f"Nguồn {text!r} không hợp lệ: cần một tệp .xlsx, một địa chỉ Google Sheets hoặc gsheet:KEY")


def open_backend(source):
    """The backend for a stored source (one instance per sync).

    Makes no request. Raises :class:`~sheets.backend.BackendError`, one Vietnamese
    sentence, when the backend cannot be built (a malformed source, a missing or wrong
    Google credentials file, an emulator address that is not a URL), so the caller can
    fail that binding alone.
    """
    source = (source or "").strip()
    if source.startswith("gsheet:"):
        from sheets.gsheets import GoogleSheetsBackend, parse_source
        from sheets.quota import app_budget

        return GoogleSheetsBackend.from_environment(parse_source(source), budget=app_budget())
    if source.lower().endswith(".xlsx"):
        from sheets.xlsx import XlsxBackend

        return XlsxBackend(source)
    raise BackendError(f'Nguồn "{source}" không hợp lệ: cần một tệp .xlsx, một địa chỉ Google Sheets '
                       "hoặc gsheet:MÃ.")
