/* Draw every canvas that carries a data-chart attribute with Chart.js (vendored: vendor/chartjs, MIT).
   The data is core/report_charts.py's chart_spec: {type, horizontal, title, labels,
   datasets: [{label, data}]}. A static file, so the CSP lets it run. */
(function () {
  'use strict';
  var PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  var number = new Intl.NumberFormat('vi-VN', {maximumFractionDigits: 2});

  function colours(spec, index) {
    if (spec.type === 'pie') {
      return spec.labels.map(function (_label, i) { return PALETTE[i % PALETTE.length]; });
    }
    return PALETTE[index % PALETTE.length];
  }

  function draw(canvas) {
    var spec = JSON.parse(canvas.getAttribute('data-chart'));
    var pie = spec.type === 'pie';
    var config = {
      type: spec.type,
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (dataset, i) {
          return {label: dataset.label, data: dataset.data, backgroundColor: colours(spec, i)};
        })
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: spec.horizontal ? 'y' : 'x',
        plugins: {
          title: {display: !!spec.title, text: spec.title},
          legend: {display: pie || spec.datasets.length > 1, position: pie ? 'right' : 'top'},
          tooltip: {callbacks: {label: function (item) {
            var value = pie ? item.parsed : (spec.horizontal ? item.parsed.x : item.parsed.y);
            return (pie ? item.label : item.dataset.label) + ': ' + number.format(value);
          }}}
        },
        scales: pie ? {} : {
          x: {ticks: {autoSkip: false}},
          y: {beginAtZero: true, ticks: {callback: function (value) { return number.format(value); }}}
        }
      }
    };
    if (!pie && spec.horizontal) {
      config.options.scales = {
        x: {beginAtZero: true, ticks: {callback: function (value) { return number.format(value); }}},
        y: {ticks: {autoSkip: false}}
      };
    }
    if (spec.horizontal) {  // one bar group per label: the chart grows with them
      var needed = spec.labels.length * 14 * spec.datasets.length + 90;
      if (canvas.parentNode.clientHeight < needed) { canvas.parentNode.style.height = needed + 'px'; }
    }
    canvas.phoihopChart = new window.Chart(canvas, config);
  }

  function drawAll() {
    if (!window.Chart) { return; }
    document.querySelectorAll('canvas[data-chart]').forEach(draw);
    document.documentElement.setAttribute('data-charts-drawn', 'true');
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', drawAll);
  } else {
    drawAll();
  }
})();
