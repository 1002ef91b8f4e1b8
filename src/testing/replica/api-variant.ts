import type { UserTruth } from './population.js';

/**
 * The shapes in which public captures saw the real API, so a crawler can be tested against
 * each reading. The default is the reference's documented shape.
 */
export interface ApiVariant {
  /**
   * get-business-list serves this many items per page whatever `size` asks (page n holds items
   * (n-1)*cap .. n*cap-1), as one 2026 source says the real site does with 20. Default: none
   * (`size` honoured up to 100).
   */
  businessListPageCap?: number;
  /** Items of get-business-list have no `collectCount` (2021 and 2023 captures). */
  omitCollectCount: boolean;
  /** get-business-list's `data` has no `total` (some captures). */
  omitTotal: boolean;
  /**
   * Which fans/follows API answers: `v1` (`size`, `page`), `v2` (`pageSize`, cursor `id`) or
   * both. A retired v1 answers HTTP 200 with an envelope error; a retired v2 answers HTTP 404.
   */
  fansApi: 'v1' | 'v2' | 'both';
  /** achievementList words in `title` (today's replica) or in `template` (two public crawlers). */
  achievements: 'title' | 'template';
}

export const DEFAULT_API_VARIANT: ApiVariant = {
  omitCollectCount: false,
  omitTotal: false,
  fansApi: 'both',
  achievements: 'title',
};

export function resolveApiVariant(partial: Partial<ApiVariant> = {}): ApiVariant {
  const variant = { ...DEFAULT_API_VARIANT, ...partial };
  const cap = variant.businessListPageCap;
  if (cap !== undefined && (!Number.isInteger(cap) || cap < 1)) {
    throw new Error(`apiVariant.businessListPageCap must be a positive integer, got ${cap}`);
  }
  return variant;
}

/** Whether this list API version answers (else the retired answer is served). */
export function servesListApi(variant: ApiVariant, version: 1 | 2): boolean {
  return variant.fansApi === 'both' || variant.fansApi === `v${version}`;
}

/** A retired list API: v1 answers HTTP 200 with the envelope's error, v2 the site's 404 page. */
export function retiredListReply(
  version: 1 | 2 | undefined,
  notFoundHtml: string,
): { status: number; type: 'html' | 'json'; body: string } {
  if (version === 2) return { status: 404, type: 'html', body: notFoundHtml };
  return {
    status: 200,
    type: 'json',
    body: JSON.stringify({ code: 400, message: '接口已下线', data: null }),
  };
}

/** Offset and length of get-business-list page `page` as the variant serves it. */
export function businessListWindow(variant: ApiVariant, page: number, size: number): [number, number] {
  const served = variant.businessListPageCap ?? size;
  return [(page - 1) * served, served];
}

/** Drop the fields the variant does not serve from a get-business-list `data` object and its items. */
export function shapeBusinessListData(
  variant: ApiVariant,
  data: Record<string, unknown>,
): Record<string, unknown> {
  if (variant.omitTotal) delete data.total;
  if (variant.omitCollectCount && Array.isArray(data.list)) {
    for (const item of data.list as Record<string, unknown>[]) delete item.collectCount;
  }
  return data;
}

/** The truth as this variant lets a crawler see it: no collectCount when the API omits it. */
export function variantTruth(variant: ApiVariant, truth: UserTruth | undefined): UserTruth | undefined {
  if (!truth || !variant.omitCollectCount) return truth;
  return {
    ...truth,
    articles: truth.articles.map(({ collectCount: _omitted, ...article }) => article),
  };
}

/** One achievementList entry in the variant's reading. */
export function achievementEntry(
  variant: ApiVariant,
  icon: string,
  words: string,
  variable: string,
): Record<string, string> {
  return variant.achievements === 'template'
    ? { icon, template: words, variable }
    : { icon, title: words, variable };
}
