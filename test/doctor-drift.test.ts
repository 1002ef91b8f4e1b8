import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeOf } from '../src/cli/commands/doctor-command.js';
import { InvalidInputError } from '../src/core/errors.js';
import { type DoctorOutcome, runDoctor } from '../src/doctor/run-doctor.js';
import { type Drift, type Replica, startReplica } from '../src/testing/replica/index.js';

const SEED = 1;
const USERS = 50;
let dataDir: string;
let probeUsers: string[];

/** Users with more than a full page of articles, so a capped page shows. */
async function pickProbeUsers(): Promise<string[]> {
  const replica = await startReplica({ users: USERS, seed: SEED });
  try {
    return replica.usernames.filter((u) => (replica.truth(u)?.articles.length ?? 0) > 120).slice(0, 2);
  } finally {
    await replica.close();
  }
}

async function doctorOn(
  options: Parameters<typeof startReplica>[0],
  users = probeUsers,
): Promise<{ outcome: DoctorOutcome; replica: Replica }> {
  const replica = await startReplica({ users: USERS, seed: SEED, ...options });
  try {
    const outcome = await runDoctor({ baseUrl: replica.url, users, dataDir, minDelayMs: 0 });
    return { outcome, replica };
  } finally {
    await replica.close();
  }
}

const changedChecks = (outcome: DoctorOutcome) =>
  [...new Set(outcome.checks.filter((c) => c.status === 'changed').map((c) => c.check))].sort();

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'csdn-doctor-'));
  probeUsers = await pickProbeUsers();
  expect(probeUsers).toHaveLength(2);
});

afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('doctor on the replica', () => {
  it('passes every check on the normal replica, saves nothing and exits 0', async () => {
    const { outcome } = await doctorOn({});
    expect(outcome.checks.filter((c) => c.status !== 'ok')).toEqual([]);
    expect(outcome.checks.map((c) => c.check)).toEqual(
      expect.arrayContaining([
        'home',
        'initial-state',
        'user-module',
        'achievement-module',
        'achievements',
        'head-counters',
        'tab-total',
        'business-list',
        'business-list.fields',
        'business-list.total',
        'business-list.page-size',
        'fans-v1',
        'fans-v2',
        'follows-v1',
        'legacy-pager',
        'not-found-page',
        'challenge',
      ]),
    );
    expect(outcome.verdict).toBe('ok');
    expect(outcome.evidenceDir).toBeUndefined();
    expect(exitCodeOf(outcome)).toBe(0);
  });

  const cases: [Drift, string[], RegExp][] = [
    ['renamed-fields', ['business-list.fields'], /missing articleId, viewCount.*new keys id, views/],
    ['achievements-template', ['achievements'], /likes, comments, favourites unreadable/],
    ['markup', ['head-counters', 'initial-state'], /__INITIAL_STATE__|user-profile-head-info-r-c/],
    ['page-cap', ['business-list.page-size'], /capped at 20 \(asked 100/],
    ['no-total', ['business-list.total'], /data\.total is missing/],
    ['fans-v1-gone', ['fans-v1', 'follows-v1'], /HTTP 404/],
    ['404-page', ['not-found-page'], /no pid 404 marker; title "[^"]+" \(expected "404"\)/],
  ];

  it.each(cases)(
    'names the %s drift (and nothing else), saves its evidence, exits 7',
    async (drift, checks, detail) => {
      const { outcome } = await doctorOn({ drift: [drift] });
      expect(changedChecks(outcome)).toEqual(checks);
      const rows = outcome.checks.filter((c) => c.status === 'changed');
      for (const row of rows) expect(row.detail).toMatch(detail);
      expect(outcome.verdict).toBe('drift');
      expect(exitCodeOf(outcome)).toBe(7);

      expect(outcome.evidenceDir).toBeDefined();
      const listing = JSON.parse(readFileSync(path.join(outcome.evidenceDir!, 'checks.json'), 'utf8')) as {
        check: string;
        status: string;
        evidence?: string;
        url?: string;
      }[];
      for (const entry of listing.filter((c) => c.status === 'changed')) {
        expect(entry.evidence).toMatch(/^response-\d{2}\.json$/);
        const saved = JSON.parse(readFileSync(path.join(outcome.evidenceDir!, entry.evidence!), 'utf8'));
        expect(saved.url).toBe(entry.url);
        expect(typeof saved.status).toBe('number');
        expect(saved.headers['content-type']).toBeTruthy();
        expect(saved.body.length).toBeGreaterThan(0);
      }
    },
  );

  it('says which fans endpoint answers when v1 is gone', async () => {
    const { outcome } = await doctorOn({ drift: ['fans-v1-gone'] });
    const v1 = outcome.checks.find((c) => c.check === 'fans-v1');
    const v2 = outcome.checks.find((c) => c.check === 'fans-v2');
    expect(v1?.detail).toMatch(/v2 answers$/);
    expect(v2?.status).toBe('ok');
  });

  it('reports the challenge as blocked (exit 8), not as a change, and stops probing at once', async () => {
    const { outcome, replica } = await doctorOn({ faults: 'challenge' });
    expect(outcome.counts.changed).toBe(0);
    expect(outcome.checks.find((c) => c.check === 'challenge')?.status).toBe('blocked');
    expect(outcome.checks.every((c) => c.status === 'blocked')).toBe(true);
    expect(replica.stats().total).toBe(1);
    expect(outcome.verdict).toBe('blocked');
    expect(exitCodeOf(outcome)).toBe(8);
  });

  it('marks a probe user the site does not have as missing, and drift when none exists', async () => {
    const some = await doctorOn({}, [probeUsers[0], 'nobody_here_at_all']);
    const row = some.outcome.checks.find((c) => c.target === 'nobody_here_at_all');
    expect(row).toMatchObject({ check: 'home', status: 'missing' });
    expect(some.outcome.checks.filter((c) => c.target === 'nobody_here_at_all')).toHaveLength(1);
    expect(some.outcome.verdict).toBe('ok');

    const none = await doctorOn({}, ['nobody_here_at_all']);
    expect(changedChecks(none.outcome)).toEqual(['probe-users']);
  });

  it('needs probe users for a site other than blog.csdn.net', async () => {
    await expect(runDoctor({ baseUrl: 'http://127.0.0.1:9', dataDir })).rejects.toBeInstanceOf(
      InvalidInputError,
    );
  });
});
