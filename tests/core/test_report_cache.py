"""The dashboard keeps a review while the audit trail, today and its age allow it."""
import pytest

from core.report_cache import ReportCache


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


def computing(values):
    calls = []

    def compute():
        calls.append(1)
        return values[len(calls) - 1]

    return compute, calls


def test_the_same_key_and_version_is_computed_once(clock):
    cache = ReportCache(60, clock=clock)
    compute, calls = computing(["a", "b"])
    assert [cache.get("k", (1,), compute) for _ in range(3)] == ["a", "a", "a"]
    assert len(calls) == 1 and (cache.hits, cache.misses) == (2, 1)


def test_a_new_version_is_computed_again(clock):
    cache = ReportCache(60, clock=clock)
    compute, calls = computing(["a", "b"])
    cache.get("k", ("2026-11-30", 7), compute)
    assert cache.get("k", ("2026-11-30", 8), compute) == "b"


def test_an_entry_older_than_its_seconds_is_computed_again(clock):
    cache = ReportCache(60, clock=clock)
    compute, calls = computing(["a", "b"])
    cache.get("k", 1, compute)
    clock.now += 59.9
    assert cache.get("k", 1, compute) == "a"
    clock.now += 0.2
    assert cache.get("k", 1, compute) == "b"


def test_the_least_recently_used_key_leaves_first(clock):
    cache = ReportCache(60, size=2, clock=clock)
    for key in ("a", "b"):
        cache.get(key, 1, lambda key=key: key)
    cache.get("a", 1, lambda: "never")  # a used again: b is the oldest
    cache.get("c", 1, lambda: "c")
    assert list(cache.entries) == ["a", "c"]


def test_zero_seconds_keeps_nothing(clock):
    cache = ReportCache(0, clock=clock)
    compute, calls = computing(["a", "b"])
    assert [cache.get("k", 1, compute) for _ in range(2)] == ["a", "b"]


@pytest.fixture
def counted(monkeypatch):
    """How many times the dashboard gathered the review."""
    import core.dashboard
    from core.reports import collect

    calls = []

    def counting(*args, **kwargs):
        calls.append(args[2])
        return collect(*args, **kwargs)

    monkeypatch.setattr(core.dashboard, "collect", counting)
    return calls


def test_a_second_visit_reuses_the_review_and_a_change_in_the_admin_is_seen(app, login_as, counted, units):
    from core.models import AuditLog

    client = login_as("admin")
    assert client.get("/admin/?year=2024").status_code == 200
    assert client.get("/admin/?year=2024").status_code == 200
    assert len(counted) == 1
    with app.app_context():  # what the admin, a sync or the CLI writes with every change
        AuditLog.create(actor="admin@phoihop.local", channel="admin", action="update", model="x", record_id="1")
    assert client.get("/admin/?year=2024").status_code == 200
    assert len(counted) == 2


def test_each_unit_scope_and_period_has_its_own_review(login_as, counted, units):
    client = login_as("admin")
    client.get("/admin/?year=2024")
    client.get("/admin/?year=2023")
    client.get("/admin/?year=2024")
    assert len(counted) == 2
