"""Errors the core raises for people, not for tracebacks."""


class ConfigError(Exception):
    """Bad configuration or usage: the CLI prints the message and exits with status 2."""
