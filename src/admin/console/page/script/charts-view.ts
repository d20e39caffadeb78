/**
 * Browser code: three uPlot charts (lag, pending, shipped), one line per rule, over the samples the server keeps
 * (one a minute, the last hours) and one taken now. A chart is rebuilt only when the rules or its width change.
 */
export const CHARTS_VIEW = String.raw`
var COLOURS = ['#1a56db', '#c2410c', '#047857', '#7e22ce', '#b91c1c', '#0e7490', '#a16207', '#4d7c0f'];
var CHARTS = [
  { id: 'chart-lag', field: 'lagSeconds', unit: 's' },
  { id: 'chart-pending', field: 'pendingOperations', unit: '' },
  { id: 'chart-shipped', field: 'shipped', unit: '' },
];
var plots = {};

function seriesData(samples, ruleIds, field) {
  var xs = samples.map(function (s) { return s.at / 1000; });
  var lines = ruleIds.map(function (id) {
    return samples.map(function (s) { var r = s.rules[id]; return r === undefined ? null : r[field]; });
  });
  return [xs].concat(lines);
}

function renderCharts(series, rules) {
  var ruleIds = rules.map(function (r) { return r.rule; });
  var samples = series.samples;
  CHARTS.forEach(function (c) {
    var fig = $(c.id);
    var box = fig.querySelector('.plot');
    var data = seriesData(samples, ruleIds, c.field);
    var width = Math.max(300, box.clientWidth);
    var shape = ruleIds.join('\n') + '|' + width;
    var plot = plots[c.id];
    if (!plot || plot.shape !== shape) {
      if (plot) plot.u.destroy();
      var opts = {
        width: width, height: 200,
        scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(1, max)]; } } },
        series: [{}].concat(ruleIds.map(function (id, i) {
          return { label: visible(id), stroke: COLOURS[i % COLOURS.length], width: 2, spanGaps: false, points: { show: true, size: 4 } };
        })),
        axes: [{}, { size: 50 }],
        legend: { show: true, live: false },
      };
      plots[c.id] = { u: new uPlot(opts, data, box), shape: shape };
    } else plot.u.setData(data);
    var last = samples[samples.length - 1];
    var parts = ruleIds.map(function (id) {
      var v = last && last.rules[id] ? last.rules[id][c.field] : null;
      return visible(id) + ' ' + (v === null || v === undefined ? '-' : (c.unit === 's' ? formatSeconds(v) : String(v)));
    });
    fig.querySelector('.latest').textContent = 'now: ' + parts.join(' · ') + ' — ' + samples.length + ' samples, one every ' +
      formatSeconds(series.everySeconds);
    fig.setAttribute('data-samples', String(samples.length));
  });
}
`;
