"""The annual review (sơ kết / tổng kết): each plugin reports its own section."""
from dataclasses import dataclass

from core.errors import ConfigError
from core.registry import hook_results


@dataclass(frozen=True)
class Period:
    """The years a report covers, both ends included."""

    start: int
    end: int

    def __post_init__(self):
        if self.end < self.start:
            raise ConfigError(f"Năm kết thúc ({self.end}) trước năm bắt đầu ({self.start}).")

    @property
    def years(self):
        return self.end - self.start + 1


def gather(pm, period, units):
    """Every plugin's section: ``{"period": …, "units": n, "sections": {key: section}}``."""
    sections = {}
    for plugin, answer in hook_results(pm, "phoihop_report", period=period, units=units):
        if answer is None:
            continue
        key, section = answer
        if key in sections:
            raise ConfigError(f"Hai plugin cùng báo cáo phần {key!r} (plugin {plugin})")
        sections[key] = section
    return {
        "period": {"from": period.start, "to": period.end, "years": period.years},
        "units": len(units),
        "sections": sections,
    }
