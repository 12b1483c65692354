"""The fixtures come from phoihop's pytest plugin (phoihop_testing); the app loads this
plugin's entry point besides phoihop's built-ins."""
import pytest


@pytest.fixture
def phoihop_entry_points():
    return {"hello"}
