import type { FollowEdge, ResultStore } from '../core/result-store.js';
import { csvRow, UTF8_BOM } from './csv.js';

/** The edge list's columns: a follower follows a followee, first seen by a crawl at that time. */
const EDGE_COLUMNS = ['follower', 'followee', 'firstSeen'] as const;

/**
 * Every stored follow edge, once, in (follower, followee) order. A store without
 * `iterateEdges` is read user by user: each user's follows, and the fans no other user's
 * follows would name (fans who were not crawled themselves).
 */
async function* allEdges(
  results: ResultStore,
): AsyncIterable<Omit<FollowEdge, 'firstSeen'> & { firstSeen?: number }> {
  if (results.iterateEdges) {
    yield* results.iterateEdges();
    return;
  }
  const crawled = new Set<string>();
  for await (const user of results.iterateUsers()) crawled.add(user.username);
  for (const username of crawled) {
    const { follows, fans } = await results.getEdges(username);
    for (const followee of follows) yield { follower: username, followee };
    for (const fan of fans) if (!crawled.has(fan)) yield { follower: fan, followee: username };
  }
}

/** The edge CSV's first line, UTF-8 BOM included. */
export const EDGE_CSV_HEADER = UTF8_BOM + csvRow(EDGE_COLUMNS);

/**
 * The follow graph as CSV rows, one per edge, ready for a spreadsheet, pandas, networkx or
 * Gephi (follower = source, followee = target).
 */
export async function* edgeCsvRows(results: ResultStore): AsyncIterable<string> {
  for await (const edge of allEdges(results)) {
    const firstSeen = edge.firstSeen === undefined ? '' : new Date(edge.firstSeen).toISOString();
    yield csvRow([edge.follower, edge.followee, firstSeen]);
  }
}
