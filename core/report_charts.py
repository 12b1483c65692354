"""A section's chart hints (:class:`core.reports.Chart`) as plain chart data: what the
dashboard and the HTML review hand to the vendored Chart.js (``core/static/phoihop/vendor``).

The data follows the xlsx output's rule (:func:`core.report_output.add_chart`): the
categories are the table's first column, its total row is left out, money is in million
đồng. A chart whose table has no row, or only zeros and blanks, draws nothing: it is
left out (:func:`section_charts`).
"""
from core.report_output import chart_value, header

TYPES = {"column": "bar", "bar": "bar", "pie": "pie"}


def chart_spec(section, chart):
    """``{"type", "horizontal", "title", "labels", "datasets": [{"label", "data"}]}`` of
    one chart hint of ``section``."""
    table = section.table(chart.table)
    columns = [table.column(key) for key in chart.columns]
    index = [table.columns.index(c) for c in columns]
    labels = ["" if row[0] is None else str(row[0]) for row in table.rows]
    datasets = [{"label": header(column), "data": [chart_value(row[i], column.kind) for row in table.rows]}
                for i, column in zip(index, columns)]
    return {"type": TYPES[chart.kind], "horizontal": chart.kind == "bar", "title": chart.title,
            "labels": labels, "datasets": datasets}


def has_values(spec):
    return any(value for dataset in spec["datasets"] for value in dataset["data"])


def section_charts(section):
    """The chart data of every chart hint of ``section`` that has something to draw."""
    specs = [chart_spec(section, chart) for chart in section.charts]
    return [spec for spec in specs if has_values(spec)]
