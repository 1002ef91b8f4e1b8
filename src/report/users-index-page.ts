import type { StoredUser } from '../core/result-store.js';
import { escapeHtml, finite } from './html-escape.js';
import { fmtNumber, pageParts } from './page-shell.js';

/** users.html is streamed: a header, one row per user in username order, a footer. */
export function usersIndexParts(reportTitle: string): [string, string] {
  const header = `<h1>All users</h1><p><a href="index.html">${escapeHtml(reportTitle)}</a></p>`;
  const [head, tail] = pageParts({ title: `All users · ${reportTitle}`, root: '', header });
  return [
    `${head}<section class="panel"><table id="users" class="users"><thead><tr><th>user</th><th>nickname</th><th>status</th><th class="num">articles</th><th class="num">fans</th><th class="num">visits</th><th class="num">rank</th></tr></thead><tbody>\n`,
    `</tbody></table></section>${tail}`,
  ];
}

export function usersIndexRow(user: StoredUser, file: string, articles: number): string {
  const p = user.profile;
  return `<tr><td><a href="users/${escapeHtml(file)}">${escapeHtml(user.username)}</a><td>${escapeHtml(p?.nickname ?? '')}<td class="status-${escapeHtml(user.status)}">${escapeHtml(user.status)}<td>${fmtNumber(articles)}<td>${fmtNumber(finite(p?.fansCount))}<td>${fmtNumber(finite(p?.viewCount))}<td>${fmtNumber(finite(p?.rank))}\n`;
}
