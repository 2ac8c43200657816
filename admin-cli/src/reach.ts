// `--wait` on the commands that change what SDKs serve (on, off, rollout): after the write, poll the change's
// propagation report (GET /api/v1/environments/:env/changes/:version) until every SDK that was connected
// when it was sent has applied it, or the timeout passes; then say how far it reached. Short of everyone
// is exit 4 (ReachShort), so that a pipeline can stop on it.
import { Option } from 'commander';
import type { ChangeReach, SdkStreamIdentity } from '@flagstaff/core/admin';
import type { AdminApi } from './api.js';
import { ReachShort, ServerRefusal, UsageError } from './errors.js';

export const waitOption = () =>
  new Option('--wait', 'then wait until every SDK connected at the change has applied it; exit 4 if --timeout passes first');
export const timeoutOption = () => new Option('--timeout <duration>', 'how long --wait waits: 500ms, 5s, 1m').default('5s');

/** `500ms`, `5s`, `1m` as milliseconds. */
export function parseDuration(text: string, option = '--timeout'): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text.trim());
  const value = match === null ? Number.NaN : Number(match[1]) * { ms: 1, s: 1000, m: 60_000 }[match[2] as 'ms' | 's' | 'm'];
  if (!Number.isFinite(value) || value <= 0 || value > 3_600_000) {
    throw new UsageError(`${option} takes a duration up to an hour (500ms, 5s, 1m), not "${text}"`);
  }
  return value;
}

const POLL_MS = 100;
/** Names shown in the reach line; the rest are counted. */
const NAMED = 5;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls until the report is complete or `timeoutMs` passed; the last report read, or null when the server
 * has none for this version (an older server, or one without streaming).
 */
export async function waitForReach(api: AdminApi, env: string, version: number, timeoutMs: number): Promise<ChangeReach | null> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    let report: ChangeReach | null = null;
    try {
      report = await api.getChangeReach(env, version);
    } catch (error) {
      if (!(error instanceof ServerRefusal && error.status === 404)) throw error;
    }
    if (report?.complete === true || Date.now() >= until) return report;
    await sleep(Math.min(POLL_MS, Math.max(0, until - Date.now())));
  }
}

const count = (n: number) => n.toLocaleString('en-US');

function named({ instance, sdk, address }: SdkStreamIdentity): string {
  const about = [sdk?.replace('/', ' '), address].filter(Boolean).join(', ');
  return about === '' ? String(instance) : `${instance} (${about})`;
}

/** "reached 998 of 1,000 connected SDKs in 183 ms; 2 not yet: checkout-7f9c (node 0.3.0, 10.0.4.17), …" */
export function reachLine(report: ChangeReach, timeoutMs: number): string {
  const { connected, unidentified, applied, complete, pending, timeToMs } = report;
  const uncounted =
    unidentified === 0 ? '' : ` (and ${count(unidentified)} stream${unidentified === 1 ? '' : 's'} that cannot acknowledge, e.g. browsers)`;
  if (connected === 0) return `no acknowledging SDK was streaming from this server when it changed${uncounted}`;
  const plural = connected === 1 ? 'SDK' : 'SDKs';
  if (complete)
    return `reached ${count(applied)} of ${count(connected)} connected ${plural} in ${count(timeToMs.p100 ?? 0)} ms${uncounted}`;
  const missing = connected - applied;
  const names = pending.slice(0, NAMED).map(named);
  if (missing > names.length) names.push(`and ${count(missing - names.length)} more`);
  const within = `within ${timeoutMs / 1000} s`;
  return `reached ${count(applied)} of ${count(connected)} connected ${plural} ${within}${uncounted}; ${count(missing)} not yet: ${names.join(', ')}`;
}

/** The failure `--wait` ends with when the report says not everyone has it (or there is no report). */
export function shortOf(report: ChangeReach | null, env: string, version: number): ReachShort | null {
  if (report === null) {
    return new ReachShort(
      `the server has no propagation report of version ${version} of ${env}`,
      'it keeps reports only for changes sent by the instance that answered, and only the latest ones',
    );
  }
  if (report.complete) return null;
  return new ReachShort(`version ${version} of ${env} has not reached every connected SDK yet`);
}
