import { describe, expect, it } from 'vitest';
import { snapshotChecksum } from './checksum.js';
import { evaluate } from './evaluate.js';
import type { Flag } from './model.js';
import { createBackoff, FlagSync } from './sync.js';
import { flagOff, flagOn, inSegment, ruleFlag, segment, snapshotOf } from './testing/index.js';

const valueIn = (sync: FlagSync, key: string, context: Record<string, unknown> = { key: 'u1' }) =>
  evaluate(sync.state!, key, context, null).value;

const json = (value: unknown) => JSON.stringify(value);

function serverSync(version = 5, ...flags: Flag[]): FlagSync {
  const sync = new FlagSync();
  expect(sync.put(snapshotOf(version, flags.length > 0 ? flags : [flagOn('a'), flagOff('b')]))).toMatchObject({ ok: true });
  return sync;
}

describe('FlagSync: applying what the server sends', () => {
  it('applies a put and reports every flag as changed', () => {
    const sync = new FlagSync();
    const result = sync.receive('put', json(snapshotOf(3, [flagOn('a'), flagOn('b')])));
    expect(result).toEqual({ ok: true, change: { keys: ['a', 'b'], version: 3 } });
    expect(sync.source).toBe('server');
    expect(valueIn(sync, 'a')).toBe(true);
  });

  it('applies a newer patch and names only the changed flag', () => {
    const sync = serverSync();
    const result = sync.receive('patch', json({ version: 6, kind: 'flag', key: 'b', value: flagOn('b', { version: 2 }) }));
    expect(result).toEqual({ ok: true, change: { keys: ['b'], version: 6 } });
    expect(valueIn(sync, 'b')).toBe(true);
  });

  it('never lets an older put, patch or delete overwrite a newer state', () => {
    const sync = serverSync(5);
    const held = sync.state;
    expect(sync.receive('put', json(snapshotOf(4, [flagOff('a', { version: 9 })])))).toEqual({ ok: true, change: null });
    expect(sync.receive('patch', json({ version: 4, kind: 'flag', key: 'a', value: flagOff('a', { version: 9 }) }))).toEqual({
      ok: true,
      change: null,
    });
    expect(sync.receive('delete', json({ version: 3, kind: 'flag', key: 'a' }))).toEqual({ ok: true, change: null });
    expect(sync.state).toBe(held);
    expect(valueIn(sync, 'a')).toBe(true);
  });

  it('applies a delete', () => {
    const sync = serverSync(5);
    expect(sync.receive('delete', json({ version: 6, kind: 'flag', key: 'a' }))).toEqual({ ok: true, change: { keys: ['a'], version: 6 } });
    expect(sync.state!.flags.has('a')).toBe(false);
  });

  it('applies every event of a change that share one version, and a replay of them changes nothing', () => {
    const sync = serverSync(5, flagOn('a'));
    const staff = segment('staff', { included: ['u1'] });
    const gated = ruleFlag('a', [inSegment('staff')], { version: 2 });
    const group = [
      ['patch', json({ version: 6, kind: 'segment', key: 'staff', value: staff })],
      ['patch', json({ version: 6, kind: 'flag', key: 'a', value: gated })],
    ] as const;
    for (const [type, data] of group) expect(sync.receive(type, data)).toMatchObject({ ok: true });
    expect(sync.state!.version).toBe(6);
    expect(valueIn(sync, 'a', { key: 'u1' })).toBe(true);
    expect(valueIn(sync, 'a', { key: 'u2' })).toBe(false);

    const held = sync.state;
    for (const [type, data] of group) expect(sync.receive(type, data)).toEqual({ ok: true, change: null });
    expect(sync.state).toBe(held);

    // The flag stops naming the segment, which leaves in the same change.
    expect(sync.receive('patch', json({ version: 7, kind: 'flag', key: 'a', value: flagOn('a', { version: 3 }) }))).toMatchObject({
      ok: true,
    });
    expect(sync.receive('delete', json({ version: 7, kind: 'segment', key: 'staff' }))).toMatchObject({ ok: true });
    expect(sync.state!.segments.has('staff')).toBe(false);
    expect(valueIn(sync, 'a', { key: 'u2' })).toBe(true);
  });

  it.each([
    ['garbage JSON', 'put', '{"version": 9, "flags": '],
    ['a put of the wrong shape', 'put', json({ version: 9, flags: [] })],
    ['a flag without variations', 'patch', json({ version: 9, kind: 'flag', key: 'a', value: { key: 'a', version: 2, on: true } })],
    ['a patch whose key disagrees', 'patch', json({ version: 9, kind: 'flag', key: 'a', value: flagOn('b', { version: 2 }) })],
    ['a delete of an unknown kind', 'delete', json({ version: 9, kind: 'rule', key: 'a' })],
    ['an unknown event type', 'replace', json(snapshotOf(9, []))],
    ['JSON null', 'patch', 'null'],
  ])('refuses %s without touching the held flags', (_, type, data) => {
    const sync = serverSync(5);
    const held = sync.state;
    const result = sync.receive(type, data);
    expect(result.ok).toBe(false);
    expect(sync.state).toBe(held);
    expect(valueIn(sync, 'a')).toBe(true);
  });

  it('refuses a patch before any put from the server, even over a bootstrap', () => {
    const sync = new FlagSync();
    sync.bootstrap(snapshotOf(5, [flagOn('a')]));
    expect(sync.receive('patch', json({ version: 6, kind: 'flag', key: 'a', value: flagOff('a', { version: 2 }) }))).toMatchObject({
      ok: false,
    });
    expect(valueIn(sync, 'a')).toBe(true);
  });
});

