import { ArticleCollector } from './article-collector.js';
import type { BusinessListPage } from './parse-api.js';

/**
 * Every answer of a get-business-list walk, by page number, and what they say together.
 *
 * Pages read in parallel can be answered out of order. Articles published meanwhile push every
 * later item down by one, so a page answered after a publish starts one item earlier than the
 * same page answered before it: read in page order, such a shift repeats an item (harmless);
 * but a page answered after a publish followed by the next page answered before it leaves the
 * item between them unread. `total` tells the answers apart (it grows with each publish): a
 * page whose total is larger than the next page's is followed by a gap, which a fresh read of
 * that next page closes. The union of all reads, each page's freshest read first, is the list in
 * order, because new articles only ever enter at the head.
 */
export class ApiPageBook {
  private readonly reads = new Map<number, BusinessListPage[]>();
  private collector = new ArticleCollector();
  private rebuildNeeded = false;
  /** An item came back on two pages: the list shifted while it was walked. */
  repeated = false;

  /** Record a page read in order during the walk; returns how many of its articles were new. */
  add(page: number, answer: BusinessListPage): number {
    this.remember(page, answer);
    const added = this.collector.addPage(answer.articles);
    if (added < answer.articles.length) this.repeated = true;
    return added;
  }

  /** Record a fresh read of a page already read (a gap being closed); order is restored on read. */
  reread(page: number, answer: BusinessListPage): void {
    this.remember(page, answer);
    this.repeated = true;
    this.rebuildNeeded = true;
  }

  /** The first page (> 1) that may have an unread item before it: its predecessor is newer. */
  gapBefore(): number | undefined {
    const pages = [...this.reads.keys()].sort((a, b) => a - b);
    for (let i = 1; i < pages.length; i++) {
      const before = this.newestTotal(pages[i - 1]);
      const after = this.newestTotal(pages[i]);
      if (pages[i] === pages[i - 1] + 1 && before !== undefined && after !== undefined && before > after)
        return pages[i];
    }
    return undefined;
  }

  /** The totals the answers stated differ: something was published (or removed) during the walk. */
  totalsMoved(): boolean {
    const totals = new Set<number>();
    for (const answers of this.reads.values())
      for (const a of answers) if (a.total !== undefined) totals.add(a.total);
    return totals.size > 1;
  }

  /** The largest total any answer stated (the freshest count, drafts included). */
  maxTotal(): number | undefined {
    let max: number | undefined;
    for (const answers of this.reads.values())
      for (const a of answers) if (a.total !== undefined) max = Math.max(max ?? 0, a.total);
    return max;
  }

  /** The articles collected, in list order. */
  articles(): ArticleCollector {
    if (this.rebuildNeeded) {
      // Pages in order, each page's freshest read (the one shifted furthest) first.
      const collector = new ArticleCollector();
      for (const page of [...this.reads.keys()].sort((a, b) => a - b)) {
        const answers = [...(this.reads.get(page) ?? [])].sort((a, b) => (b.total ?? 0) - (a.total ?? 0));
        for (const answer of answers) collector.addPage(answer.articles);
        // counters: the freshest read has the last word (a repeat keeps the position, takes the values)
        if (answers.length > 1) collector.addPage(answers[0].articles);
      }
      this.collector = collector;
      this.rebuildNeeded = false;
    }
    return this.collector;
  }

  get size(): number {
    return this.articles().size;
  }

  private remember(page: number, answer: BusinessListPage): void {
    const list = this.reads.get(page);
    if (list) list.push(answer);
    else this.reads.set(page, [answer]);
  }

  private newestTotal(page: number): number | undefined {
    let newest: number | undefined;
    for (const a of this.reads.get(page) ?? [])
      if (a.total !== undefined) newest = Math.max(newest ?? 0, a.total);
    return newest;
  }
}

/** `read` for each page number, at most `fanOut` at a time, answers in the order asked. */
export async function readPages<T>(
  pages: number[],
  read: (page: number) => Promise<T>,
  fanOut: number,
): Promise<T[]> {
  const answers: T[] = new Array(pages.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    // after a failure the others stop taking pages: the walk fails (and is retried) as a whole
    while (next < pages.length && !failed) {
      const i = next++;
      try {
        answers[i] = await read(pages[i]);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(fanOut, pages.length) }, worker));
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
  return answers;
}
