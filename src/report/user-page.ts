import type { ProfileSnapshot, StoredArticle } from '../core/result-store.js';
import { escapeHtml, finite, safeHttpUrl } from './html-escape.js';
import { chartPanel, fmtNumber, pageShell } from './page-shell.js';
import { formatUtc } from './report-time.js';
import { safeUserFileName } from './safe-file-name.js';
import { articleTypeKey, SNAPSHOT_FIELDS, type UserSummary, VIEW_BUCKETS } from './user-summary.js';

/** Rows beyond these are counted, not listed: keeps a prolific user's page quick to open. */
export const MAX_ARTICLE_ROWS = 2000;
export const MAX_LINKS = 1000;

export const USER_CHART_IDS = [
  'chart-counters',
  'chart-article-counters',
  'chart-rank',
  'chart-articles',
  'chart-views',
  'chart-types',
] as const;

const PROFILE_FIELDS: [keyof ProfileSnapshot, string][] = [
  ['fansCount', 'fans'],
  ['followCount', 'follows'],
  ['viewCount', 'total visits'],
  ['articleCount', 'articles (site count)'],
  ['originalCount', 'original articles'],
  ['rank', 'rank'],
  ['level', 'level'],
  ['points', 'points'],
  ['likeCount', 'likes received'],
  ['commentCount', 'comments received'],
  ['favouriteCount', 'favourites received'],
];

export interface UserPageInput {
  summary: UserSummary;
  articles: StoredArticle[];
  snapshots: ProfileSnapshot[];
  edges: { follows: string[]; fans: string[] };
  /** [crawledAt, views, comments, likes, favourites] summed over the listed articles, per crawl time. */
  articleSeries?: number[][];
  /** True when the report has a page for that username (links are made only to those). */
  hasPage: (username: string) => boolean;
  reportTitle: string;
}

export function renderUserPage(input: UserPageInput): string {
  const { summary, articles, snapshots, edges } = input;
  const user = summary.user;
  const profile = user.profile ?? snapshots.at(-1);
  const name = escapeHtml(user.username);
  const nickname = profile?.nickname ? ` <span class="muted">(${escapeHtml(profile.nickname)})</span>` : '';
  const blogUrl = safeHttpUrl(profile?.blogUrl);
  const header = `<h1>${name}${nickname}</h1><p><a href="../index.html">${escapeHtml(input.reportTitle)}</a> · <a href="../users.html">all users</a>${blogUrl ? ` · <a href="${escapeHtml(blogUrl)}" rel="noopener noreferrer" target="_blank">blog</a>` : ''}</p>`;

  const status = `<p>Status: <strong class="status-${escapeHtml(user.status)}" id="user-status">${escapeHtml(user.status)}</strong>${user.reason ? ` — <span id="user-reason">${escapeHtml(user.reason)}</span>` : ''} · last crawled ${escapeHtml(formatUtc(user.lastCrawledAt))} UTC${lastGood(user)} · ${fmtNumber(snapshots.length)} snapshot(s)${user.source ? ` · source ${escapeHtml(user.source)}` : ''}</p>`;

  const parts = [`<section class="panel"><h2>Profile</h2>${status}${profileList(profile)}</section>`];
  if (user.status === 'done' || articles.length || snapshots.length) {
    parts.push(
      '<div class="grid">',
      chartPanel(
        'chart-counters',
        'Profile counters over time',
        'Fans, follows and article counts (left axis), total visits (right axis), one point per crawl.',
      ),
      chartPanel(
        'chart-article-counters',
        'Article counters over time',
        'Views (right axis), comments, likes and favourites (left axis) summed over the listed articles, from the stored history (a point per crawl that changed something).',
      ),
      chartPanel(
        'chart-rank',
        'Rank and points over time',
        'Rank on the left (1 is the top, so the axis is inverted), points on the right.',
      ),
      chartPanel(
        'chart-articles',
        'Articles over time',
        'Articles published per month (bars) and in total (line), by post time.',
      ),
      chartPanel('chart-views', 'Views distribution', 'Number of articles per range of views.'),
      chartPanel('chart-types', 'Article types', 'Stored articles by type.'),
      '</div>',
      linksPanel('Follows', 'follows', edges.follows, input.hasPage),
      linksPanel('Fans', 'fans', edges.fans, input.hasPage),
      articlesPanel(articles, summary.totalViews),
    );
  }

  const data = {
    ...summary.chart,
    fields: SNAPSHOT_FIELDS,
    bucketLabels: VIEW_BUCKETS,
    articleSeries: input.articleSeries ?? [],
  };
  return pageShell({
    title: `${user.username} · ${input.reportTitle}`,
    root: '../',
    header,
    body: parts.join('\n'),
    data,
    script: 'report-user.js',
  });
}

