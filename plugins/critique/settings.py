"""The critique area's settings, read where the rules need them.

Each comes from the app's config (a ``PHOIHOP_CONFIG`` file, or ``create_app``'s dict),
else from the environment, else its default:

- ``TODAY`` (``PHOIHOP_TODAY``, an ISO date): what "today" is for the flags that depend
  on it (``quá hạn``, ``chưa có báo cáo tiếp thu, giải trình``) — as for every rule that
  depends on today;
- ``CRITIQUE_MIN_WINDOW_DAYS`` (``PHOIHOP_CRITIQUE_MIN_WINDOW_DAYS``, default 20): a comment
  window shorter than this many calendar days is flagged ``thời gian góp ý quá ngắn``;
- ``CRITIQUE_UPTAKE_DAYS`` (``PHOIHOP_CRITIQUE_UPTAKE_DAYS``, default 30): a report sent
  more than this many days ago without the requester's answer is flagged ``chưa có báo
  cáo tiếp thu, giải trình``.

A value that cannot be read is a :class:`core.errors.ConfigError` naming the setting.
"""
from __future__ import annotations

import datetime as dt
import os

from core.config import today  # noqa: F401 - the rules' today, read here as settings.today()
from core.errors import ConfigError
from plugins.critique import rules


def _raw(name: str):
    from flask import current_app, has_app_context

    value = current_app.config.get(name) if has_app_context() else None
    if value is None or (isinstance(value, str) and not value.strip()):
        value = os.environ.get(f"PHOIHOP_{name}")
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _days(name: str, default: int) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(str(value).strip())
    except ValueError:
        number = -1
    if number < 0:
        raise ConfigError(f'PHOIHOP_{name} "{value}" phải là số ngày (số nguyên không âm)')
    return number


def min_window_days() -> int:
    """The shortest comment window that is not flagged, in calendar days."""
    return _days("CRITIQUE_MIN_WINDOW_DAYS", rules.MIN_WINDOW_DAYS)


def uptake_days() -> int:
    """The days a requester has to answer a report before the request is flagged."""
    return _days("CRITIQUE_UPTAKE_DAYS", rules.UPTAKE_DAYS)
