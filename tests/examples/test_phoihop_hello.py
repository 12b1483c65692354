"""examples/phoihop-hello, installed from a copy, passes its own tests (which use only
phoihop's pytest plugin), as a province's plugin would."""
import os

from tests.conftest import HELLO, pip_install, run_plugin_tests


def test_the_example_plugin_passes_its_own_tests(tmp_path_factory):
    copy, site = pip_install(HELLO, tmp_path_factory)
    run = run_plugin_tests(copy, site)
    assert run.returncode == 0, run.stdout + run.stderr
    assert " passed" in run.stdout and " failed" not in run.stdout
    if os.environ.get("PHOIHOP_TEST_POSTGRES_URL"):
        assert "skipped" not in run.stdout, run.stdout  # its PostgreSQL variants ran too
