import { InvalidInputError, StoreError } from '../../core/errors.js';
import type { FinalStatus, UserResult } from '../../core/model.js';
import type {
  ArticleHistoryPoint,
  FollowEdge,
  HistoryRange,
  ProfileSnapshot,
  ResultCounts,
  ResultStore,
  StoredArticle,
  StoredUser,
} from '../../core/result-store.js';
import type { SqlDialect } from './dialect.js';
import type { SqlProgram } from './program.js';
import {
  articleHistoryProgram,
  articlesProgram,
  countsProgram,
  edgesProgram,
  type Keyset,
  keyOf,
  keysetPage,
  keysets,
  NO_END,
  NO_START,
  PAGE,
  profileHistoryProgram,
  snapshotsProgram,
  userProgram,
} from './reads.js';
import { type Row, rowToArticle, rowToHistoryPoint, rowToProfile, rowToSnapshot, rowToUser } from './rows.js';
import { saveOutcomeProgram, saveUserProgram } from './writes.js';

/** An article with the user it belongs to, as `iterateArticles` yields it. */
export interface UserArticle extends StoredArticle {
  username: string;
}

const OUTCOMES: ReadonlySet<string> = new Set<Exclude<FinalStatus, 'done'>>(['notfound', 'failed']);

function checkUsername(username: unknown): void {
  if (typeof username !== 'string' || username.length === 0)
    throw new InvalidInputError(`a result needs a username, got ${JSON.stringify(username)}`);
}

function checkTime(at: unknown): void {
  if (typeof at !== 'number' || !Number.isFinite(at))
    throw new InvalidInputError(`a result needs a crawl time in epoch milliseconds, got ${String(at)}`);
}

/** The ends of a history range, open ends made explicit. */
function bounds(range: HistoryRange | undefined): [number, number] {
  const { from, to } = range ?? {};
  if (from !== undefined) checkTime(from);
  if (to !== undefined) checkTime(to);
  return [from ?? NO_START, to ?? NO_END];
}

function toUser(row: Row): StoredUser {
  const snapshot = row.snap_at === null || row.snap_at === undefined;
  return rowToUser(row, snapshot ? undefined : rowToProfile(row.username, row), row.snap_at ?? undefined);
}

/**
 * A ResultStore on a SQL database: the statements are shared (see this folder); a subclass only
 * runs programs with its driver. This class holds the runtime guards every SQL store needs once:
 * argument checks, the closed-store guard, and turning driver errors into StoreErrors with hints.
 */
export abstract class SqlResultStore implements ResultStore {
  private closed = false;

  constructor(
    protected readonly dialect: SqlDialect,
    /** Names the store in errors (a file, a redacted URL with its schema). */
    protected readonly label: string,
  ) {}

  /** Steps through a program that writes, in one transaction. */
  protected abstract write(program: SqlProgram<void>): Promise<void>;
  /** Steps through a program that only reads. */
  protected abstract read<T>(program: SqlProgram<T>): Promise<T>;
  /** The driver's error as a StoreError (transient or not) naming what could not be done. */
  protected abstract fault(error: unknown, what: string): Error;
  protected abstract closeDriver(): Promise<void>;

  async saveUser(result: UserResult, crawledAt: number): Promise<void> {
    checkUsername(result?.username);
    checkTime(crawledAt);
    await this.guard('save a user', () => this.write(saveUserProgram(this.dialect, result, crawledAt)));
  }

  async saveOutcome(
    username: string,
    status: Exclude<FinalStatus, 'done'>,
    reason: string | undefined,
    at: number,
  ): Promise<void> {
    checkUsername(username);
    checkTime(at);
    if (!OUTCOMES.has(status))
      throw new InvalidInputError(`an outcome without data is notfound or failed, got ${status}`);
    await this.guard('save an outcome', () =>
      this.write(saveOutcomeProgram(this.dialect, username, status, reason ?? null, at)),
    );
  }

