"""The coordination area's one setting: ``TODAY`` (``PHOIHOP_TODAY``, an ISO date), what
"today" is for the flags that depend on it — as for every rule that depends on today.
It comes from the app's config, else from the environment, else the real date; a value
that cannot be read is a :class:`core.errors.ConfigError` naming the setting."""
from __future__ import annotations

import datetime as dt
import os

from core.errors import ConfigError


def today() -> dt.date:
    """Today, or the ``TODAY`` setting when it is set."""
    from flask import current_app, has_app_context

    value = current_app.config.get("TODAY") if has_app_context() else None
    if value is None or (isinstance(value, str) and not value.strip()):
        value = os.environ.get("PHOIHOP_TODAY")
    if value is None or (isinstance(value, str) and not value.strip()):
        return dt.date.today()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ConfigError(f'PHOIHOP_TODAY "{value}" không phải ngày dạng YYYY-MM-DD') from None
