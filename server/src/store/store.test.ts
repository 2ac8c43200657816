import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../log.js';
import { LocalChangeFeed, type EnvChange } from './changes.js';
import type { Actor } from './resources.js';
import { Store } from './store.js';

const actor: Actor = { kind: 'admin', id: 'key_test', name: 'test' };
const meta = { actor };

let dir: string;
let feed: LocalChangeFeed;
let changes: EnvChange[];
let store: Store;

const open = () => Store.open({ dbPath: join(dir, 'flagstaff.db'), feed, log: createLogger('error', () => {}) });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flagstaff-store-'));
  feed = new LocalChangeFeed();
  changes = [];
  feed.subscribe((change) => changes.push(change));
  store = open();
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a new store', () => {
  it('has development, staging and production, each with an empty snapshot at version 1', () => {
    expect(store.environments.list().map((e) => e.key)).toEqual(['development', 'staging', 'production']);
    expect(store.snapshots.snapshot('production')).toEqual({ version: 1, flags: {}, segments: {} });
    expect(store.snapshots.snapshot('nowhere')).toBeNull();
    expect(store.ready()).toBe(true);
  });
});

describe('writes', () => {
  it('creating a flag publishes one change per environment, after commit, with the bumped env version', () => {
    const seenInsideListener: unknown[] = [];
    feed.subscribe((change) => seenInsideListener.push(store.snapshots.snapshot(change.env)?.flags['new-checkout']?.version));
    store.flags.create({ key: 'new-checkout' }, meta);
    expect(changes.map((c) => [c.env, c.version, c.kind, c.key])).toEqual([
      ['development', 2, 'flag', 'new-checkout'],
      ['staging', 2, 'flag', 'new-checkout'],
      ['production', 2, 'flag', 'new-checkout'],
    ]);
    // The snapshot has moved before anyone hears of the change.
    expect(seenInsideListener).toEqual([1, 1, 1]);
    expect(store.snapshots.snapshot('production')!.flags['new-checkout']).toMatchObject({
      on: false,
      variations: [false, true],
      fallthrough: { variation: 1 },
    });
  });

  it('replaces snapshot objects instead of mutating them', () => {
    store.flags.create({ key: 'a' }, meta);
    const before = store.snapshots.snapshot('production')!;
    const flagBefore = before.flags.a!;
    store.flagStates.patch('a', 'production', { on: true }, meta);
    const after = store.snapshots.snapshot('production')!;
    expect(after).not.toBe(before);
    expect(before.flags.a).toBe(flagBefore);
    expect(flagBefore.on).toBe(false);
    expect(after.flags.a!.on).toBe(true);
    expect(after.version).toBe(before.version + 1);
  });

  it('a write that fails validation rolls back and publishes nothing', () => {
    store.flags.create({ key: 'a' }, meta);
    changes.length = 0;
    const snapshot = store.snapshots.snapshot('production');
    expect(() => store.flagStates.patch('a', 'production', { fallthrough: { variation: 7 } }, meta)).toThrow(/variation 7 does not exist/);
    expect(changes).toEqual([]);
    expect(store.snapshots.snapshot('production')).toBe(snapshot);
    expect(store.flagStates.get('a', 'production').version).toBe(1);
    expect(store.audit.query({ limit: 10 }).entries[0]!.action).toBe('flag.create');
  });

  it('a stale If-Match is a version_conflict naming the current version, and changes nothing', () => {
    store.flags.create({ key: 'a' }, meta);
    store.flagStates.patch('a', 'production', { on: true }, { actor, ifMatch: 1 });
    expect(() => store.flagStates.patch('a', 'production', { on: false }, { actor, ifMatch: 1 })).toThrow(
      expect.objectContaining({ code: 'version_conflict', details: { currentVersion: 2 } }),
    );
    expect(store.flagStates.get('a', 'production').on).toBe(true);
  });

  it('setting a state to what it already is changes nothing: no version, no audit entry, no event', () => {
    store.flags.create({ key: 'a' }, meta);
    changes.length = 0;
    const state = store.flagStates.patch('a', 'production', { on: false }, meta);
    expect(state.version).toBe(1);
    expect(changes).toEqual([]);
  });

  it('a definition change visible to SDKs bumps every environment; a description change bumps none', () => {
    store.flags.create({ key: 'colour', kind: 'string', variations: ['red', 'blue'] }, meta);
    changes.length = 0;
    store.flags.update('colour', { description: 'which colour' }, meta);
    expect(changes).toEqual([]);
    store.flags.update('colour', { variations: ['red', 'green'] }, meta);
    expect(changes.map((c) => c.env)).toEqual(['development', 'staging', 'production']);
    expect(store.snapshots.snapshot('staging')!.flags.colour).toMatchObject({ version: 2, variations: ['red', 'green'] });
    expect(store.flags.get('colour').version).toBe(3);
  });

  it('refuses variations that would leave an environment state invalid, naming the environment', () => {
    store.flags.create({ key: 'colour', kind: 'string', variations: ['red', 'blue'] }, meta);
    store.flagStates.patch('colour', 'production', { fallthrough: { variation: 1 } }, meta);
    expect(() => store.flags.update('colour', { variations: ['red'] }, meta)).toThrow(
      expect.objectContaining({
        code: 'validation_failed',
        details: {
          issues: [{ path: 'environments.production.fallthrough.variation', message: expect.stringMatching(/variation 1 does not exist/) }],
        },
      }),
    );
  });

  it('archiving removes the flag from every snapshot (a null change) and unarchiving brings it back as it was', () => {
    store.flags.create({ key: 'a' }, meta);
    store.flagStates.patch('a', 'production', { on: true }, meta);
    changes.length = 0;
    store.flags.setArchived('a', true, meta);
    expect(changes.map((c) => [c.env, c.value])).toEqual([
      ['development', null],
      ['staging', null],
      ['production', null],
    ]);
    expect(store.snapshots.snapshot('production')!.flags.a).toBeUndefined();
    expect(() => store.flagStates.patch('a', 'production', { on: false }, meta)).toThrow(expect.objectContaining({ code: 'archived' }));
    store.flags.setArchived('a', false, meta);
    expect(store.snapshots.snapshot('production')!.flags.a).toMatchObject({ on: true, version: 4 });
  });

  it('a new environment gets every flag in its default state and a snapshot of its own', () => {
    store.flags.create({ key: 'a' }, meta);
    store.environments.create({ key: 'qa', name: 'QA' }, meta);
    expect(store.snapshots.snapshot('qa')).toMatchObject({ version: 1, flags: { a: { on: false, version: 1 } } });
    expect(store.flags.get('a').environments.qa).toMatchObject({ on: false, version: 1 });
  });

  it('segments: create, update, refuse deletion while used, then delete', () => {
    store.segments.create('production', 'beta', { included: ['u1'] }, meta);
    store.flags.create({ key: 'a' }, meta);
    const rules = [{ id: 'beta', clauses: [{ attribute: '', op: 'segmentMatch' as const, values: ['beta'] }], serve: { variation: 1 } }];
    store.flagStates.patch('a', 'production', { rules }, meta);
    expect(() => store.segments.delete('production', 'beta', meta)).toThrow(
      expect.objectContaining({ code: 'segment_in_use', details: { flags: ['a'] } }),
    );
    store.flagStates.patch('a', 'production', { rules: [] }, meta);
    store.segments.delete('production', 'beta', meta);
    expect(store.snapshots.snapshot('production')!.segments).toEqual({});
    expect(changes.at(-1)).toMatchObject({ env: 'production', kind: 'segment', key: 'beta', value: null });
  });

  it('snapshots kept current in memory equal the ones loaded from the database', () => {
    store.segments.create(
      'production',
      'beta',
      { included: ['u1'], rules: [{ clauses: [{ attribute: 'plan', op: 'in', values: ['pro'] }] }] },
      meta,
    );
    store.flags.create({ key: 'plain' }, meta);
    store.flags.create({ key: 'seeded', kind: 'json', variations: [{ a: 1 }, [2], null], seed: 'salt', clientSide: true }, meta);
    store.flags.create({ key: 'gone' }, meta);
    // The prepared path (staging) and the plain path (production) must agree with the database too.
    expect(store.snapshots.prepared('staging')).not.toBeNull();
    const rules = [
      {
        id: 'beta',
        clauses: [{ attribute: '', op: 'segmentMatch' as const, values: ['beta'] }],
        serve: { rollout: { bucketBy: 'key', weights: [50000, 25000, 25000] } },
      },
    ];
    store.flagStates.patch('seeded', 'production', { on: true, targets: [{ variation: 2, values: ['u9'] }], rules }, meta);
    store.flagStates.patch('plain', 'staging', { on: true }, meta);
    store.flags.setArchived('gone', true, meta);
    const inMemory = store.environments.list().map((e) => store.snapshots.snapshot(e.key));
    store.close();
    store = open();
    const loaded = store.environments.list().map((e) => store.snapshots.snapshot(e.key));
    expect(loaded).toEqual(inMemory);
    expect(JSON.stringify(loaded)).toBe(JSON.stringify(inMemory));
    expect(loaded[2]!.flags.seeded).toMatchObject({ seed: 'salt', variations: [{ a: 1 }, [2], null] });
    expect('seed' in loaded[2]!.flags.plain!).toBe(false);
  });

  it('versions are persisted: a reopened store continues from where it was', () => {
    store.flags.create({ key: 'a' }, meta);
    store.flagStates.patch('a', 'production', { on: true }, meta);
    const version = store.snapshots.snapshot('production')!.version;
    store.close();
    store = open();
    expect(store.snapshots.snapshot('production')).toMatchObject({ version, flags: { a: { on: true, version: 2 } } });
    store.flagStates.patch('a', 'production', { on: false }, meta);
    expect(store.snapshots.snapshot('production')!.version).toBe(version + 1);
  });
});

