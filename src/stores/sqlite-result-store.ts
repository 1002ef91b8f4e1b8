import type BetterSqlite3 from 'better-sqlite3';
import { CrawlError, StoreError } from '../core/errors.js';
import type { FinalStatus, UserResult } from '../core/model.js';
import type {
  FollowEdge,
  ProfileSnapshot,
  ResultCounts,
  ResultStore,
  StoredArticle,
  StoredUser,
} from '../core/result-store.js';
import {
  articleValues,
  PROFILE_COLUMNS,
  profileValues,
  type Row,
  rowToArticle,
  rowToProfile,
  rowToSnapshot,
  rowToUser,
  uniqueArticles,
  uniqueNames,
} from './result-rows.js';
import { foreignFile, prepareSqliteFile, readSqliteTables } from './sqlite-file-guard.js';
import { sqliteFault } from './store-fault.js';

const APP = 'csdn-crawl-results';
const SCHEMA_VERSION = 1;
const PAGE = 500;

const PROFILE_COLS = PROFILE_COLUMNS.map(([, column]) => column);

const SCHEMA = `
CREATE TABLE IF NOT EXISTS schema_version (app TEXT NOT NULL, version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS users (
  username TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  reason TEXT,
  source TEXT,
  last_crawled_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS profile_snapshots (
  username TEXT NOT NULL,
  crawled_at INTEGER NOT NULL,
  nickname TEXT, level INTEGER, original_count INTEGER, article_count INTEGER, rank INTEGER,
  fans_count INTEGER, follow_count INTEGER, view_count INTEGER, like_count INTEGER, comment_count INTEGER,
  favourite_count INTEGER, points INTEGER, registration_time TEXT, blog_url TEXT,
  PRIMARY KEY (username, crawled_at)
);
CREATE TABLE IF NOT EXISTS articles (
  article_id TEXT NOT NULL,
  username TEXT NOT NULL,
  title TEXT NOT NULL,
  url TEXT NOT NULL,
  type TEXT NOT NULL,
  post_time TEXT NOT NULL,
  view_count INTEGER NOT NULL,
  comment_count INTEGER NOT NULL,
  digg_count INTEGER,
  collect_count INTEGER,
  top INTEGER,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  PRIMARY KEY (article_id, username)
);
CREATE INDEX IF NOT EXISTS articles_by_user ON articles (username, post_time);
CREATE TABLE IF NOT EXISTS follow_edges (
  follower TEXT NOT NULL,
  followee TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  PRIMARY KEY (follower, followee)
);
CREATE INDEX IF NOT EXISTS follow_edges_by_followee ON follow_edges (followee, follower);
`;

/** An article with the user it belongs to, as `iterateArticles` yields it. */
export interface UserArticle extends StoredArticle {
  username: string;
}

export interface SqliteResultStoreOptions {
  /** How long a writer waits for another process's transaction; default 15 s. */
  busyTimeoutMs?: number;
}

/**
 * Results in one SQLite file (better-sqlite3). WAL and a busy timeout let several processes write the
 * same file; every user is written in one IMMEDIATE transaction, and every write is an upsert.
 */
export class SqliteResultStore implements ResultStore {
  readonly raw: BetterSqlite3.Database;
  private readonly statements: ReturnType<typeof prepare>;
  private readonly writeUser: (result: UserResult, crawledAt: number) => void;
  private readonly writeOutcome: (
    username: string,
    status: string,
    reason: string | null,
    at: number,
  ) => void;

