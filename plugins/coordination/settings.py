"""The coordination area's one setting: ``TODAY`` (``PHOIHOP_TODAY``, an ISO date), what
"today" is for the flags that depend on it — as for every rule that depends on today.
It is :func:`core.config.today`: the app's config, else the environment, else the real
date; a value that cannot be read is a :class:`core.errors.ConfigError` naming the setting."""
from core.config import today  # noqa: F401 - the rules' today, read here as settings.today()
