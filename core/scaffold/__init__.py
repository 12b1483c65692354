"""``phoihop plugins new NAME``: a province plugin package that passes its own tests.

The files are ``string.Template`` texts under ``templates/`` (package data), rendered
with the names derived from ``NAME`` (:class:`Names`); the sample workbook of the
plugin's one binding is written with openpyxl from :data:`SAMPLE_ROWS` — the rows its
``phoihop_demo_data`` also returns, so the sample, the demo and the tests agree.
"""
from __future__ import annotations

import keyword
import os
import re
from dataclasses import asdict, dataclass
from importlib import resources
from string import Template

from core.contract import CONTRACT_VERSION
from core.errors import ConfigError

NAME = re.compile(r"^[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*$")
MAX_NAME = 40
TEMPLATE_SUFFIX = ".tmpl"

# The sample rows of the binding, as an office types them (header → cell).
SAMPLE_ROWS = [
    {"Tên hoạt động": "Hội thảo chuyển đổi số trong nông nghiệp", "Ngày tổ chức": "15/03/2024",
     "Số người tham dự": 120, "Kinh phí": "45.000.000"},
    {"Tên hoạt động": "Tập huấn sáng kiến cho hội viên", "Ngày tổ chức": "22/05/2024",
     "Số người tham dự": 60, "Kinh phí": "12 triệu"},
    {"Tên hoạt động": "Tọa đàm khoa học với trí thức trẻ", "Ngày tổ chức": "09/10/2024",
     "Số người tham dự": 35, "Kinh phí": None},
]
WORKSHEET = "Hoạt động"
TITLE_ROWS = [["LIÊN HIỆP CÁC HỘI KHOA HỌC VÀ KỸ THUẬT"], ["DANH SÁCH HOẠT ĐỘNG"], []]


@dataclass(frozen=True)
class Names:
    """What ``NAME`` becomes: ``quang-ninh`` → entry point ``quang_ninh``, package
    ``phoihop_quang_ninh``, distribution ``phoihop-quang-ninh``, ``Mã`` prefix ``QN``."""

    name: str  # the entry-point name, the prefix of bindings, tables and endpoints
    module: str
    dist: str
    label: str
    prefix: str
    contract: str
    worksheet: str = WORKSHEET

    @classmethod
    def of(cls, text: str) -> "Names":
        text = (text or "").strip()
        if len(text) > MAX_NAME or not NAME.match(text):
            raise ConfigError(
                f"Tên plugin {text!r} không hợp lệ: dùng chữ thường không dấu, số, '-' hoặc '_', "
                f"bắt đầu bằng chữ, tối đa {MAX_NAME} ký tự (ví dụ quang-ninh)."
            )
        name = text.replace("-", "_")
        if keyword.iskeyword(name):
            raise ConfigError(f"Tên plugin {text!r} là từ khóa của Python; hãy chọn tên khác.")
        parts = name.split("_")
        prefix = "".join(part[0] for part in parts).upper() if len(parts) > 1 else name[:2].upper()
        return cls(
            name=name, module=f"phoihop_{name}", dist=f"phoihop-{name.replace('_', '-')}",
            label=" ".join(part.capitalize() for part in parts), prefix=prefix, contract=CONTRACT_VERSION,
        )


def templates():
    """``[(relative path with placeholders, template text)]`` of every template file."""
    root = resources.files(__name__) / "templates"
    found = []

    def walk(folder, prefix):
        for item in sorted(folder.iterdir(), key=lambda i: i.name):
            if item.is_dir():
                walk(item, f"{prefix}{item.name}/")
            elif item.name.endswith(TEMPLATE_SUFFIX):
                found.append((prefix + item.name[: -len(TEMPLATE_SUFFIX)], item.read_text(encoding="utf-8")))

    walk(root, "")
    return found


def render(names: Names) -> dict[str, str]:
    """``{relative path: text}`` of the package's text files (``package/`` becomes the module)."""
    rows = "".join(f"    {row!r},\n" for row in SAMPLE_ROWS)
    values = {**asdict(names), "sample_rows": f"[\n{rows}]"}
    files = {}
    for path, text in templates():
        path = re.sub(r"^package/", f"{names.module}/", path)
        files[path] = Template(text).substitute(values)
    return files


def write_sample_workbook(path: str, rows=SAMPLE_ROWS, worksheet: str = WORKSHEET) -> None:
    """A new workbook laid out as an office lays one out: title rows, then ``STT`` and the
    headers, one numbered row per sample. (A new file: openpyxl may write it whole.)"""
    from openpyxl import Workbook

    headers = list(dict.fromkeys(h for row in rows for h in row))
    book = Workbook()
    sheet = book.active
    sheet.title = worksheet
    for line in [*TITLE_ROWS, ["STT", *headers]]:
        sheet.append(line)
    for number, row in enumerate(rows, start=1):
        sheet.append([number, *[row.get(h) for h in headers]])
    book.save(path)


def check_free(names: Names, pm) -> None:
    """Refuse a name that a loaded plugin uses: its plugin name, or the table or binding
    the new plugin would declare (phoihop would refuse to start with both installed)."""
    from core.registry import collect_bindings, collect_models

    plugins = {plugin_name.rsplit(".", 1)[-1] for plugin_name, _plugin in pm.list_name_plugin()}
    tables = {model._meta.table_name for model in collect_models(pm)}
    clashes = [what for what, used in ((names.name, plugins), (f"{names.name}_activity", tables),
                                       (f"{names.name}.activities", set(collect_bindings(pm)))) if what in used]
    if clashes:
        raise ConfigError(f"Tên plugin {names.name!r} trùng với một plugin đã cài ({', '.join(clashes)}): chọn tên khác.")


def new_plugin(name: str, directory: str | None = None, pm=None) -> tuple[Names, str, list[str]]:
    """Write the plugin package into ``directory`` (default ``./phoihop-NAME``), which must
    not exist or be empty; with ``pm``, refuse a name its plugins use (:func:`check_free`).
    Returns the names, the folder and the files written."""
    names = Names.of(name)
    if pm is not None:
        check_free(names, pm)
    directory = os.path.abspath(directory or names.dist)
    if os.path.exists(directory) and (not os.path.isdir(directory) or os.listdir(directory)):
        raise ConfigError(f"{directory} đã có và không trống (hoặc là một tệp): chọn một thư mục mới (--dir).")
    written = []
    for path, text in render(names).items():
        target = os.path.join(directory, *path.split("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        written.append(target)
    workbook = os.path.join(directory, "samples", f"{names.name}.activities.xlsx")
    os.makedirs(os.path.dirname(workbook), exist_ok=True)
    write_sample_workbook(workbook)
    written.append(workbook)
    return names, directory, written
