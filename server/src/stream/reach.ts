// Propagation reports: for each change, which SDK streams of this instance were sent it, and which of them
// have said they applied it (POST /sdk/v1/ack). The set is taken when the channel frames the change, so
// a report answers "did everyone who was connected then get it?", and names the ones that did not. Held in
// memory, the last few per environment; one instance's streams only (docs/api.md says what multi-instance
// needs next).
import type { ChangeReach, SdkStreamIdentity } from '@flagstaff/core/admin';
import type { Subscriber } from './subscriber.js';

export interface ReachOptions {
  /** Reports held per environment; older ones are forgotten. */
  perEnv?: number;
  /** How long a change may take to reach every connected SDK before it counts as missed. */
  deadlineMs?: number;
  now?: () => number;
}

/** What a stream is matched by when it acknowledges: its key and the instance id it announced. */
const memberKey = (keyId: string, instance: string) => `${keyId}\u0000${instance}`;

/** The `pending` list's length at most: the count says the rest. */
const PENDING_SHOWN = 100;
/** How far back an SDK may date its application of a version (it batches acks within a second). */
const MAX_AGE_MS = 10_000;

class Report {
  /**
   * The streams that have not acknowledged yet, by member key; an acknowledgement moves one into `times`.
   * Identities are the subscribers' own objects: at 10,000 streams a report costs one Map entry per
   * stream still pending, and nothing per stream once it is complete.
   */
  readonly pending = new Map<string, SdkStreamIdentity>();
  connected = 0;
  /** Milliseconds from sending to each acknowledgement, in the order they came (sorted when read). */
  readonly times: number[] = [];
  /** Streams sent the change that announced no instance id: they cannot acknowledge, so are only counted. */
  unidentified = 0;
  missed = false;
  timer: NodeJS.Timeout | undefined;

  constructor(
    readonly env: string,
    readonly version: number,
    readonly sentAt: number,
    readonly deadlineMs: number,
  ) {}

  get complete(): boolean {
    return this.pending.size === 0;
  }

  view(): ChangeReach {
    const sorted = [...this.times].sort((a, b) => a - b);
    const n = this.connected;
    const at = (share: number): number | null => {
      if (n === 0) return 0;
      const needed = Math.max(1, Math.ceil(share * n));
      return needed <= sorted.length ? Math.round(sorted[needed - 1]!) : null;
    };
    const pending: SdkStreamIdentity[] = [];
    for (const identity of this.pending.values()) {
      if (pending.length === PENDING_SHOWN) break;
      pending.push(identity);
    }
    return {
      env: this.env,
      version: this.version,
      sentAt: new Date(this.sentAt).toISOString(),
      deadlineMs: this.deadlineMs,
      connected: n,
      unidentified: this.unidentified,
      applied: sorted.length,
      complete: this.complete,
      missedDeadline: this.missed,
      timeToMs: { p50: at(0.5), p99: at(0.99), p100: at(1) },
      pending,
    };
  }
}

