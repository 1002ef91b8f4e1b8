import { escapeHtml } from './html-escape.js';
import { fmtNumber } from './page-shell.js';
import { safeUserFileName } from './safe-file-name.js';
import { TopK } from './top-k.js';

const TOP_N = 20;

export interface FollowedRow {
  username: string;
  file: string;
  /** Crawled users who follow this user (edges between two crawled users). */
  followersInCrawl: number;
  /** Every stored fan of this user (the fans list may be capped at crawl time). */
  fansStored: number;
  /** Stored follows of this user. */
  followsStored: number;
}

export interface FollowGraphOverview {
  /** Every follow edge in the store. */
  edges: number;
  /** Edges whose two ends are both crawled users. */
  edgesInCrawl: number;
  /** Crawled users with at least one stored edge. */
  usersWithEdges: number;
  /** Users crawled successfully with no stored edge (lists off, empty, or not readable). */
  usersWithoutEdges: number;
  /** The most followed users within the crawl, most first. */
  topFollowed: FollowedRow[];
}

/**
 * Folds each crawled user's stored edges into the overview's follow graph section: memory stays
 * bounded by the top list, whatever the number of users and edges.
 */
export class FollowGraphAggregator {
  private edgesInCrawl = 0;
  private usersWithEdges = 0;
  private usersWithoutEdges = 0;
  private readonly top = new TopK<FollowedRow>(TOP_N);

  constructor(private readonly crawled: (username: string) => boolean) {}

  /** `done`: the user was crawled successfully (not found and failed users have no lists). */
  addUser(username: string, done: boolean, edges: { follows: string[]; fans: string[] }): void {
    if (edges.follows.length + edges.fans.length === 0) {
      if (done) this.usersWithoutEdges++;
      return;
    }
    this.usersWithEdges++;
    // Counted on the follower's side only, so each edge inside the crawl counts once.
    this.edgesInCrawl += edges.follows.filter(this.crawled).length;
    const followersInCrawl = edges.fans.filter(this.crawled).length;
    if (followersInCrawl === 0) return;
    // Ties: more stored fans first; the fraction keeps the key below the next whole count.
    const key = followersInCrawl + edges.fans.length / (edges.fans.length + 1);
    this.top.push(key, () => ({
      username,
      file: safeUserFileName(username),
      followersInCrawl,
      fansStored: edges.fans.length,
      followsStored: edges.follows.length,
    }));
  }

  result(edges: number): FollowGraphOverview {
    return {
      edges,
      edgesInCrawl: this.edgesInCrawl,
      usersWithEdges: this.usersWithEdges,
      usersWithoutEdges: this.usersWithoutEdges,
      topFollowed: this.top.sorted(),
    };
  }
}

/** The overview's follow graph panel: figures and the most followed users within the crawl. */
export function followGraphPanel(g: FollowGraphOverview): string {
  const figures = [
    ['follow edges', g.edges, 'edges'],
    ['edges between crawled users', g.edgesInCrawl, 'edges-in-crawl'],
    ['crawled users with edges', g.usersWithEdges, 'users-with-edges'],
    ['crawled users without edges', g.usersWithoutEdges, 'users-without-edges'],
  ] as const;
  const list = figures
    .map(
      ([label, value, key]) =>
        `<div><dt>${escapeHtml(label)}</dt><dd data-graph="${key}" data-value="${value}">${fmtNumber(value)}</dd></div>`,
    )
    .join('');
  const table = g.topFollowed.length
    ? `<table id="top-followed"><thead><tr><th class="num">#</th><th>user</th><th class="num">followed by crawled users</th><th class="num">fans stored</th><th class="num">follows stored</th></tr></thead><tbody>
${g.topFollowed
  .map(
    (r, i) =>
      `<tr><td class="num">${i + 1}</td><td><a href="users/${escapeHtml(r.file)}">${escapeHtml(r.username)}</a></td><td class="num">${fmtNumber(r.followersInCrawl)}</td><td class="num">${fmtNumber(r.fansStored)}</td><td class="num">${fmtNumber(r.followsStored)}</td></tr>`,
  )
  .join('\n')}
</tbody></table>`
    : '<p class="muted">No crawled user follows another crawled user.</p>';
  return `<section class="panel" id="follow-graph"><h2>Follow graph</h2><p class="note">Edges stored from follows and fans lists (fans lists are capped by <code>graph.maxFans</code>). Most followed users within the crawl: by the number of crawled users following them.</p><dl class="profile">${list}</dl><div class="table-wrap">${table}</div></section>`;
}
