import { type FollowGraphOverview, followGraphPanel } from './follow-graph-overview.js';
import { growthPanels } from './growth-panels.js';
import type { GrowthOverview } from './history-growth.js';
import { escapeHtml } from './html-escape.js';
import type { OverviewData } from './overview-aggregator.js';
import { chartPanel, fmtNumber, pageShell } from './page-shell.js';
import { formatUtc } from './report-time.js';

export const OVERVIEW_CHART_IDS = [
  'chart-coverage',
  'chart-reasons',
  'chart-rank',
  'chart-visits',
  'chart-monthly',
  'chart-intervals',
  'chart-types',
  'chart-top-users',
] as const;

export function renderOverviewPage(
  d: OverviewData,
  graph: FollowGraphOverview,
  growth?: GrowthOverview,
): string {
  const c = d.counts;
  const cards = [
    ['users', c.users],
    ['done', c.done],
    ['not found', c.notfound],
    ['failed', c.failed],
    ['articles', c.articles],
    ['profile snapshots', c.snapshots],
    ['follow links', c.edges],
  ]
    .map(
      ([label, value]) =>
        `<div class="card" data-count="${escapeHtml(label)}"><div class="label">${escapeHtml(label)}</div><div class="value">${fmtNumber(value as number)}</div></div>`,
    )
    .join('');

  const header = `<h1>${escapeHtml(d.title)}</h1><p>Generated ${escapeHtml(formatUtc(d.generatedAt))} UTC · <a href="users.html">all ${fmtNumber(c.users)} users</a></p>`;
  const body = `
<div class="cards">${cards}</div>
<div class="grid">
${chartPanel('chart-coverage', 'Crawl coverage', 'Final outcome of every user in the result store.')}
${chartPanel('chart-reasons', 'Failure reasons', 'Failed users by recorded reason.')}
${chartPanel('chart-rank', 'Articles against rank', 'Stored articles per user against the site rank (log axes; users with zero values left out).')}
${chartPanel('chart-visits', 'Articles against total visits', 'Stored articles per user against total blog visits (log axes).')}
</div>
${chartPanel('chart-monthly', 'Articles published per month and fan growth', 'Bars: articles published (post time, China time). Line: sum of fan count changes between consecutive profile snapshots, by the month of the later snapshot.', true)}
<div class="grid">
${chartPanel('chart-intervals', 'Publishing against fan growth', 'One point per pair of consecutive snapshots of a user: articles published between them against the change in fans.')}
${chartPanel('chart-types', 'Views by article type', 'Total views and number of articles per article type.')}
</div>
${chartPanel('chart-top-users', 'Top users by total visits', 'The 20 users with the most visits in their latest snapshot.', true)}
<section class="panel"><h2>Top users</h2><p class="note">By total visits, latest snapshot.</p><div class="table-wrap">${topUsersTable(d)}</div></section>
${growth ? growthPanels(growth) : ''}
${followGraphPanel(graph)}
<section class="panel"><h2>Top articles</h2><p class="note">By views, across all users.</p><div class="table-wrap">${topArticlesTable(d)}</div></section>`;

  // The tables are rendered here; the script needs only what the charts draw.
  const { topArticles: _omit, ...chartData } = d;
  chartData.topUsers = d.topUsers.slice(0, 20);
  return pageShell({ title: d.title, root: '', header, body, data: chartData, script: 'report-overview.js' });
}

function topUsersTable(d: OverviewData): string {
  if (!d.topUsers.length) return '<p class="muted">No crawled users yet.</p>';
  const rows = d.topUsers
    .map(
      (u, i) =>
        `<tr><td class="num">${i + 1}</td><td><a href="users/${escapeHtml(u.file)}">${escapeHtml(u.username)}</a></td><td>${escapeHtml(u.nickname)}</td><td class="num">${fmtNumber(u.visits)}</td><td class="num">${fmtNumber(u.fans)}</td><td class="num">${fmtNumber(u.articles)}</td><td class="num">${fmtNumber(u.rank)}</td></tr>`,
    )
    .join('\n');
  return `<table id="top-users"><thead><tr><th class="num">#</th><th>user</th><th>nickname</th><th class="num">visits</th><th class="num">fans</th><th class="num">articles</th><th class="num">rank</th></tr></thead><tbody>
${rows}
</tbody></table>`;
}

function topArticlesTable(d: OverviewData): string {
  if (!d.topArticles.length) return '<p class="muted">No articles yet.</p>';
  const rows = d.topArticles
    .map((a, i) => {
      const title = a.url
        ? `<a href="${escapeHtml(a.url)}" rel="noopener noreferrer" target="_blank">${escapeHtml(a.title)}</a>`
        : escapeHtml(a.title);
      return `<tr><td class="num">${i + 1}</td><td class="title">${title}</td><td><a href="users/${escapeHtml(a.file)}">${escapeHtml(a.username)}</a></td><td class="num">${fmtNumber(a.views)}</td><td class="num">${fmtNumber(a.comments)}</td><td>${escapeHtml(a.type)}</td><td>${escapeHtml(a.postTime)}</td></tr>`;
    })
    .join('\n');
  return `<table id="top-articles"><thead><tr><th class="num">#</th><th>title</th><th>user</th><th class="num">views</th><th class="num">comments</th><th>type</th><th>posted</th></tr></thead><tbody>
${rows}
</tbody></table>`;
}