  async getUser(username: string): Promise<StoredUser | undefined> {
    const row = await this.guard('read a user', () => this.read(userProgram(this.dialect, username)));
    return row ? toUser(row) : undefined;
  }

  async getArticles(username: string): Promise<StoredArticle[]> {
    const rows = await this.guard('read articles', () => this.read(articlesProgram(this.dialect, username)));
    return rows.map((row) => rowToArticle(row));
  }

  async getSnapshots(username: string): Promise<ProfileSnapshot[]> {
    const rows = await this.guard('read snapshots', () =>
      this.read(snapshotsProgram(this.dialect, username)),
    );
    return rows.map((row) => rowToSnapshot(row));
  }

  async getEdges(username: string): Promise<{ follows: string[]; fans: string[] }> {
    return this.guard('read follow edges', () => this.read(edgesProgram(this.dialect, username)));
  }

  async articleHistory(username: string, range?: HistoryRange): Promise<ArticleHistoryPoint[]> {
    const [from, to] = bounds(range);
    const rows = await this.guard('read article history', () =>
      this.read(articleHistoryProgram(this.dialect, username, from, to)),
    );
    return rows.map((row) => rowToHistoryPoint(row));
  }

  async profileHistory(username: string, range?: HistoryRange): Promise<ProfileSnapshot[]> {
    const [from, to] = bounds(range);
    const rows = await this.guard('read profile history', () =>
      this.read(profileHistoryProgram(this.dialect, username, from, to)),
    );
    return rows.map((row) => rowToSnapshot(row));
  }

  async *iterateUsers(): AsyncIterable<StoredUser> {
    for await (const row of this.pages('list users', keysets(this.dialect).users)) yield toUser(row);
  }

  /** Every stored article with its username, in (username, article id) order, page by page. */
  async *iterateArticles(): AsyncIterable<UserArticle> {
    for await (const row of this.pages('list articles', keysets(this.dialect).articles))
      yield { ...rowToArticle(row), username: row.username };
  }

  /** Every profile snapshot, in (username, crawl time) order, page by page. */
  async *iterateSnapshots(): AsyncIterable<ProfileSnapshot> {
    for await (const row of this.pages('list snapshots', keysets(this.dialect).snapshots))
      yield rowToSnapshot(row);
  }

  /** Every follow edge, in (follower, followee) order, page by page. */
  async *iterateEdges(): AsyncIterable<FollowEdge> {
    for await (const row of this.pages('list follow edges', keysets(this.dialect).edges))
      yield { follower: row.follower, followee: row.followee, firstSeen: Number(row.first_seen) };
  }

  /** Every article history point with the article's deletion mark, in (username, article id, crawl time) order. */
  async *iterateArticleHistory(): AsyncIterable<ArticleHistoryPoint & { deletedAt?: number }> {
    for await (const row of this.pages('list article history', keysets(this.dialect).articleHistory))
      yield rowToHistoryPoint(row);
  }

  async counts(): Promise<ResultCounts> {
    const row = await this.guard('count results', () => this.read(countsProgram(this.dialect)));
    return {
      users: Number(row.users),
      articles: Number(row.articles),
      snapshots: Number(row.profile_snapshots),
      edges: Number(row.follow_edges),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.closeDriver();
  }

  /** Pages by key, so no statement stays open between yields (writers are never blocked). */
  private async *pages(what: string, keyset: Keyset): AsyncIterable<Row> {
    let after = keyset.start;
    for (;;) {
      const rows = await this.guard(what, () =>
        this.read(pageProgram(keysetPage(this.dialect, keyset, after))),
      );
      yield* rows;
      if (rows.length < PAGE) return;
      after = keyOf(keyset, rows[rows.length - 1]);
    }
  }

  protected async guard<T>(what: string, work: () => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreError(`result store ${this.label} is closed (cannot ${what})`);
    try {
      return await work();
    } catch (error) {
      throw this.fault(error, what);
    }
  }
}

function* pageProgram(statement: ReturnType<typeof keysetPage>): SqlProgram<Row[]> {
  return (yield statement).rows;
}