describe('the audit log', () => {
  it('pages newest first by cursor and filters by flag, env, actor and action', () => {
    for (let i = 0; i < 5; i++) store.flags.create({ key: `f${i}` }, meta);
    store.flagStates.patch('f1', 'staging', { on: true }, { actor: { kind: 'admin', id: 'key_other', name: 'ops' }, reason: 'testing' });
    const first = store.audit.query({ limit: 4 });
    expect(first.entries.map((e) => e.action)).toEqual(['flag_state.update', 'flag.create', 'flag.create', 'flag.create']);
    const second = store.audit.query({ limit: 4, beforeId: first.nextBeforeId! });
    expect(second.entries.map((e) => e.resource.key)).toEqual(['f1', 'f0', 'production', 'staging']);
    expect(store.audit.query({ limit: 10, flag: 'f1' }).entries).toHaveLength(2);
    expect(store.audit.query({ limit: 10, env: 'staging', actor: 'ops' }).entries).toMatchObject([{ reason: 'testing', env: 'staging' }]);
    expect(store.audit.query({ limit: 10, action: 'flag.*' }).entries).toHaveLength(5);
    expect(store.audit.query({ limit: 10, action: 'flag_%' }).entries).toHaveLength(0);
  });
});

describe('keys', () => {
  it('stores only a hash, finds a key by its secret, and tells revoked from unknown', () => {
    const { info, key } = store.keys.create({ kind: 'server', env: 'production' }, meta);
    expect(key).toMatch(/^fss_[\w-]{32}$/);
    expect(info.hint).toBe(`fss_…${key.slice(-4)}`);
    expect(store.keys.lookup(key)).toMatchObject({ status: 'valid', key: { id: info.id, env: 'production' } });
    expect(store.keys.lookup(`${key}x`)).toEqual({ status: 'unknown' });
    store.keys.create({ kind: 'admin' }, meta);
    store.keys.revoke(info.id, meta);
    expect(store.keys.lookup(key).status).toBe('revoked');
  });

  it('refuses to revoke the last admin token', () => {
    const { info } = store.keys.create({ kind: 'admin' }, meta);
    expect(() => store.keys.revoke(info.id, meta)).toThrow(expect.objectContaining({ code: 'last_admin_token' }));
    const second = store.keys.create({ kind: 'admin', name: 'second' }, meta);
    expect(store.keys.revoke(info.id, meta).revokedAt).not.toBeNull();
    expect(() => store.keys.revoke(second.info.id, meta)).toThrow(expect.objectContaining({ code: 'last_admin_token' }));
  });
});

describe('last-used times', () => {
  it('are written at most once a minute per key', () => {
    store.close();
    let now = Date.parse('2026-01-01T00:00:00Z');
    store = Store.open({ dbPath: join(dir, 'flagstaff.db'), feed, log: createLogger('error', () => {}), clock: () => now });
    const { key } = store.keys.create({ kind: 'client', env: 'staging' }, meta);
    const found = () => store.keys.lookup(key);
    const lastUsed = () => store.keys.list().find((k) => k.kind === 'client')!.lastUsedAt;
    const record = found();
    if (record.status !== 'valid') throw new Error('expected a valid key');
    store.keys.touch(record.key);
    expect(lastUsed()).toBe('2026-01-01T00:00:00.000Z');
    now += 59_000;
    store.keys.touch(record.key);
    expect(lastUsed()).toBe('2026-01-01T00:00:00.000Z');
    now += 1_000;
    store.keys.touch(record.key);
    expect(lastUsed()).toBe('2026-01-01T00:01:00.000Z');
    // …and what was written survives a restart.
    store.close();
    store = open();
    expect(lastUsed()).toBe('2026-01-01T00:01:00.000Z');
  });
});
