import type { GrowthOverview } from './history-growth.js';
import { escapeHtml } from './html-escape.js';
import { fmtNumber } from './page-shell.js';
import { formatUtc } from './report-time.js';

function windowText(g: GrowthOverview): string {
  const { from, to } = g.window;
  const start = from === undefined ? 'the first crawl' : `${formatUtc(from)} UTC`;
  const end = to === undefined ? 'the latest crawl' : `${formatUtc(to)} UTC`;
  return `From ${start} to ${end}: the value in force at the end minus the one at the start.`;
}

/** The overview's fastest-growing users and articles, from the stored series. */
export function growthPanels(g: GrowthOverview): string {
  const note = escapeHtml(windowText(g));
  const users = g.users.length
    ? `<table id="growth-users"><thead><tr><th class="num">#</th><th>user</th><th class="num">visits gained</th><th class="num">fans gained</th></tr></thead><tbody>
${g.users
  .map(
    (u, i) =>
      `<tr><td class="num">${i + 1}</td><td><a href="users/${escapeHtml(u.file)}">${escapeHtml(u.username)}</a></td><td class="num">${fmtNumber(u.visitsGained)}</td><td class="num">${fmtNumber(u.fansGained)}</td></tr>`,
  )
  .join('\n')}
</tbody></table>`
    : '<p class="muted">No user grew in this window (one crawl per user is not a series yet).</p>';
  const articles = g.articles.length
    ? `<table id="growth-articles"><thead><tr><th class="num">#</th><th>title</th><th>user</th><th class="num">views gained</th></tr></thead><tbody>
${g.articles
  .map((a, i) => {
    const title = a.url
      ? `<a href="${escapeHtml(a.url)}" rel="noopener noreferrer" target="_blank">${escapeHtml(a.title)}</a>`
      : escapeHtml(a.title);
    return `<tr><td class="num">${i + 1}</td><td class="title">${title}</td><td><a href="users/${escapeHtml(a.file)}">${escapeHtml(a.username)}</a></td><td class="num">${fmtNumber(a.viewsGained)}</td></tr>`;
  })
  .join('\n')}
</tbody></table>`
    : '<p class="muted">No article grew in this window.</p>';
  return `<section class="panel"><h2>Fastest-growing users</h2><p class="note">By total visits gained. ${note}</p><div class="table-wrap">${users}</div></section>
<section class="panel"><h2>Fastest-growing articles</h2><p class="note">By views gained. ${note}</p><div class="table-wrap">${articles}</div></section>`;
}