describe('FlagSync: bootstrap', () => {
  it('serves a bootstrap until the first server data, which replaces it whatever the versions', () => {
    const sync = new FlagSync();
    expect(sync.bootstrap(snapshotOf(100, [flagOn('a', { version: 7 })]))).toMatchObject({ ok: true });
    expect(sync.source).toBe('bootstrap');
    expect(sync.resumeVersion).toBeNull();
    expect(valueIn(sync, 'a')).toBe(true);

    const result = sync.put(snapshotOf(3, [flagOff('a')]));
    expect(result).toEqual({ ok: true, change: { keys: ['a'], version: 3 } });
    expect(sync.source).toBe('server');
    expect(valueIn(sync, 'a')).toBe(false);
    expect(sync.resumeVersion).toBe(3);
  });

  it('never replaces server data with a bootstrap', () => {
    const sync = serverSync(5);
    expect(sync.bootstrap(snapshotOf(50, [flagOff('a', { version: 9 })]))).toEqual({ ok: true, change: null });
    expect(valueIn(sync, 'a')).toBe(true);
  });

  it('refuses a bootstrap that is not a snapshot', () => {
    const sync = new FlagSync();
    expect(sync.bootstrap({ flags: 'nope' }).ok).toBe(false);
    expect(sync.state).toBeNull();
    expect(sync.status().state).toBe('initializing');
  });
});

describe('FlagSync: heartbeats', () => {
  const held = () => serverSync(5, flagOn('a'), flagOn('b', { version: 3 }));
  const checksum = snapshotChecksum(snapshotOf(5, [flagOn('a'), flagOn('b', { version: 3 })]));

  it('is content with a heartbeat that matches what it holds', () => {
    expect(held().heartbeat(` hb 5 ${checksum}`)).toBe('ok');
  });

  it('asks for a resync when the checksum disagrees at the same version', () => {
    expect(held().heartbeat(`hb 5 0000000000000000`)).toBe('resync');
  });

  it('asks for a resync when the server is at a newer version than it holds', () => {
    expect(held().heartbeat(`hb 6 ${checksum}`)).toBe('resync');
  });

  it('does not go back when the server reports an older version', () => {
    expect(held().heartbeat(`hb 4 ffffffffffffffff`)).toBe('ok');
  });

  it('ignores other comments, and heartbeats before any server data', () => {
    expect(held().heartbeat('keep-alive')).toBeNull();
    expect(held().heartbeat('hb x y')).toBeNull();
    expect(new FlagSync().heartbeat(`hb 5 ${checksum}`)).toBeNull();
  });

  it('is content again after the resync put arrives', () => {
    const sync = serverSync(5, flagOn('a'));
    const truth = snapshotOf(5, [flagOff('a', { version: 2 })]);
    expect(sync.heartbeat(`hb 5 ${snapshotChecksum(truth)}`)).toBe('resync');
    expect(sync.put(truth)).toEqual({ ok: true, change: { keys: ['a'], version: 5 } });
    expect(sync.heartbeat(`hb 5 ${snapshotChecksum(truth)}`)).toBe('ok');
  });
});

