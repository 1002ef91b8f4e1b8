import { COMMON_SCRIPT } from './common-script.js';

/** Draws the overview charts from the pre-aggregated JSON written by overview-page.ts. */
export const OVERVIEW_SCRIPT = `${COMMON_SCRIPT}
${String.raw`
(function () {
  var R = REPORT, d = R.data, plain = R.plain, fmt = R.fmt;

  R.mount('chart-coverage', function () {
    var c = d.counts;
    if (!c.users) return R.noData('No users in the result store');
    return {
      tooltip: { trigger: 'item', formatter: function (p) { return p.name + ': ' + fmt(p.value) + ' (' + p.percent + '%)'; } },
      legend: { bottom: 0 },
      series: [{
        type: 'pie', radius: ['35%', '65%'],
        label: { formatter: function (p) { return p.name + '\n' + fmt(p.value); } },
        data: [
          { name: 'done', value: c.done, itemStyle: { color: '#3ba272' } },
          { name: 'not found', value: c.notfound, itemStyle: { color: '#fac858' } },
          { name: 'failed', value: c.failed, itemStyle: { color: '#ee6666' } }
        ]
      }]
    };
  });

  R.mount('chart-reasons', function () {
    if (!d.reasons.length) return R.noData('No failed users');
    var rows = d.reasons.slice().reverse();
    return {
      grid: { left: 8, right: 40, top: 10, bottom: 20, containLabel: true },
      tooltip: { trigger: 'item', formatter: function (p) { return plain(p.name) + ': ' + fmt(p.value); } },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: {
        type: 'category',
        data: rows.map(function (r) { return plain(r[0]); }),
        axisLabel: { width: 260, overflow: 'truncate' }
      },
      series: [{ type: 'bar', data: rows.map(function (r) { return r[1]; }), itemStyle: { color: '#ee6666' },
        label: { show: true, position: 'right' } }]
    };
  });

  function scatter(block, xName, note) {
    if (!block.points.length) return R.noData('No users with both values');
    return {
      title: { text: note, textStyle: { fontSize: 11, color: '#666', fontWeight: 'normal' }, right: 10, top: 0 },
      grid: { left: 60, right: 30, top: 30, bottom: 50 },
      tooltip: { trigger: 'item', formatter: function (p) {
        return plain(p.value[2]) + '\n' + xName + ': ' + fmt(p.value[0]) + '\narticles: ' + fmt(p.value[1]);
      } },
      xAxis: { type: 'log', name: xName, nameLocation: 'middle', nameGap: 28, logBase: 10 },
      yAxis: { type: 'log', name: 'articles', logBase: 10 },
      series: [{ type: 'scatter', symbolSize: 4, large: block.points.length > 2000,
        itemStyle: { opacity: 0.55, color: '#5470c6' }, data: block.points }]
    };
  }
  function sampleNote(block) {
    return block.total > block.points.length
      ? 'random sample of ' + fmt(block.points.length) + ' of ' + fmt(block.total) + ' users'
      : fmt(block.total) + ' users';
  }
  R.mount('chart-rank', function () { return scatter(d.rankScatter, 'rank', sampleNote(d.rankScatter)); });
  R.mount('chart-visits', function () { return scatter(d.visitsScatter, 'total visits', sampleNote(d.visitsScatter)); });

  R.mount('chart-monthly', function () {
    var m = d.monthly;
    if (!m.months.length) return R.noData();
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 60, right: 70, top: 40, bottom: 70 },
      dataZoom: [{ type: 'slider', bottom: 10 }, { type: 'inside' }],
      xAxis: { type: 'category', data: m.months },
      yAxis: [
        { type: 'value', name: 'articles published', minInterval: 1 },
        { type: 'value', name: 'fan growth', splitLine: { show: false } }
      ],
      series: [
        { name: 'articles published', type: 'bar', data: m.published, itemStyle: { color: '#5470c6' } },
        { name: 'fan growth between snapshots', type: 'line', yAxisIndex: 1, data: m.fanGrowth,
          itemStyle: { color: '#ee6666' }, showSymbol: m.months.length < 60 }
      ]
    };
  });

  R.mount('chart-intervals', function () {
    var b = d.intervals;
    if (!b.points.length) return R.noData('Needs at least two snapshots of a user');
    var note = b.total > b.points.length
      ? 'random sample of ' + fmt(b.points.length) + ' of ' + fmt(b.total) + ' intervals'
      : fmt(b.total) + ' intervals between snapshots';
    return {
      title: { text: note, textStyle: { fontSize: 11, color: '#666', fontWeight: 'normal' }, right: 10, top: 0 },
      grid: { left: 60, right: 30, top: 30, bottom: 50 },
      tooltip: { trigger: 'item', formatter: function (p) {
        return plain(p.value[2]) + '\npublished: ' + fmt(p.value[0]) + '\nfan growth: ' + fmt(p.value[1]);
      } },
      xAxis: { type: 'value', name: 'articles published in the interval', nameLocation: 'middle', nameGap: 28, minInterval: 1 },
      yAxis: { type: 'value', name: 'fan growth' },
      series: [{ type: 'scatter', symbolSize: 5, large: b.points.length > 2000,
        itemStyle: { opacity: 0.5, color: '#fc8452' }, data: b.points }]
    };
  });

  R.mount('chart-types', function () {
    if (!d.types.length) return R.noData('No articles');
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 70, right: 80, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: d.types.map(function (t) { return t.type; }) },
      yAxis: [{ type: 'value', name: 'views' }, { type: 'value', name: 'articles', splitLine: { show: false } }],
      series: [
        { name: 'views', type: 'bar', data: d.types.map(function (t) { return t.views; }), itemStyle: { color: '#91cc75' } },
        { name: 'articles', type: 'bar', yAxisIndex: 1, data: d.types.map(function (t) { return t.articles; }), itemStyle: { color: '#5470c6' } }
      ]
    };
  });

  R.mount('chart-top-users', function () {
    var rows = d.topUsers.filter(function (u) { return u.visits != null; }).slice(0, 20).reverse();
    if (!rows.length) return R.noData('No users with visit counts');
    return {
      grid: { left: 8, right: 60, top: 10, bottom: 20, containLabel: true },
      tooltip: { trigger: 'item', formatter: function (p) { return plain(p.name) + ': ' + fmt(p.value) + ' visits'; } },
      xAxis: { type: 'value' },
      yAxis: { type: 'category', data: rows.map(function (u) { return plain(u.username); }),
        axisLabel: { width: 160, overflow: 'truncate' } },
      series: [{ type: 'bar', data: rows.map(function (u) { return u.visits; }), itemStyle: { color: '#73c0de' } }]
    };
  });
})();
`}`;
