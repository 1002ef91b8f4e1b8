/**
 * `csdn-crawl doctor` for CSDN: a few sequential requests per probe user, each answer judged by
 * the checks in doctor-probes*.ts. Once the site answers with a defence (security check, bot
 * wall, throttling) nothing more is sent: the remaining checks are reported blocked.
 */
import type { DoctorCheck, DoctorContext } from '../../core/doctor.js';
import { AbortedError } from '../../core/errors.js';
import type { HttpResponse } from '../../core/http-client.js';
import {
  blockedReason,
  type Json,
  type ProbeResult,
  probeEnvelope,
  probeListItems,
  probePageSize,
  probeTabTotal,
  probeTotal,
  probeUserList,
  skipped,
} from './doctor-probes.js';
import {
  probeAchievementModule,
  probeAchievements,
  probeHeadCounters,
  probeHome,
  probeInitialState,
  probeLegacyPager,
  probeNotFoundPage,
  probeUserModule,
} from './doctor-probes-home.js';
import { csdnUrls } from './urls.js';

/**
 * Long-lived public accounts used when no probe users are given (override with `--users` or
 * `doctor.users`): CSDN's own news account and two authors blogging there for over a decade.
 */
export const DEFAULT_PROBE_USERS = ['csdnnews', 'v_JULY_v', 'lmj623565791'];
/** A username no one has: its page must be the site's 404 page. */
export const NOT_FOUND_PROBE = 'csdn-crawl-doctor-no-such-user';
/** The page size asked of get-business-list; a shorter first page is a cap. */
export const DOCTOR_PAGE_SIZE = 100;

type Fetched = { response: HttpResponse } | { blocked: string; response?: HttpResponse };

export async function runCsdnDoctor(baseUrl: string, context: DoctorContext): Promise<DoctorCheck[]> {
  const urls = csdnUrls(baseUrl);
  const base = baseUrl.replace(/\/+$/, '');
  const rows: DoctorCheck[] = [];
  let blockedBy: string | undefined;
  let answers = 0;

  async function fetch(url: string): Promise<Fetched> {
    if (blockedBy) return { blocked: `not probed: ${blockedBy} earlier` };
    try {
      const response = await context.http.get(url, { signal: context.signal });
      answers++;
      const reason = blockedReason(response);
      if (reason) {
        blockedBy = reason;
        return { blocked: reason, response };
      }
      return { response };
    } catch (error) {
      if (error instanceof AbortedError) throw error;
      blockedBy = 'no answer';
      return { blocked: `no answer: ${(error as Error).message}` };
    }
  }

  const row = (check: string, target: string, result: ProbeResult, response?: HttpResponse) => {
    rows.push({ check, target, ...result, response: result.status === 'ok' ? undefined : response });
  };

  /** One JSON endpoint: a row for the envelope, then the data's own checks. */
  async function api(
    check: string,
    target: string,
    url: string,
  ): Promise<{ data?: Json; response?: HttpResponse }> {
    const got = await fetch(url);
    if ('blocked' in got) {
      row(check, target, { status: 'blocked', detail: got.blocked }, got.response);
      return {};
    }
    const { result, data } = probeEnvelope(got.response);
    if (result.status !== 'ok' || !data) {
      row(check, target, result, got.response);
      return { response: got.response };
    }
    return { data, response: got.response };
  }

  let present = 0;
  const users = context.users.length > 0 ? context.users : DEFAULT_PROBE_USERS;
  for (const user of users) {
    const home = await fetch(urls.home(user));
    if ('blocked' in home) {
      row('home', user, { status: 'blocked', detail: home.blocked }, home.response);
      continue;
    }
    const homeResult = probeHome(home.response);
    row('home', user, homeResult, home.response);
    if (homeResult.status === 'missing') continue;
    present++;
    if (homeResult.status === 'ok') {
      const state = probeInitialState(home.response.body);
      row('initial-state', user, state.result, home.response);
      if (state.baseInfo) {
        row('user-module', user, probeUserModule(state.baseInfo), home.response);
        row('achievement-module', user, probeAchievementModule(state.baseInfo), home.response);
        row('achievements', user, probeAchievements(state.baseInfo), home.response);
      }
      row('head-counters', user, probeHeadCounters(home.response.body), home.response);
    }

    const tab = await api('tab-total', user, urls.tabTotal(user));
    let articles: number | undefined;
    if (tab.data) {
      const judged = probeTabTotal(tab.data);
      articles = judged.blog;
      row('tab-total', user, judged.result, tab.response);
    }

    const list = await api('business-list', user, urls.businessList(user, 1, DOCTOR_PAGE_SIZE));
    if (list.data) {
      row('business-list', user, { status: 'ok', detail: 'HTTP 200 JSON, code 200' });
      row('business-list.fields', user, probeListItems(list.data), list.response);
      row('business-list.total', user, probeTotal(list.data), list.response);
      row(
        'business-list.page-size',
        user,
        probePageSize(list.data, DOCTOR_PAGE_SIZE, articles),
        list.response,
      );
    }

    await fansChecks(user);
    const follows = await judgeApi(urls.follows(user, 1, 20), probeUserList);
    row('follows-v1', user, follows.result, follows.response);

    const legacy = await fetch(urls.legacyList(user, 1));
    if ('blocked' in legacy)
      row('legacy-pager', user, { status: 'blocked', detail: legacy.blocked }, legacy.response);
    else row('legacy-pager', user, probeLegacyPager(legacy.response), legacy.response);
  }

  /** One JSON endpoint judged whole: blocked, the envelope's problem, or the data's check. */
  async function judgeApi(url: string, judge: (data: Json) => ProbeResult) {
    const got = await fetch(url);
    if ('blocked' in got)
      return { result: { status: 'blocked', detail: got.blocked } as ProbeResult, response: got.response };
    const { result, data } = probeEnvelope(got.response);
    return { result: data && result.status === 'ok' ? judge(data) : result, response: got.response };
  }

  /** Fans over v1 (what the adapter documents) and v2 (what today's pages call): which answers. */
  async function fansChecks(user: string): Promise<void> {
    const v1 = await judgeApi(urls.fans(user, 1, 20), probeUserList);
    const v2Url = `${base}/community/home-api/v2/get-fans-list?page=1&pageSize=20&id=0&noMore=false&blogUsername=${encodeURIComponent(user)}`;
    const v2 = await judgeApi(v2Url, probeUserList);
    if (v1.result.status === 'changed' && v2.result.status === 'ok') {
      v1.result = { status: 'changed', detail: `${v1.result.detail}; v2 answers` };
    }
    if (v2.result.status === 'changed' && v1.result.status === 'ok') {
      v2.result = skipped(`v2 not served (${v2.result.detail}); v1 answers`);
    }
    row('fans-v1', user, v1.result, v1.response);
    row('fans-v2', user, v2.result, v2.response);
  }

  const missing = await fetch(`${base}/${encodeURIComponent(NOT_FOUND_PROBE)}`);
  if ('blocked' in missing)
    row('not-found-page', 'site', { status: 'blocked', detail: missing.blocked }, missing.response);
  else row('not-found-page', 'site', probeNotFoundPage(missing.response), missing.response);

  if (present === 0 && !blockedBy) {
    row('probe-users', 'site', {
      status: 'changed',
      detail: `none of ${users.join(', ')} exists here: choose other probe users (--users)`,
    });
  }
  row(
    'challenge',
    'site',
    blockedBy
      ? { status: 'blocked', detail: blockedBy }
      : { status: 'ok', detail: `no defence in ${answers} answers` },
  );
  return rows;
}