describe('FlagSync: status', () => {
  it('moves from initializing to ready, to stale since the loss, and back', () => {
    const sync = new FlagSync();
    expect(sync.status()).toEqual({ state: 'initializing', source: 'none', version: null, staleSince: null, lastError: null });
    sync.channel('stream', true, 1_000);
    expect(sync.phase).toBe('initializing');
    sync.put(snapshotOf(2, [flagOn('a')]));
    expect(sync.status()).toMatchObject({ state: 'ready', source: 'server', version: 2, staleSince: null });

    sync.channel('stream', false, 5_000);
    sync.fail({ code: 'network', message: 'connection refused' }, 5_000);
    sync.channel('stream', false, 9_000);
    expect(sync.status()).toMatchObject({
      state: 'stale',
      staleSince: new Date(5_000),
      lastError: { code: 'network', at: new Date(5_000) },
    });

    sync.channel('poll', true, 12_000);
    expect(sync.status()).toMatchObject({ state: 'ready', staleSince: null });
  });

  it('stays ready while any channel works', () => {
    const sync = serverSync();
    sync.channel('stream', true, 0);
    sync.channel('poll', true, 0);
    sync.channel('stream', false, 10);
    expect(sync.phase).toBe('ready');
  });

  it('is failed when the server refuses the key, until a channel works again', () => {
    const sync = serverSync();
    sync.channel('stream', true, 0);
    sync.fail({ code: 'unauthorized', message: 'unknown key', status: 401 }, 100, true);
    expect(sync.status()).toMatchObject({ state: 'failed', staleSince: new Date(100), lastError: { status: 401 } });
    sync.channel('stream', true, 200);
    expect(sync.phase).toBe('ready');
  });

  it('is ready offline once the bootstrap is held, and closed after close()', () => {
    const sync = new FlagSync(true);
    expect(sync.phase).toBe('initializing');
    sync.bootstrap(snapshotOf(1, [flagOn('a')]));
    expect(sync.status()).toMatchObject({ state: 'ready', source: 'bootstrap' });
    sync.close();
    expect(sync.phase).toBe('closed');
  });
});

describe('backoff', () => {
  const options = { baseMs: 1_000, maxMs: 30_000, resetAfterMs: 1_000 };

  /** The delays drawn for consecutive failures at these times (ms). */
  const delays = (backoff: ReturnType<typeof createBackoff>, ...failures: number[]) => failures.map((at) => backoff.next(at));

  it('draws each delay uniformly below a ceiling: baseMs at first, then half the time the server has been away, at most maxMs', () => {
    expect(createBackoff(options, () => 0).next(0)).toBe(0);
    // Each failure comes as the previous delay ends: the ceiling follows the outage, so it grows, then stays capped.
    const backoff = createBackoff(options, () => 0.999);
    const times = [0];
    for (let i = 0; i < 12; i++) times.push(times.at(-1)! + backoff.next(times.at(-1)!));
    const waits = times.slice(1).map((t, i) => t - times[i]!);
    expect(waits.slice(0, 6)).toEqual([999, 999, 999, 1_497, 2_244, 3_365]);
    for (let i = 1; i < waits.length; i++) expect(waits[i]).toBeGreaterThanOrEqual(Math.min(waits[i - 1]!, 29_970));
    expect(waits.at(-1)).toBe(29_970);
    expect(Math.max(...waits)).toBeLessThan(30_000);
    // A server that stays down for an hour is still tried at least every maxMs.
    const away = createBackoff(options, () => 0.999);
    away.next(0);
    expect(away.next(3_600_000)).toBe(29_970);
  });

  it('spreads clients: delays for one outage cover the whole range', () => {
    const drawn = Array.from({ length: 2_000 }, () => {
      const backoff = createBackoff(options);
      backoff.next(0);
      return backoff.next(8_000);
    });
    expect(Math.min(...drawn)).toBeLessThan(400);
    expect(Math.max(...drawn)).toBeGreaterThan(3_600);
    expect(Math.max(...drawn)).toBeLessThan(4_000);
  });

  it('keeps growing across connections that drop before delivering the server state or within resetAfterMs', () => {
    const backoff = createBackoff(options, () => 0.5);
    expect(delays(backoff, 0, 4_000)).toEqual([500, 1_000]);
    backoff.synced(4_100); // a put, then dropped 900 ms later: a server that dies at start-up
    expect(backoff.next(5_000)).toBe(1_250);
    // An open connection that never delivered anything (a proxy with no upstream) counts as nothing.
    expect(backoff.next(12_000)).toBe(3_000);
  });

  it('starts over after a connection that delivered the server state and lived resetAfterMs: a restart costs one short delay', () => {
    const backoff = createBackoff(options, () => 0.999);
    expect(delays(backoff, 0, 1_000, 2_000, 10_000)).toEqual([999, 999, 999, 4_995]);
    backoff.synced(11_000);
    backoff.synced(11_900); // later frames of the same connection do not move the start
    expect(backoff.next(12_000)).toBe(999);
    expect(backoff.next(13_000)).toBe(999);
  });
});
