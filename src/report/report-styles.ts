/** The report's stylesheet, written as report.css (inline styles would need 'unsafe-inline'). */
export const REPORT_CSS = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","PingFang SC","Microsoft YaHei",sans-serif;color:#222;background:#f5f6f8}
header{background:#1f2d3d;color:#fff;padding:16px 24px}
header h1{margin:0 0 4px;font-size:22px;word-break:break-word}
header p{margin:0;color:#c9d3de}
header a{color:#9ecbff}
main{padding:16px 24px;max-width:1400px;margin:0 auto}
nav.crumbs{margin-bottom:8px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:12px;margin-bottom:16px}
.card{background:#fff;border-radius:6px;padding:12px 14px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.card .label{color:#667;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .value{font-size:22px;font-weight:600;font-variant-numeric:tabular-nums}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:16px}
section.panel{background:#fff;border-radius:6px;padding:12px 14px;box-shadow:0 1px 2px rgba(0,0,0,.08);margin-bottom:16px;min-width:0}
section.panel h2{font-size:16px;margin:0 0 2px}
section.panel p.note{margin:0 0 6px;color:#667;font-size:12px}
.chart{width:100%;height:340px}
.chart.tall{height:420px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eceef1;vertical-align:top}
th{background:#fafbfc;position:sticky;top:0}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.title,table.articles td:nth-child(2){word-break:break-word;max-width:560px}
table.articles td:nth-child(n+4),table.users td:nth-child(n+4){text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.table-wrap{max-height:560px;overflow:auto}
dl.profile{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:8px 16px;margin:0}
dl.profile div{background:#fafbfc;border-radius:4px;padding:6px 10px}
dl.profile dt{color:#667;font-size:12px}
dl.profile dd{margin:0;font-size:18px;font-weight:600;font-variant-numeric:tabular-nums;word-break:break-word}
ul.links{columns:4 180px;padding-left:18px;margin:0}
ul.links li{word-break:break-all}
.status-done{color:#2a7d4f}.status-notfound{color:#a07800}.status-failed{color:#c0392b}
.muted{color:#889}
table.users{table-layout:fixed}
table.users th:nth-child(n+4){text-align:right}
table.users td:nth-child(1),table.users th:nth-child(1){width:26%;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
table.users td:nth-child(2),table.users th:nth-child(2){width:26%;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
table.users td:nth-child(3),table.users th:nth-child(3){width:10%}
.block{content-visibility:auto;contain-intrinsic-size:auto 6500px}
`;
