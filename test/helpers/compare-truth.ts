import type { Article, Profile } from '../../src/core/model.js';
import type { ResultStore } from '../../src/core/result-store.js';
import type { UserTruth } from '../../src/testing/replica/index.js';
import { ARTICLE_FIELDS, PROFILE_FIELDS_API } from './truth-fields.js';

/**
 * Differences between what the store holds for a user and the replica's truth, as readable lines
 * (an empty list means equal). Compares the listed profile fields and every article field the
 * source provides.
 */
export async function diffAgainstTruth(
  results: ResultStore,
  username: string,
  truth: UserTruth,
  profileFields: (keyof Profile)[] = PROFILE_FIELDS_API,
  articleFields: (keyof Article)[] = ARTICLE_FIELDS,
): Promise<string[]> {
  const diffs: string[] = [];
  const user = await results.getUser(username);
  if (!user) return [`${username}: not stored`];
  if (user.status !== 'done') return [`${username}: status ${user.status} (${user.reason ?? ''})`];
  for (const field of profileFields) {
    if (user.profile?.[field] !== truth.profile[field]) {
      diffs.push(
        `${username}.profile.${field}: stored ${JSON.stringify(user.profile?.[field])} truth ${JSON.stringify(truth.profile[field])}`,
      );
    }
  }
  const stored = await results.getArticles(username);
  if (stored.length !== truth.articles.length) {
    diffs.push(`${username}: ${stored.length} articles stored, truth ${truth.articles.length}`);
  }
  const byId = new Map(stored.map((a) => [a.articleId, a]));
  for (const article of truth.articles) {
    const got = byId.get(article.articleId);
    if (!got) {
      diffs.push(`${username}: article ${article.articleId} missing`);
      continue;
    }
    for (const field of articleFields) {
      if (got[field] !== article[field]) {
        diffs.push(
          `${username}.${article.articleId}.${field}: stored ${JSON.stringify(got[field])} truth ${JSON.stringify(article[field])}`,
        );
      }
    }
  }
  return diffs;
}
