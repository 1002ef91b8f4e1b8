import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProfileSnapshot } from '../src/core/result-store.js';
import { openResultStore, openStateStore } from '../src/stores/open.js';
import { manualClock, type Replica, startReplica, type UserTruth } from '../src/testing/replica/index.js';
import { type CliRun, startCli, waitFor } from './helpers/cli-process.js';
import { PROFILE_FIELDS_API } from './helpers/truth-fields.js';
import {
  articleDiff,
  articleTimelines,
  listedAt,
  mixedDiff,
  type UpWindow,
  upTimeWithin,
} from './helpers/watch-history.js';

/*
 * `csdn-crawl run --watch` as a real process on a replica that lives, for about three replica days
 * in about 45 s: stopped by one signal, restarted, SIGKILLed mid-crawl, restarted, stopped again.
 * 12 users at 6 at once: a wave of refreshes takes a fraction of a period even on a loaded machine.
 * Then the stores are read back: one snapshot per due period, article histories equal to the
 * truth at the crawl times, deleted articles marked.
 *
 * Timing: a replica day is 15 s of real time; every user is due 7 s (11.2 replica hours) after each
 * crawl (`adaptive: false`, jitter 0: the expectation is exact). The replica's world moves in
 * steps of one real second (its clock is the wall clock cut to whole seconds), so the world a
 * crawl saw is one of the few steps between the moment it could start and the moment it was
 * stored: the check needs no assumption about how long a crawl takes.
 */

const DAY = 86_400_000;
const REAL_DAY_MS = 15_000;
const STEP_MS = 1000;
const PERIOD_MS = 7000;
const SEED = 42;
const OTHERS = 7;

const stepped = (wallMs: number) => Math.floor(wallMs / STEP_MS) * STEP_MS;

/** Users whose articles get deleted early in the run, and lively or quiet ones that stay all along. */
async function pickUsers(): Promise<{ deleting: string[]; others: string[] }> {
  // The same seed is the same world at every moment: a replica on a manual clock reads it ahead.
  const probe = await startReplica({
    users: 2000,
    seed: SEED,
    maxArticlesPerUser: 100,
    clock: manualClock(),
  });
  try {
    const t0 = probe.now();
    const deleting: string[] = [];
    const others: string[] = [];
    for (const name of probe.usernames) {
      const early = probe.truth(name, t0 + 0.3 * DAY);
      const late = probe.truth(name, t0 + 2 * DAY);
      // Users that vanish are another story (not found): keep to those that stay well past the run.
      if (!early || !late || !probe.truth(name, t0 + 6 * DAY)) continue;
      const kept = new Set(late.articles.map((a) => a.articleId));
      if (early.articles.some((a) => !kept.has(a.articleId))) deleting.push(name);
      else if (others.length < OTHERS) others.push(name);
    }
    return { deleting, others };
  } finally {
    await probe.close();
  }
}