/** Seconds-buckets of the time-to-reach histogram. */
const BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class ReachBook {
  readonly #reports = new Map<string, Report[]>();
  readonly #perEnv: number;
  readonly #deadlineMs: number;
  readonly #now: () => number;
  /** Per environment: histogram counts of time to 100 % (one slot per bucket, then +Inf), sum, and misses. */
  readonly #stats = new Map<string, { buckets: number[]; sum: number; count: number; missed: number }>();

  constructor({ perEnv = 50, deadlineMs = 5_000, now = Date.now }: ReachOptions = {}) {
    this.#perEnv = perEnv;
    this.#deadlineMs = deadlineMs;
    this.#now = now;
  }

  /** Called as a change is framed: every open stream it goes to becomes a member of its report. */
  sent(env: string, version: number, streams: Iterable<Subscriber>): void {
    const report = new Report(env, version, this.#now(), this.#deadlineMs);
    for (const stream of streams) {
      if (!stream.open) continue;
      const { identity } = stream;
      // A stream without an instance id (a browser, an older SDK, a bare EventSource) cannot acknowledge:
      // waiting for it would make every report fall short, so it is counted apart.
      if (identity.instance === null) report.unidentified++;
      else report.pending.set(memberKey(stream.keyId, identity.instance), identity);
    }
    report.connected = report.pending.size;
    let held = this.#reports.get(env);
    if (held === undefined) this.#reports.set(env, (held = []));
    held.push(report);
    if (held.length > this.#perEnv) clearTimeout(held.shift()!.timer);
    if (report.complete) return;
    report.timer = setTimeout(() => this.#deadline(report), report.deadlineMs);
    report.timer.unref();
  }

  /**
   * An SDK instance (of `keyId`) applied `version`, `ageMs` ago: every held change up to that version that
   * was sent to it counts it as applied. Returns how many reports it moved.
   */
  ack(env: string, keyId: string, instance: string, version: number, ageMs = 0): number {
    const held = this.#reports.get(env);
    if (held === undefined) return 0;
    const key = memberKey(keyId, instance);
    const at = this.#now() - Math.min(Math.max(ageMs, 0), MAX_AGE_MS);
    let moved = 0;
    for (const report of held) {
      if (report.version > version || report.complete) continue;
      if (!report.pending.delete(key)) continue;
      report.times.push(Math.max(0, at - report.sentAt));
      moved++;
      if (report.complete) this.#completed(report);
    }
    return moved;
  }

  /** The report of `version` in `env`, or null when this instance holds none (never sent here, or forgotten). */
  report(env: string, version: number): ChangeReach | null {
    const report = this.#reports.get(env)?.find((r) => r.version === version);
    return report?.view() ?? null;
  }

  /** Prometheus lines: the time-to-reach histogram and the count of changes that missed their deadline. */
  metricsText(): string {
    const lines = [
      '# HELP flagstaff_change_reach_seconds Time from sending a change to its acknowledgement by every SDK connected then.',
      '# TYPE flagstaff_change_reach_seconds histogram',
    ];
    for (const [env, s] of this.#stats) {
      let cumulative = 0;
      BUCKETS.forEach((le, i) => {
        cumulative += s.buckets[i]!;
        lines.push(`flagstaff_change_reach_seconds_bucket{env="${env}",le="${le}"} ${cumulative}`);
      });
      lines.push(`flagstaff_change_reach_seconds_bucket{env="${env}",le="+Inf"} ${s.count}`);
      lines.push(`flagstaff_change_reach_seconds_sum{env="${env}"} ${s.sum}`);
      lines.push(`flagstaff_change_reach_seconds_count{env="${env}"} ${s.count}`);
    }
    lines.push(
      '# HELP flagstaff_change_reach_missed_total Changes not acknowledged by every SDK connected then within the deadline.',
      '# TYPE flagstaff_change_reach_missed_total counter',
      ...[...this.#stats].map(([env, s]) => `flagstaff_change_reach_missed_total{env="${env}"} ${s.missed}`),
    );
    return `${lines.join('\n')}\n`;
  }

  /** Stops the deadline timers (shutdown); reports stay readable. */
  stop(): void {
    for (const held of this.#reports.values()) for (const report of held) clearTimeout(report.timer);
  }

  #stat(env: string) {
    let s = this.#stats.get(env);
    if (s === undefined) this.#stats.set(env, (s = { buckets: BUCKETS.map(() => 0), sum: 0, count: 0, missed: 0 }));
    return s;
  }

  #completed(report: Report): void {
    clearTimeout(report.timer);
    const seconds = report.times.reduce((max, t) => Math.max(max, t), 0) / 1000;
    const s = this.#stat(report.env);
    const bucket = BUCKETS.findIndex((le) => seconds <= le);
    if (bucket !== -1) s.buckets[bucket]!++;
    s.sum += seconds;
    s.count++;
  }

  #deadline(report: Report): void {
    if (report.complete) return;
    report.missed = true;
    this.#stat(report.env).missed++;
  }
}
