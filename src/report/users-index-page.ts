import type { StoredUser } from '../core/result-store.js';
import { escapeHtml, finite } from './html-escape.js';
import { fmtNumber, pageParts } from './page-shell.js';

/** Rows per block: each block is laid out only when scrolled near (content-visibility). */
export const USERS_PER_BLOCK = 250;
const BLOCK_OPEN = '<div class="block"><table class="users"><tbody>\n';
const BLOCK_CLOSE = '</tbody></table></div>\n';

/**
 * users.html is streamed: a header, one row per user in username order, a footer. Ten thousand
 * rows in one table take seconds to lay out, so rows come in fixed-layout blocks that the
 * browser skips until they scroll into view.
 */
export function usersIndexParts(reportTitle: string): [string, string] {
  const header = `<h1>All users</h1><p><a href="index.html">${escapeHtml(reportTitle)}</a></p>`;
  const [head, tail] = pageParts({ title: `All users · ${reportTitle}`, root: '', header });
  return [
    `${head}<section class="panel" id="users"><table class="users"><thead><tr><th>user</th><th>nickname</th><th>status</th><th>articles</th><th>fans</th><th>visits</th><th>rank</th></tr></thead></table>\n${BLOCK_OPEN}`,
    `${BLOCK_CLOSE}</section>${tail}`,
  ];
}

/** Written between rows `index - 1` and `index` (0-based). */
export function usersIndexSeparator(index: number): string {
  return index > 0 && index % USERS_PER_BLOCK === 0 ? `${BLOCK_CLOSE}${BLOCK_OPEN}` : '';
}

export function usersIndexRow(user: StoredUser, file: string, articles: number): string {
  const p = user.profile;
  return `<tr><td><a href="users/${escapeHtml(file)}">${escapeHtml(user.username)}</a><td>${escapeHtml(p?.nickname ?? '')}<td class="status-${escapeHtml(user.status)}">${escapeHtml(user.status)}<td>${fmtNumber(articles)}<td>${fmtNumber(finite(p?.fansCount))}<td>${fmtNumber(finite(p?.viewCount))}<td>${fmtNumber(finite(p?.rank))}\n`;
}