  constructor(
    db: BetterSqlite3.Database,
    readonly file: string,
  ) {
    this.raw = db;
    const s = prepare(db);
    this.statements = s;
    const writeUser = db.transaction((result: UserResult, crawledAt: number) => {
      const username = result.username;
      // No change means a newer crawl of this user is stored already: its lists stay authoritative.
      const newest = s.upsertUser.run(username, 'done', null, result.source, crawledAt).changes > 0;
      s.upsertSnapshot.run(username, crawledAt, ...profileValues(result.profile));
      for (const article of uniqueArticles(result.articles)) {
        s.upsertArticle.run(...articleValues(article), username, crawledAt, crawledAt);
      }
      const follows = uniqueNames(result.follows, username);
      const fans = uniqueNames(result.fans, username);
      // A complete list replaces what was stored; a capped or partial one only adds.
      if (newest && result.follows && result.followsComplete)
        s.dropFollowsExcept.run(username, JSON.stringify(follows));
      if (newest && result.fans && result.fansComplete) s.dropFansExcept.run(username, JSON.stringify(fans));
      for (const followee of follows) s.insertEdge.run(username, followee, crawledAt);
      for (const fan of fans) s.insertEdge.run(fan, username, crawledAt);
    });
    this.writeUser = (result, crawledAt) => writeUser.immediate(result, crawledAt);
    const writeOutcome = db.transaction(
      (username: string, status: string, reason: string | null, at: number) => {
        s.upsertOutcome.run(username, status, reason, at);
      },
    );
    this.writeOutcome = (username, status, reason, at) =>
      writeOutcome.immediate(username, status, reason, at);
  }

  async saveUser(result: UserResult, crawledAt: number): Promise<void> {
    this.guard('save a user', () => this.writeUser(result, crawledAt));
  }

  async saveOutcome(
    username: string,
    status: Exclude<FinalStatus, 'done'>,
    reason: string | undefined,
    at: number,
  ): Promise<void> {
    this.guard('save an outcome', () => this.writeOutcome(username, status, reason ?? null, at));
  }

  async getUser(username: string): Promise<StoredUser | undefined> {
    return this.guard('read a user', () => {
      const row = this.statements.user.get(username) as Row | undefined;
      if (!row) return undefined;
      const snap = this.statements.latestSnapshot.get(username) as Row | undefined;
      return rowToUser(row, snap ? rowToProfile(username, snap) : undefined, snap?.crawled_at);
    });
  }

  async getArticles(username: string): Promise<StoredArticle[]> {
    return this.guard('read articles', () =>
      (this.statements.articles.all(username) as Row[]).map((row) => rowToArticle(row)),
    );
  }

  async getSnapshots(username: string): Promise<ProfileSnapshot[]> {
    return this.guard('read snapshots', () =>
      (this.statements.snapshots.all(username) as Row[]).map((row) => rowToSnapshot(row)),
    );
  }

  async getEdges(username: string): Promise<{ follows: string[]; fans: string[] }> {
    return this.guard('read follow edges', () => ({
      follows: (this.statements.follows.all(username) as Row[]).map((row) => row.followee),
      fans: (this.statements.fans.all(username) as Row[]).map((row) => row.follower),
    }));
  }

  /** Pages by username, so no statement stays open between yields (writers are never blocked). */
  async *iterateUsers(): AsyncIterable<StoredUser> {
    let after = '';
    for (;;) {
      const rows = this.guard('list users', () => this.statements.usersPage.all(after, PAGE) as Row[]);
      for (const row of rows) {
        const snap = this.guard(
          'read a user',
          () => this.statements.latestSnapshot.get(row.username) as Row | undefined,
        );
        yield rowToUser(row, snap ? rowToProfile(row.username, snap) : undefined, snap?.crawled_at);
      }
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1].username;
    }
  }

  /** Every stored article with its username, in (username, article id) order, page by page. */
  async *iterateArticles(): AsyncIterable<UserArticle> {
    let afterUser = '';
    let afterId = '';
    for (;;) {
      const rows = this.guard(
        'list articles',
        () => this.statements.articlesPage.all(afterUser, afterUser, afterId, PAGE) as Row[],
      );
      for (const row of rows) yield { ...rowToArticle(row), username: row.username };
      if (rows.length < PAGE) return;
      afterUser = rows[rows.length - 1].username;
      afterId = rows[rows.length - 1].article_id;
    }
  }

  /** Every follow edge, in (follower, followee) order, page by page. */
  async *iterateEdges(): AsyncIterable<FollowEdge> {
    let afterFollower = '';
    let afterFollowee = '';
    for (;;) {
      const rows = this.guard(
        'list follow edges',
        () => this.statements.edgesPage.all(afterFollower, afterFollower, afterFollowee, PAGE) as Row[],
      );
      for (const row of rows)
        yield { follower: row.follower, followee: row.followee, firstSeen: row.first_seen };
      if (rows.length < PAGE) return;
      afterFollower = rows[rows.length - 1].follower;
      afterFollowee = rows[rows.length - 1].followee;
    }
  }

  /** Every profile snapshot, in (username, crawl time) order, page by page. */
  async *iterateSnapshots(): AsyncIterable<ProfileSnapshot> {
    let afterUser = '';
    let afterAt = -1;
    for (;;) {
      const rows = this.guard(
        'list snapshots',
        () => this.statements.snapshotsPage.all(afterUser, afterUser, afterAt, PAGE) as Row[],
      );
      for (const row of rows) yield rowToSnapshot(row);
      if (rows.length < PAGE) return;
      afterUser = rows[rows.length - 1].username;
      afterAt = rows[rows.length - 1].crawled_at;
    }
  }

  async counts(): Promise<ResultCounts> {
    return this.guard('count results', () => {
      const row = this.statements.counts.get() as Row;
      return { users: row.users, articles: row.articles, snapshots: row.snapshots, edges: row.edges };
    });
  }

  async close(): Promise<void> {
    if (this.raw.open) this.raw.close();
  }

  private guard<T>(what: string, work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw sqliteFault(error, 'result store', this.file, what);
    }
  }
}

