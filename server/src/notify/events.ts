// What an audit entry announces (docs/notifications.md): which kind of event it is, whether a subscription
// wants it, and a summary in plain words. The summary is all a message ever carries: before → after of the
// fields a person reads (on/off, the rollout's share, how many targets and rules), never rule contents,
// secrets or keys. Pure functions, table-tested (events.test.ts).
import type { Actor, FlagState, KeyInfo, NotifyEventKind, RolloutPlan } from '@flagstaff/core/admin';
import type { Serve } from '@flagstaff/core';

/** An audit entry as notify/ sees it (store/write.ts's AuditInput, with the write's actor and reason). */
export interface AuditedChange {
  action: string;
  env?: string;
  resource: { kind: string; key: string };
  before?: unknown;
  after?: unknown;
  reason?: string;
}

export interface NotifyEvent {
  /** The audit action, e.g. `flag_state.kill`, `rollout_plan.pause`, `key.create`; `test` for a test message. */
  type: string;
  kind: NotifyEventKind | 'test';
  /** Null for a project-wide change (a flag's definition, an admin key). */
  env: string | null;
  resource: { kind: string; key: string };
  actor: { kind: Actor['kind']; name: string };
  at: string;
  reason: string | null;
  /** One line: what happened. */
  summary: string;
  /** What changed, in plain words. */
  changes: Array<{ field: string; before: string; after: string }>;
}

/** The kind of event an audit action is, or null for what is never announced (segments, hooks, notifications). */
export function kindOf(action: string, actor: Actor): NotifyEventKind | null {
  if (action.startsWith('flag_state.')) return actor.kind === 'hook' ? 'kill' : 'change';
  // An alert resolved and the flag was kept as the alert left it (kill.resolved, kill.restore_refused).
  if (action.startsWith('kill.')) return 'kill';
  if (action.startsWith('rollout_plan.')) return 'plan';
  if (action === 'flag.create' || action === 'flag.update' || action === 'flag.archive' || action === 'flag.unarchive') return 'flag';
  if (action === 'key.create' || action === 'key.revoke') return 'key';
  return null;
}

/** Whether a subscription wants an event of `kind` about `flagKey` (tagged `flagTags`). */
export function wants(
  sub: { events: string[]; tags: string[]; flags: string[] },
  kind: NotifyEventKind,
  flagKey: string | null,
  flagTags: string[],
): boolean {
  if (!sub.events.includes(kind)) return false;
  if (sub.flags.length > 0 && (flagKey === null || !sub.flags.includes(flagKey))) return false;
  if (sub.tags.length > 0 && (flagKey === null || !flagTags.some((t) => sub.tags.includes(t)))) return false;
  return true;
}

/** The event an audit entry announces, or null. */
export function eventOf(entry: AuditedChange, actor: Actor, at: number, reason: string | undefined): NotifyEvent | null {
  const kind = kindOf(entry.action, actor);
  if (kind === null) return null;
  const where = entry.env ? ` in ${entry.env}` : '';
  const key = entry.resource.key;
  const base = {
    type: entry.action,
    kind,
    env: entry.env ?? null,
    resource: entry.resource,
    actor: { kind: actor.kind, name: actor.name },
    at: new Date(at).toISOString(),
    reason: entry.reason ?? reason ?? null,
  };
  switch (kind) {
    case 'kill':
    case 'change': {
      const before = entry.before as FlagState | undefined;
      const after = entry.after as FlagState | undefined;
      const changes = stateChanges(before, after);
      return { ...base, summary: stateSummary(entry.action, key, where, before, after, actor), changes };
    }
    case 'plan': {
      const before = entry.before as RolloutPlan | undefined;
      const after = entry.after as RolloutPlan | undefined;
      const verb = entry.action.slice('rollout_plan.'.length);
      const changes = diff([
        ['state', before?.state, after?.state],
        ['share', pct(before?.percent), pct(after?.percent)],
      ]);
      return { ...base, summary: `rollout plan of ${key}${where}: ${PLAN_VERBS[verb] ?? verb}`, changes };
    }
    case 'flag': {
      const before = entry.before as Record<string, unknown> | undefined;
      const after = entry.after as Record<string, unknown> | undefined;
      const verb = {
        'flag.create': 'created',
        'flag.update': 'changed',
        'flag.archive': 'archived',
        'flag.unarchive': 'restored from the archive',
      }[entry.action];
      const changes = diff([
        ['name', str(before?.name), str(after?.name)],
        ['description', str(before?.description), str(after?.description)],
        ['tags', list(before?.tags), list(after?.tags)],
        ['archived', str(before?.archived), str(after?.archived)],
      ]);
      return { ...base, summary: `flag ${key} ${verb}`, changes: entry.action === 'flag.create' ? [] : changes };
    }
    case 'key': {
      const info = (entry.after ?? entry.before) as KeyInfo | undefined;
      const what = info ? `${info.kind} key "${info.name}" (…${info.hint})` : `key ${key}`;
      const keyWhere = info?.env ? ` in ${info.env}` : '';
      return { ...base, summary: `${what}${keyWhere} ${entry.action === 'key.create' ? 'created' : 'revoked'}`, changes: [] };
    }
  }
}

