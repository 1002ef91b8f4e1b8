import type { PoolClient } from 'pg';
import type { UserResult } from '../core/model.js';
import { uniqueNames } from './result-rows.js';

/**
 * The follow edges of one crawled user, inside its transaction. A complete list replaces the
 * stored one (edges the user no longer has go); a capped or partial list only adds, as the names
 * beyond the cap are unknown. `newest` is false when a later crawl of the user is stored already:
 * its lists stay authoritative. `s` is the quoted schema name.
 */
export async function writeEdges(
  client: PoolClient,
  s: string,
  result: UserResult,
  crawledAt: number,
  newest: boolean,
): Promise<void> {
  const username = result.username;
  const follows = uniqueNames(result.follows, username);
  const fans = uniqueNames(result.fans, username);
  if (newest && result.follows && result.followsComplete) {
    await client.query(
      `DELETE FROM ${s}.follow_edges WHERE follower = $1 AND NOT (followee = ANY($2::text[]))`,
      [username, follows],
    );
  }
  if (newest && result.fans && result.fansComplete) {
    await client.query(
      `DELETE FROM ${s}.follow_edges WHERE followee = $1 AND NOT (follower = ANY($2::text[]))`,
      [username, fans],
    );
  }
  // In key order, so concurrent writers take row locks in the same order and cannot deadlock.
  const edges = [
    ...follows.map((followee) => [username, followee]),
    ...fans.map((fan) => [fan, username]),
  ].sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1));
  if (edges.length === 0) return;
  await client.query(
    `INSERT INTO ${s}.follow_edges (follower, followee, first_seen)
     SELECT f, t, $3 FROM unnest($1::text[], $2::text[]) AS e(f, t) ON CONFLICT DO NOTHING`,
    [edges.map((e) => e[0]), edges.map((e) => e[1]), crawledAt],
  );
}
