import type { Article } from '../../core/model.js';

/**
 * Articles in list order, each once. New articles are listed first, so one published during a
 * walk shifts later pages by one: the shifted item is seen twice (kept once), and the new one
 * is caught by re-reading page 1, whose unseen items go to the head.
 */
export class ArticleCollector {
  private readonly byId = new Map<string, Article>();
  private head: Article[] = [];
  private readonly body: Article[] = [];

  get size(): number {
    return this.byId.size;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Add a page read during the walk; returns how many were new. */
  addPage(articles: readonly Article[]): number {
    let added = 0;
    for (const article of articles) {
      const seen = this.byId.get(article.articleId);
      if (seen) {
        // The later read is the fresher one; keep the counters current, not the position.
        Object.assign(seen, article);
        continue;
      }
      this.byId.set(article.articleId, article);
      this.body.push(article);
      added++;
    }
    return added;
  }

  /** Add a re-read of page 1: unseen items are newer than everything collected. */
  addHead(articles: readonly Article[]): number {
    const fresh = articles.filter((a) => !this.byId.has(a.articleId));
    for (const article of fresh) this.byId.set(article.articleId, article);
    this.head = [...fresh, ...this.head];
    return fresh.length;
  }

  list(): Article[] {
    return [...this.head, ...this.body];
  }
}

/**
 * Re-read the list from page 1 until a page holds an article already collected (the gap
 * between the new head and what we have is closed) or the list ends; the unseen ones go to
 * the head. Returns how many were new.
 */
export async function catchUpHead(
  collector: ArticleCollector,
  readPage: (page: number) => Promise<Article[]>,
  pageSize: number | undefined,
  maxPages: number,
): Promise<number> {
  return (await catchUpRound(collector, readPage, pageSize, maxPages)).added;
}

/**
 * catchUpHead, repeated while a round needed more than one page: such a round took long
 * enough for the head to move again (more new articles than a page holds were published
 * during the walk). Ends with a round that closes the gap on page 1. For readers that can
 * read any page at any time (HTTP); the browser walk reads by clicking onwards from page 1.
 */
export async function catchUpHeadSettled(
  collector: ArticleCollector,
  readPage: (page: number) => Promise<Article[]>,
  pageSize: number | undefined,
  maxPages: number,
): Promise<number> {
  let added = 0;
  let budget = maxPages;
  while (budget > 0) {
    const round = await catchUpRound(collector, readPage, pageSize, budget);
    added += round.added;
    budget -= round.pages;
    if (round.pages <= 1) break;
  }
  return added;
}

async function catchUpRound(
  collector: ArticleCollector,
  readPage: (page: number) => Promise<Article[]>,
  pageSize: number | undefined,
  maxPages: number,
): Promise<{ added: number; pages: number }> {
  const fresh = new Map<string, Article>();
  let pages = 0;
  for (let page = 1; page <= maxPages; page++) {
    const articles = await readPage(page);
    pages = page;
    const known = articles.some((a) => collector.has(a.articleId));
    for (const article of articles) {
      if (!collector.has(article.articleId) && !fresh.has(article.articleId))
        fresh.set(article.articleId, article);
    }
    if (known || articles.length === 0 || (pageSize !== undefined && articles.length < pageSize)) break;
  }
  return { added: collector.addHead([...fresh.values()]), pages };
}