function profileList(profile: ProfileSnapshot | UserSummary['user']['profile']): string {
  if (!profile) return '<p class="muted">No profile was stored for this user.</p>';
  const items = PROFILE_FIELDS.filter(
    ([key]) => finite(profile[key as keyof typeof profile]) !== undefined,
  ).map(
    ([key, label]) =>
      `<div><dt>${escapeHtml(label)}</dt><dd data-field="${escapeHtml(key)}" data-value="${finite(profile[key as keyof typeof profile])}">${fmtNumber(finite(profile[key as keyof typeof profile]))}</dd></div>`,
  );
  if (profile.registrationTime) {
    items.push(
      `<div><dt>registered</dt><dd data-field="registrationTime">${escapeHtml(profile.registrationTime)}</dd></div>`,
    );
  }
  return `<dl class="profile" id="profile">${items.join('')}</dl>`;
}

function linksPanel(
  title: string,
  id: string,
  names: string[],
  hasPage: (username: string) => boolean,
): string {
  if (!names.length) {
    return `<section class="panel"><h2>${title}</h2><p class="muted">None stored.</p></section>`;
  }
  const shown = names.slice(0, MAX_LINKS).map((n) => {
    const label = escapeHtml(n);
    return hasPage(n)
      ? `<li><a href="${escapeHtml(safeUserFileName(n))}">${label}</a></li>`
      : `<li><span class="muted">${label}</span></li>`;
  });
  const more =
    names.length > MAX_LINKS ? `<p class="muted">and ${fmtNumber(names.length - MAX_LINKS)} more</p>` : '';
  return `<section class="panel"><h2>${title} (${fmtNumber(names.length)})</h2><p class="note">Linked when the report has a page for that user.</p><ul class="links" id="${id}">${shown.join('')}</ul>${more}</section>`;
}

function articlesPanel(articles: StoredArticle[], totalViews: number): string {
  if (!articles.length) {
    return '<section class="panel"><h2>Articles</h2><p class="muted">No articles stored.</p></section>';
  }
  // The biggest part of the report: rows omit optional end tags and classes (CSS aligns columns),
  // and links need no target/rel (the page's referrer policy already withholds the referrer).
  const rows = articles.slice(0, MAX_ARTICLE_ROWS).map((a) => {
    const url = safeHttpUrl(a.url);
    const title = url ? `<a href="${escapeHtml(url)}">${escapeHtml(a.title)}</a>` : escapeHtml(a.title);
    return `<tr><td>${escapeHtml(a.postTime)}<td>${title}<td>${articleTypeKey(a.type)}<td>${fmtNumber(finite(a.viewCount) ?? 0)}<td>${fmtNumber(finite(a.commentCount) ?? 0)}<td>${fmtNumber(finite(a.diggCount))}<td>${fmtNumber(finite(a.collectCount))}`;
  });
  const more =
    articles.length > MAX_ARTICLE_ROWS
      ? `<p class="muted">The newest ${fmtNumber(MAX_ARTICLE_ROWS)} are listed; ${fmtNumber(articles.length - MAX_ARTICLE_ROWS)} older ones are counted in the charts.</p>`
      : '';
  return `<section class="panel"><h2>Articles (<span id="article-count">${fmtNumber(articles.length)}</span>, <span id="article-views">${fmtNumber(totalViews)}</span> views)</h2>${more}<div class="table-wrap"><table id="articles" class="articles"><thead><tr><th>posted</th><th>title</th><th>type</th><th class="num">views</th><th class="num">comments</th><th class="num">likes</th><th class="num">favourites</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table></div></section>`;
}

/** After a failed recrawl: when the data shown (profile, articles) was last crawled successfully. */
function lastGood(user: UserPageInput['summary']['user']): string {
  if (user.status === 'done' || user.lastGoodCrawledAt === undefined) return '';
  return ` · <span id="user-last-good">showing the last good crawl of ${escapeHtml(formatUtc(user.lastGoodCrawledAt))} UTC</span>`;
}
