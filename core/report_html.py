"""The annual review as one printable, standalone HTML document (``phoihop report
--format html``).

The same sections, figures, tables and charts as the other outputs
(:mod:`core.report_output`, :mod:`core.report_charts`), laid out for A4 paper. The
document needs nothing but itself: its style sheet, the vendored Chart.js
(``static/phoihop/vendor/chartjs``, MIT, its licence notice kept in the file) and the
script that draws the charts (``static/phoihop/charts.js``) are inlined, so it opens and
prints offline, from an e-mail attachment or a USB stick. Every text from a sheet is
escaped (Jinja autoescape).
"""
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from core.report_charts import section_charts
from core.report_output import MONEY_NOTE, has_money, heading, laid_out, show

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static" / "phoihop"
SCRIPTS = (STATIC / "vendor" / "chartjs" / "chart.umd.min.js", STATIC / "charts.js")
STYLES = (STATIC / "dashboard.css", STATIC / "report.css")


def inline_text(path, closing):
    """A static file's text, to be put inside a ``<script>`` or ``<style>`` element; one
    that would close the element early is refused."""
    text = path.read_text(encoding="utf-8")
    if closing in text.lower():
        raise ValueError(f"{path.name} contains {closing!r}: it cannot be inlined")
    return text


def environment():
    return Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(["html"]),
                       trim_blocks=True, lstrip_blocks=True)


def sections_of(report):
    """Each section as the template draws it: figures as text, tables laid out, charts."""
    shown = []
    for section in report.sections:
        tables = []
        for table in section.tables:
            head, body, numeric = laid_out(table)
            tables.append({"title": table.title, "head": head, "rows": body, "numeric": numeric,
                           "total": table.total is not None})
        shown.append({"key": section.key, "title": section.title,
                      "figures": [(f.label, show(f.value, f.kind)) for f in section.figures],
                      "tables": tables, "charts": section_charts(section)})
    return shown


def render_html(report):
    """The report as a standalone HTML document (a ``str``)."""
    from markupsafe import Markup

    template = environment().get_template("phoihop/report.html")
    return template.render(
        heading=heading(report), money_note=MONEY_NOTE if has_money(report) else None,
        sections=sections_of(report),
        styles=Markup("\n".join(inline_text(path, "</style") for path in STYLES)),
        scripts=[Markup(inline_text(path, "</script")) for path in SCRIPTS],
    )