function prepare(db: BetterSqlite3.Database) {
  const profileCols = PROFILE_COLS.join(', ');
  const profileParams = PROFILE_COLS.map(() => '?').join(', ');
  const profileUpdates = PROFILE_COLS.map((c) => `${c} = excluded.${c}`).join(', ');
  return {
    // An older crawl saved late must not overwrite a newer status.
    upsertUser:
      db.prepare(`INSERT INTO users (username, status, reason, source, last_crawled_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (username) DO UPDATE SET status = excluded.status, reason = excluded.reason,
        source = excluded.source, last_crawled_at = excluded.last_crawled_at
      WHERE excluded.last_crawled_at >= users.last_crawled_at`),
    upsertOutcome:
      db.prepare(`INSERT INTO users (username, status, reason, last_crawled_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (username) DO UPDATE SET status = excluded.status, reason = excluded.reason,
        last_crawled_at = excluded.last_crawled_at
      WHERE excluded.last_crawled_at >= users.last_crawled_at`),
    upsertSnapshot: db.prepare(`INSERT INTO profile_snapshots (username, crawled_at, ${profileCols})
      VALUES (?, ?, ${profileParams}) ON CONFLICT (username, crawled_at) DO UPDATE SET ${profileUpdates}`),
    upsertArticle: db.prepare(`INSERT INTO articles (article_id, title, url, type, post_time, view_count,
        comment_count, digg_count, collect_count, top, username, first_seen, last_seen)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (article_id, username) DO UPDATE SET
        title = CASE WHEN excluded.last_seen >= articles.last_seen THEN excluded.title ELSE articles.title END,
        url = CASE WHEN excluded.last_seen >= articles.last_seen THEN excluded.url ELSE articles.url END,
        type = CASE WHEN excluded.last_seen >= articles.last_seen THEN excluded.type ELSE articles.type END,
        post_time = CASE WHEN excluded.last_seen >= articles.last_seen THEN excluded.post_time ELSE articles.post_time END,
        view_count = CASE WHEN excluded.last_seen >= articles.last_seen THEN excluded.view_count ELSE articles.view_count END,
        comment_count = CASE WHEN excluded.last_seen >= articles.last_seen THEN excluded.comment_count ELSE articles.comment_count END,
        digg_count = CASE WHEN excluded.last_seen >= articles.last_seen THEN excluded.digg_count ELSE articles.digg_count END,
        collect_count = CASE WHEN excluded.last_seen >= articles.last_seen THEN excluded.collect_count ELSE articles.collect_count END,
        top = CASE WHEN excluded.last_seen >= articles.last_seen THEN excluded.top ELSE articles.top END,
        first_seen = min(articles.first_seen, excluded.first_seen),
        last_seen = max(articles.last_seen, excluded.last_seen)`),
    insertEdge: db.prepare(
      'INSERT INTO follow_edges (follower, followee, first_seen) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    dropFollowsExcept: db.prepare(
      'DELETE FROM follow_edges WHERE follower = ? AND followee NOT IN (SELECT value FROM json_each(?))',
    ),
    dropFansExcept: db.prepare(
      'DELETE FROM follow_edges WHERE followee = ? AND follower NOT IN (SELECT value FROM json_each(?))',
    ),
    user: db.prepare('SELECT * FROM users WHERE username = ?'),
    latestSnapshot: db.prepare(
      'SELECT * FROM profile_snapshots WHERE username = ? ORDER BY crawled_at DESC LIMIT 1',
    ),
    // Same post time: the longer (newer) id first, as ids are decimal strings.
    articles: db.prepare(`SELECT * FROM articles WHERE username = ?
      ORDER BY post_time DESC, length(article_id) DESC, article_id DESC`),
    snapshots: db.prepare('SELECT * FROM profile_snapshots WHERE username = ? ORDER BY crawled_at ASC'),
    follows: db.prepare('SELECT followee FROM follow_edges WHERE follower = ? ORDER BY followee'),
    fans: db.prepare('SELECT follower FROM follow_edges WHERE followee = ? ORDER BY follower'),
    usersPage: db.prepare('SELECT * FROM users WHERE username > ? ORDER BY username LIMIT ?'),
    articlesPage: db.prepare(`SELECT * FROM articles WHERE username > ? OR (username = ? AND article_id > ?)
      ORDER BY username, article_id LIMIT ?`),
    edgesPage: db.prepare(`SELECT * FROM follow_edges WHERE follower > ? OR (follower = ? AND followee > ?)
      ORDER BY follower, followee LIMIT ?`),
    snapshotsPage: db.prepare(`SELECT * FROM profile_snapshots
      WHERE username > ? OR (username = ? AND crawled_at > ?) ORDER BY username, crawled_at LIMIT ?`),
    counts:
      db.prepare(`SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM articles) AS articles,
      (SELECT count(*) FROM profile_snapshots) AS snapshots, (SELECT count(*) FROM follow_edges) AS edges`),
  };
}