describe('run --watch as a real process on a living replica', () => {
  let replica: Replica;
  let users: string[];
  let deleting: string[];
  /** The replica's clock: the wall clock cut to whole seconds, unless a test holds it at a moment. */
  let heldAt: number | undefined;
  let clockStart: number | undefined;
  const replicaClock = () => {
    const reading = heldAt ?? stepped(Date.now());
    clockStart ??= reading;
    return reading;
  };
  const root = mkdtempSync(path.join(tmpdir(), 'csdn-watch-'));
  const dir = path.join(root, 'data');

  beforeAll(async () => {
    const picked = await pickUsers();
    deleting = picked.deleting;
    users = [...picked.deleting, ...picked.others];
    replica = await startReplica({
      users: 2000,
      seed: SEED,
      maxArticlesPerUser: 100,
      clock: replicaClock,
      timeScale: DAY / REAL_DAY_MS,
      faults: { latencyMs: 60, jitterMs: 10 },
    });
  });
  /** Every crawler started: one a failed assertion left running is killed before the replica closes. */
  const started: CliRun[] = [];
  const track = (run: CliRun) => {
    started.push(run);
    return run;
  };
  afterAll(async () => {
    for (const run of started) {
      if (run.child.exitCode === null && run.child.signalCode === null) {
        run.child.kill('SIGKILL');
        await run.exit;
      }
    }
    await replica?.close();
    rmSync(root, { recursive: true, force: true });
  });

  /** The replica time at a wall-clock reading of the crawler (the replica's clock is stepped). */
  const replicaAt = (wallMs: number) => replica.timeAt(stepped(wallMs));
  /** Wall-clock time at which the replica reaches `days` replica days. */
  const untilReplicaDay = (days: number) =>
    waitFor(() => replica.now() - replica.timeAt(0) >= days * DAY, 60_000, `replica day ${days}`);

  it('keeps one snapshot per due period through a signal, a restart and a kill, equal to the truth; restored articles come back clean', async () => {
    expect(deleting.length).toBeGreaterThanOrEqual(2);
    const idsFile = path.join(root, 'ids.txt');
    writeFileSync(idsFile, `${users.join('\n')}\n`);
    const config = path.join(root, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        politeness: { maxInFlightPerHost: 6, minDelayMs: 0 },
        requestTimeoutMs: 5000,
        leaseMs: 30_000,
        graph: { follows: false, fans: false },
        refresh: {
          every: PERIOD_MS,
          notfoundEvery: PERIOD_MS,
          min: PERIOD_MS,
          max: PERIOD_MS,
          jitter: 0,
          adaptive: false,
        },
      }),
    );
    const args = ['run', '--watch', '--base-url', replica.url, '--data-dir', dir, '--config', config];
    const common = [...args, '--driver', 'http', '--concurrency', '6'];
    const windows: UpWindow[] = [];
    const spawns: number[] = [];

    /** Starts a run; its up-window opens at its first request to the replica. */
    async function start(extra: string[] = []): Promise<{ run: CliRun; window: UpWindow }> {
      const before = replica.stats().total;
      spawns.push(Date.now());
      const run = track(startCli([...common, ...extra]));
      await waitFor(() => replica.stats().total > before || run.child.exitCode !== null, 30_000, 'a request');
      expect(run.child.exitCode, run.output()).toBeNull();
      const window = { from: Date.now(), to: Number.POSITIVE_INFINITY };
      windows.push(window);
      return { run, window };
    }

    // 1. First run: every user crawled once and refreshed a few times; one SIGINT stops it.
    const a = await start(['--ids-file', idsFile]);
    await untilReplicaDay(0.9);
    a.window.to = Date.now();
    a.run.child.kill('SIGINT');
    const exitA = await a.run.exit;
    expect(exitA.code, a.run.output()).toBe(130);
    expect(a.run.output()).toMatch(/SIGINT: stopping/);
    expect(a.run.output()).not.toMatch(/second SIGINT/);

    // 2. Restarted without IDs: it picks up what is due; SIGKILLed in the middle of a crawl.
    const b = await start();
    await untilReplicaDay(1.8);
    // Answers slow down to 2 s from now: the kill, right after the next request arrives, lands
    // while that user is in flight however loaded the machine is (the test polls every 100 ms).
    const seen = replica.stats().total;
    replica.setFaults({ latencyMs: 2000, jitterMs: 0 });
    await waitFor(() => replica.stats().total !== seen, 30_000, 'a request to kill during');
    b.run.child.kill('SIGKILL');
    b.window.to = Date.now();
    replica.setFaults({ latencyMs: 60, jitterMs: 10 });
    expect((await b.run.exit).signal).toBe('SIGKILL');
    const state = await openStateStore(path.join(dir, 'state.sqlite'));
    const afterKill = await state.counts();
    await state.close();
    // Killed mid-crawl: the leases it held are still there for the next run to recover.
    expect(afterKill.leased, b.run.output()).toBeGreaterThan(0);

    // 3. Restarted again; SIGTERM ends the watch.
    const c = await start();
    await untilReplicaDay(2.9);
    c.window.to = Date.now();
    c.run.child.kill('SIGTERM');
    const exitC = await c.run.exit;
    expect(exitC.code, c.run.output()).toBe(143);
    expect(c.run.output()).toMatch(/SIGTERM: stopping/);

    const deleted = await checkStores(users, windows, spawns);
    await restoreDeleted(
      common.filter((arg) => arg !== '--watch'),
      deleted,
    );
  });

  /**
   * Deleted articles come back (a post restored after review, say): the replica has no restore of
   * its own, so its clock is held at a moment before they were deleted, and a plain `run` (a cron
   * job) refreshes every due user in that world. Each restored article loses its deletedAt and
   * everything listed equals the truth of that moment, exactly (the world holds still meanwhile).
   */
  async function restoreDeleted(runArgs: string[], deleted: string[]) {
    const state = await openStateStore(path.join(dir, 'state.sqlite'));
    let lastDue = 0;
    for (const name of users) lastDue = Math.max(lastDue, (await state.get(name))?.dueAt ?? 0);
    await state.close();
    // Everyone due (Keyv keeps due times to the second): the run refreshes every user.
    await waitFor(() => Date.now() > lastDue + 1000, 30_000, 'every user due');
    heldAt = (clockStart as number) + 0.2 * REAL_DAY_MS;
    const run = track(startCli(runArgs));
    const { code } = await run.exit;
    expect(code, run.output()).toBe(0);
    const results = await openResultStore(path.join(dir, 'results.sqlite'));
    try {
      const clean = new Set<string>();
      for (const name of users) {
        const truth = replica.truth(name) as UserTruth;
        const stored = await results.getArticles(name);
        const listed = stored.filter((a) => a.deletedAt === undefined);
        expect(listed.map((a) => a.articleId)).toEqual(truth.articles.map((a) => a.articleId));
        const byId = new Map(listed.map((a) => [a.articleId, a]));
        for (const a of truth.articles) {
          expect(byId.get(a.articleId)).toMatchObject({
            viewCount: a.viewCount,
            commentCount: a.commentCount,
            diggCount: a.diggCount,
            collectCount: a.collectCount,
          });
        }
        // One row per article: a restored article is the same row, not a second one.
        expect(new Set(stored.map((a) => a.articleId)).size).toBe(stored.length);
        for (const a of listed) clean.add(`${name}/${a.articleId}`);
      }
      // Every article the watch marked deleted is listed again, without its mark.
      expect(deleted.length).toBeGreaterThanOrEqual(deleting.length);
      expect(deleted.filter((key) => !clean.has(key))).toEqual([]);
    } finally {
      await results.close();
    }
  }

  /** Checks the stores after the watch; resolves with the articles marked deleted (`user/articleId`). */
  async function checkStores(names: string[], windows: UpWindow[], spawns: number[]): Promise<string[]> {
    const state = await openStateStore(path.join(dir, 'state.sqlite'));
    const results = await openResultStore(path.join(dir, 'results.sqlite'));
    try {
      const counts = await state.counts();
      expect(counts).toMatchObject({ leased: 0, failed: 0, notfound: 0 });
      expect(counts.done + counts.pending).toBe(names.length);
      const timelines = await articleTimelines(results);
      const problems: string[] = [];
      let crawls = 0;
      let exact = 0;
      const deleted: string[] = [];
      let worstLate = 0;
      let mixed = 0;
      const end = windows[windows.length - 1].to;
      /** The run a crawl at `at` belonged to started no earlier than this. */
      const runStart = (at: number) => Math.max(...spawns.filter((s) => s <= at));

      for (const name of names) {
        const snapshots: ProfileSnapshot[] = await results.getSnapshots(name);
        const times = snapshots.map((s) => s.crawledAt);
        if (times.length < 3) problems.push(`${name}: only ${times.length} snapshots`);
        // One snapshot per due period: none before its due time (no duplicate), and none
        // skipped (the next one came within one period of up-time after it was due).
        for (let i = 0; i < times.length; i++) {
          const due = times[i] + PERIOD_MS;
          const next = i + 1 < times.length ? times[i + 1] : end;
          if (i + 1 < times.length && next < due)
            problems.push(`${name}: crawled at ${next}, due only at ${due}`);
          worstLate = Math.max(worstLate, upTimeWithin(windows, due, next));
          if (upTimeWithin(windows, due, next) >= PERIOD_MS)
            problems.push(`${name}: due at ${due}, not crawled for a whole period of up-time`);
        }
        const record = await state.get(name);
        const last = times[times.length - 1];
        if (record?.set === 'done' && record.dueAt !== last + PERIOD_MS)
          problems.push(`${name}: due at ${record.dueAt}, expected ${last + PERIOD_MS}`);
        else if (record?.set !== 'done' && record?.set !== 'pending')
          problems.push(`${name}: in ${record?.set}`);

        // The history at each crawl time equals the truth of a moment that crawl could have seen.
        const lines = timelines.get(name) ?? [];
        for (let i = 0; i < times.length; i++) {
          const at = times[i];
          const from = Math.max(runStart(at), i > 0 ? times[i - 1] + PERIOD_MS : 0);
          const stored = listedAt(lines, at);
          const matches: number[] = [];
          const seen: UserTruth[] = [];
          for (let step = stepped(at); step >= stepped(from); step -= STEP_MS) {
            const truth = replica.truth(name, replica.timeAt(step)) as UserTruth;
            seen.push(truth);
            if (!articleDiff(stored, truth)) matches.push(step);
          }
          crawls++;
          if (matches[0] === stepped(at)) exact++;
          if (matches.length === 0) {
            mixed++;
            const diff = mixedDiff(stored, seen);
            const truth = replica.truth(name, replicaAt(at)) as UserTruth;
            if (diff) problems.push(`${name} at ${at}: ${diff} (at its step: ${articleDiff(stored, truth)})`);
          }
          // The profile of the same crawl, from the same few moments. Field by field: a crawl that
          // spans a step reads the home page in one world and the list in the next (as a crawl
          // of the real site sees counters move between its first and last request).
          for (const f of PROFILE_FIELDS_API) {
            if (!seen.some((truth) => snapshots[i][f] === truth.profile[f]))
              problems.push(`${name} at ${at}: profile.${f} ${snapshots[i][f]}, truth ${seen[0].profile[f]}`);
          }
        }
        for (const line of lines) {
          if (line.deletedAt === undefined) continue;
          deleted.push(`${name}/${line.articleId}`);
          if (!times.includes(line.deletedAt))
            problems.push(`${name}.${line.articleId}: deletedAt ${line.deletedAt} is no crawl time`);
        }
      }
      expect(problems.slice(0, 10)).toEqual([]);
      // Deleted articles were seen, and marked by the crawl that first missed them.
      expect(deleted.length).toBeGreaterThanOrEqual(deleting.length);
      console.log(
        `watch e2e: ${crawls} crawls checked, ${exact} equal to the truth at their own step, ` +
          `${mixed} to two moments field by field; ` +
          `latest refresh ${worstLate} ms of up-time after its due time (a period is ${PERIOD_MS} ms)`,
      );
      return deleted;
    } finally {
      await results.close();
      await state.close();
    }
  }
});
