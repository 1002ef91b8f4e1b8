import { COMMON_SCRIPT } from './common-script.js';

/** Draws a user's charts from the compact JSON written by user-page.ts. */
export const USER_SCRIPT = `${COMMON_SCRIPT}
${`
(function () {
  var R = REPORT, d = R.data, fmt = R.fmt;
  if (!d) return;
  var F = d.fields, snaps = d.snapshots;
  function col(name) {
    var i = F.indexOf(name) + 1;
    return snaps.map(function (row) { return [row[0], row[i]]; });
  }
  function has(name) {
    var i = F.indexOf(name) + 1;
    return snaps.some(function (row) { return row[i] != null; });
  }
  function timeChart(left, right) {
    var series = [];
    left.concat(right).forEach(function (s, k) {
      if (!has(s.field)) return;
      series.push({ name: s.label, type: 'line', data: col(s.field), yAxisIndex: k < left.length ? 0 : 1,
        showSymbol: snaps.length < 40, connectNulls: true, itemStyle: { color: R.palette[k % R.palette.length] } });
    });
    if (!series.length) return R.noData('No profile snapshots');
    return twoAxes(series, left[0].inverse);
  }
  // A time axis with a left and a right value axis (rank counts down: inverse).
  function twoAxes(series, inverse) {
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 70, right: 80, top: 40, bottom: 40 },
      xAxis: { type: 'time' },
      yAxis: [
        { type: 'value', scale: true, minInterval: 1, inverse: !!inverse, name: inverse ? 'rank (1 = top)' : '' },
        { type: 'value', scale: true, minInterval: 1, splitLine: { show: false } }
      ],
      series: series
    };
  }

  R.mount('chart-counters', function () {
    return timeChart(
      [{ field: 'fansCount', label: 'fans' }, { field: 'followCount', label: 'follows' },
       { field: 'articleCount', label: 'articles' }, { field: 'originalCount', label: 'original' }],
      [{ field: 'viewCount', label: 'total visits' }]
    );
  });
  R.mount('chart-article-counters', function () {
    var rows = d.articleSeries;
    if (!rows.length) return R.noData('No article history');
    var names = ['views', 'comments', 'likes', 'favourites'];
    return twoAxes(names.map(function (name, k) {
      return { name: name, type: 'line', step: 'end', yAxisIndex: k === 0 ? 1 : 0, showSymbol: rows.length < 40,
        data: rows.map(function (row) { return [row[0], row[k + 1]]; }),
        itemStyle: { color: R.palette[k % R.palette.length] } };
    }), false);
  });
  R.mount('chart-rank', function () {
    return timeChart([{ field: 'rank', label: 'rank', inverse: true }], [{ field: 'points', label: 'points' }]);
  });

  R.mount('chart-articles', function () {
    if (!d.months.length) return R.noData('No dated articles');
    var total = 0;
    var cumulative = d.published.map(function (n) { total += n; return total; });
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 60, right: 70, top: 40, bottom: 70 },
      dataZoom: [{ type: 'slider', bottom: 10 }, { type: 'inside' }],
      xAxis: { type: 'category', data: d.months },
      yAxis: [{ type: 'value', name: 'per month', minInterval: 1 }, { type: 'value', name: 'total', splitLine: { show: false } }],
      series: [
        { name: 'published per month', type: 'bar', data: d.published, itemStyle: { color: '#5470c6' } },
        { name: 'articles in total', type: 'line', yAxisIndex: 1, data: cumulative, showSymbol: false, itemStyle: { color: '#3ba272' } }
      ]
    };
  });

  R.mount('chart-views', function () {
    var total = d.viewBuckets.reduce(function (a, b) { return a + b; }, 0);
    if (!total) return R.noData('No articles');
    return {
      tooltip: { trigger: 'axis' },
      grid: { left: 60, right: 30, top: 20, bottom: 50 },
      xAxis: { type: 'category', data: d.bucketLabels, name: 'views per article', nameLocation: 'middle', nameGap: 30 },
      yAxis: { type: 'value', name: 'articles', minInterval: 1 },
      series: [{ name: 'articles', type: 'bar', data: d.viewBuckets, itemStyle: { color: '#91cc75' },
        label: { show: true, position: 'top' } }]
    };
  });

  R.mount('chart-types', function () {
    var keys = Object.keys(d.types);
    if (!keys.length) return R.noData('No articles');
    return {
      tooltip: { trigger: 'item', formatter: function (p) { return p.name + ': ' + fmt(p.value) + ' (' + p.percent + '%)'; } },
      legend: { bottom: 0 },
      series: [{ type: 'pie', radius: ['35%', '65%'],
        data: keys.map(function (k) { return { name: k, value: d.types[k] }; }) }]
    };
  });
})();
`}`;