/** A test message for a subscription (`notify test`). */
export function testEvent(env: string, actor: Actor, at: number): NotifyEvent {
  return {
    type: 'test',
    kind: 'test',
    env,
    resource: { kind: 'notification', key: 'test' },
    actor: { kind: actor.kind, name: actor.name },
    at: new Date(at).toISOString(),
    reason: null,
    summary: `test message from Flagstaff (${env}): this subscription works`,
    changes: [],
  };
}

const PLAN_VERBS: Record<string, string> = {
  create: 'started',
  step: 'stepped',
  pause: 'paused',
  resume: 'resumed',
  complete: 'completed',
  abort: 'aborted',
};

function stateSummary(
  action: string,
  key: string,
  where: string,
  before: FlagState | undefined,
  after: FlagState | undefined,
  actor: Actor,
): string {
  const by = actor.kind === 'hook' ? `alert hook ${actor.name}` : actor.name;
  if (action === 'kill.resolved') return `${key}${where}: the alert resolved; the flag stays as the alert left it`;
  if (action === 'kill.restore_refused') return `${key}${where}: the alert resolved; the flag was not restored`;
  if (action === 'flag_state.restore') return `${key} restored${where} by ${by}: the alert resolved`;
  if (before?.on === true && after?.on === false) return `${key} turned OFF${where} by ${by}`;
  if (before?.on === false && after?.on === true) return `${key} turned ON${where} by ${by}`;
  if (action === 'flag_state.rollback') return `${key} rolled back${where} by ${by}`;
  return `${key} changed${where} by ${by}`;
}

function stateChanges(before: FlagState | undefined, after: FlagState | undefined) {
  return diff([
    ['state', onOff(before?.on), onOff(after?.on)],
    ['rollout', serve(before?.fallthrough), serve(after?.fallthrough)],
    ['targets', count(before?.targets, 'target'), count(after?.targets, 'target')],
    ['rules', count(before?.rules, 'rule'), count(after?.rules, 'rule')],
  ]);
}

function diff(fields: Array<[string, string | undefined, string | undefined]>) {
  return fields
    .filter(([, b, a]) => b !== a && (b !== undefined || a !== undefined))
    .map(([field, b, a]) => ({ field, before: b ?? '—', after: a ?? '—' }));
}

const onOff = (on: boolean | undefined) => (on === undefined ? undefined : on ? 'on' : 'off');
const str = (v: unknown) => (v === undefined || v === null ? undefined : String(v));
const list = (v: unknown) => (Array.isArray(v) ? (v.length === 0 ? 'none' : v.join(', ')) : undefined);
const pct = (p: number | undefined) => (p === undefined ? undefined : `${p}%`);
const count = (xs: unknown[] | undefined, noun: string) =>
  xs === undefined ? undefined : `${xs.length} ${noun}${xs.length === 1 ? '' : 's'}`;

/** A serve in words: "variation 1" or "25% / 75%". */
function serve(s: Serve | undefined): string | undefined {
  if (s === undefined) return undefined;
  if ('variation' in s) return `variation ${s.variation}`;
  return s.rollout.weights.map((w) => `${w / 1000}%`).join(' / ');
}
