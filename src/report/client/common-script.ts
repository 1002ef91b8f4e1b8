/**
 * Browser code shared by every page, shipped as a same-directory .js file (the CSP allows only
 * 'self' scripts). Plain ES2017 in a string so that bundlers leave it exactly as written.
 *
 * Safety: data is read with JSON.parse from a non-executable JSON block; all chart text goes
 * through ECharts' canvas text (tooltips use renderMode 'richText', never HTML), and crawled
 * strings are stripped of the rich-text markup characters `{ } |` before they reach a label.
 */
export const COMMON_SCRIPT = String.raw`
'use strict';
var REPORT = (function () {
  var node = document.getElementById('report-data');
  var data = JSON.parse(node ? node.textContent : 'null');
  var charts = [];
  function plain(s) {
    return String(s == null ? '' : s).replace(/[{}|\u0000-\u001f\u2028\u2029]/g, ' ').slice(0, 80);
  }
  function fmt(n) {
    return n == null || !isFinite(n) ? '–' : Number(n).toLocaleString('en-US');
  }
  function noData(text) {
    return {
      title: {
        text: text || 'No data',
        left: 'center',
        top: 'middle',
        textStyle: { color: '#888', fontSize: 14, fontWeight: 'normal' }
      }
    };
  }
  function mount(id, build) {
    var el = document.getElementById(id);
    if (!el) return;
    var option;
    try {
      option = build();
    } catch (e) {
      option = noData('Chart failed: ' + plain(e && e.message));
    }
    var chart = echarts.init(el, null, { renderer: 'canvas' });
    option.animation = false;
    option.tooltip = Object.assign({ renderMode: 'richText', confine: true }, option.tooltip || {});
    chart.on('finished', function () {
      el.setAttribute('data-rendered', 'true');
    });
    chart.setOption(option);
    charts.push(chart);
  }
  window.addEventListener('resize', function () {
    charts.forEach(function (c) { c.resize(); });
  });
  var palette = ['#5470c6', '#91cc75', '#fac858', '#ee6666', '#73c0de', '#3ba272', '#fc8452', '#9a60b4'];
  return { data: data, plain: plain, fmt: fmt, noData: noData, mount: mount, palette: palette, charts: charts };
})();
`;