/**
 * Opens (or creates) the results file. A file that is not SQLite, or SQLite without the results
 * schema, is refused and left untouched.
 */
export async function openSqliteResultStore(
  path: string,
  options: SqliteResultStoreOptions = {},
): Promise<SqliteResultStore> {
  const what = 'result store';
  const inMemory = path === ':memory:';
  const { file, existing } = inMemory ? { file: path, existing: false } : await prepareSqliteFile(path, what);
  if (existing) await checkResultFile(file, what);
  const { default: Database } = await import('better-sqlite3');
  let db: BetterSqlite3.Database;
  try {
    db = new Database(file, { timeout: options.busyTimeoutMs ?? 15_000 });
  } catch (error) {
    throw new StoreError(`cannot open the result store ${file}: ${(error as Error).message}`, {
      cause: error,
      hint: 'check the file and its directory permissions',
    });
  }
  try {
    if (!inMemory) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.transaction(() => {
      db.exec(SCHEMA);
      const row = db.prepare('SELECT version FROM schema_version WHERE app = ?').get(APP) as Row | undefined;
      if (!row)
        db.prepare('INSERT INTO schema_version (app, version) VALUES (?, ?)').run(APP, SCHEMA_VERSION);
      else if (row.version > SCHEMA_VERSION) {
        throw new StoreError(
          `${file} has results schema ${row.version}, this version reads ${SCHEMA_VERSION}`,
          {
            hint: 'upgrade csdn-crawl, or use another results file',
          },
        );
      }
    }).immediate();
  } catch (error) {
    db.close();
    if (error instanceof CrawlError) throw error;
    throw new StoreError(`cannot prepare the result store ${file}: ${(error as Error).message}`, {
      cause: error,
      hint: 'check the disk (space, permissions)',
    });
  }
  return new SqliteResultStore(db, file);
}

async function checkResultFile(file: string, what: string): Promise<void> {
  let ours = false;
  const tables = await readSqliteTables(file, what, (db) => {
    const has = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")
      .get();
    if (has) ours = !!db.prepare('SELECT 1 FROM schema_version WHERE app = ?').get(APP);
  });
  if (ours) return;
  if (tables.filter((name) => !name.startsWith('sqlite_')).length === 0) return;
  throw foreignFile(file, what, 'is a SQLite database of another program (no csdn-crawl results in it)');
}
