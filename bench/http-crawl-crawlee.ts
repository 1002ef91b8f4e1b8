/**
 * The peer in bench/http-crawl.ts: the same job (each user's profile from the home page and
 * every article from get-business-list, 100 a page) written as a Crawlee user would write it,
 * with CheerioCrawler. Fair terms: the same in-flight cap (min = max concurrency, so autoscaling
 * neither starves nor exceeds it), the same 5 s per request, home page and list page 1 asked
 * together, pages 2..k together once page 1 gave the total. Crawlee's own retries (3) answer the
 * replica's faults. @crawlee/cheerio is a devDependency: nothing in src/ imports it.
 *
 * Storage, the one difference between the two variants:
 *   persistent  Crawlee's default (`persistStorage: true`): the request queue (one JSON file per
 *               request, rewritten as it is handled) and the dataset (one JSON file per user) on
 *               disk under CRAWLEE_STORAGE_DIR, a temp dir removed afterwards. This is the job
 *               csdn-crawl does (results kept, resumable after a crash: CRAWLEE_PURGE_ON_START=0).
 *               `run()` returns once the storage has written everything (it awaits its teardown).
 *   memory      `persistStorage: false`: nothing on disk, nothing survives a crash.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CheerioCrawler, Configuration, LogLevel, log } from '@crawlee/cheerio';
import type { JobInput, JobResult } from './http-crawl-jobs.js';

interface UserJob {
  pending: number;
  failed: boolean;
  profile?: unknown;
  articles: Map<string, unknown>;
}

const listUrl = (base: string, user: string, page: number) =>
  `${base}/community/home-api/v1/get-business-list?page=${page}&size=100&businessType=blog&orderby=&noMore=false&year=&month=&username=${encodeURIComponent(user)}`;

export const crawleePersistent = (input: JobInput) => crawleeCheerio(input, true);
export const crawleeInMemory = (input: JobInput) => crawleeCheerio(input, false);

async function crawleeCheerio(input: JobInput, persist: boolean): Promise<JobResult> {
  // The job runs in a process of its own: the env var is how a Crawlee user points its storage.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-crawlee-'));
  process.env.CRAWLEE_STORAGE_DIR = dir;
  try {
    return await crawl(input, persist);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function crawl(input: JobInput, persist: boolean): Promise<JobResult> {
  log.setLevel(LogLevel.ERROR);
  const jobs = new Map<string, UserJob>();
  const articles: Record<string, number> = {};
  let done = 0;
  let failedUsers = 0;

  const settle = (user: string, job: UserJob) => {
    job.pending--;
    if (job.pending > 0) return;
    if (job.failed) failedUsers++;
    else {
      done++;
      articles[user] = job.articles.size;
    }
  };

  const crawler = new CheerioCrawler(
    {
      minConcurrency: input.cap,
      maxConcurrency: input.cap,
      maxRequestRetries: 3,
      navigationTimeoutSecs: 5,
      requestHandlerTimeoutSecs: 30,
      async requestHandler({ request, $, json, pushData, crawler: self }) {
        const { user, kind, page } = request.userData as { user: string; kind: string; page: number };
        const job = jobs.get(user) as UserJob;
        if (kind === 'home') {
          const script = $('script')
            .toArray()
            .map((s) => $(s).text())
            .find((text) => text.includes('__INITIAL_STATE__='));
          if (!script) throw new Error(`no profile on the home page of ${user}`);
          const state = JSON.parse(script.slice(script.indexOf('=') + 1).replace(/;\s*$/, ''));
          job.profile = state.pageData.data.baseInfo;
        } else {
          const data = (json as { data?: { list?: { articleId: number }[]; total?: number } }).data;
          if (!data) throw new Error(`no data in list page ${page} of ${user}`);
          for (const item of data.list ?? []) job.articles.set(String(item.articleId), item);
          if (page === 1 && data.total !== undefined) {
            const pages = Math.ceil(data.total / 100);
            const rest = [];
            for (let n = 2; n <= pages; n++)
              rest.push({ url: listUrl(input.url, user, n), userData: { user, kind: 'list', page: n } });
            job.pending += rest.length;
            if (rest.length > 0) await self.addRequests(rest);
          }
        }
        if (job.pending === 1)
          await pushData({ user, profile: job.profile, articles: [...job.articles.values()] });
        settle(user, job);
      },
      failedRequestHandler({ request }) {
        const { user } = request.userData as { user: string };
        const job = jobs.get(user) as UserJob;
        job.failed = true;
        settle(user, job);
      },
    },
    new Configuration({ persistStorage: persist }),
  );

  const start = [];
  for (const user of input.usernames) {
    jobs.set(user, { pending: 2, failed: false, articles: new Map() });
    start.push({
      url: `${input.url}/${encodeURIComponent(user)}`,
      userData: { user, kind: 'home', page: 0 },
    });
    start.push({ url: listUrl(input.url, user, 1), userData: { user, kind: 'list', page: 1 } });
  }

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await crawler.run(start);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const stats = crawler.stats.state;
  return {
    chosen: stats.requestsFinished + stats.requestsFailed,
    retries: stats.requestsRetries,
    users: done,
    failedUsers,
    articles,
    seconds,
    cpuMs: (cpu.user + cpu.system) / 1000,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}
