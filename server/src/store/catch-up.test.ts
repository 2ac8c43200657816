import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../log.js';
import { LocalChangeFeed } from './changes.js';
import type { Actor } from './resources.js';
import { Store } from './store.js';

const meta = { actor: { kind: 'admin', id: 'key_test', name: 'test' } satisfies Actor };

let dir: string;
let a: Store;
let b: Store;
const open = () => Store.open({ dbPath: join(dir, 'flagstaff.db'), feed: new LocalChangeFeed(), log: createLogger('error', () => {}) });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flagstaff-catch-up-'));
  a = open();
  b = open();
});

afterEach(() => {
  a.close();
  b.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('catching up with what another instance committed to the same file', () => {
  it('reads nothing when nothing was committed elsewhere', () => {
    expect(b.catchUp()).toEqual({ environments: [], keys: [] });
  });

  it('gives back the one change when an environment moved by one version, and moves the snapshot with it', () => {
    a.flags.create({ key: 'checkout' }, meta);
    b.catchUp();
    a.flagStates.patch('checkout', 'production', { on: true }, meta);
    const { environments } = b.catchUp();
    expect(environments).toEqual([
      {
        env: 'production',
        change: { env: 'production', version: 3, kind: 'flag', key: 'checkout', value: a.snapshots.snapshot('production')!.flags.checkout },
      },
    ]);
    expect(b.snapshots.snapshot('production')).toEqual(a.snapshots.snapshot('production'));
    expect(b.catchUp().environments).toEqual([]);
  });

  it('gives back the whole state when an environment moved by more than one version', () => {
    a.flags.create({ key: 'one' }, meta);
    a.flags.create({ key: 'two' }, meta);
    const moved = b.catchUp().environments.find((e) => e.env === 'production');
    expect(moved).toEqual({ env: 'production', snapshot: a.snapshots.snapshot('production') });
    expect(b.snapshots.snapshot('staging')).toEqual(a.snapshots.snapshot('staging'));
  });

  it('learns keys created and revoked elsewhere, so that authentication follows them', () => {
    const { info, key } = a.keys.create({ kind: 'server', env: 'production' }, meta);
    expect(b.keys.lookup(key).status).toBe('unknown');
    expect(b.catchUp().keys.map((k) => [k.id, k.revokedAt])).toEqual([[info.id, null]]);
    expect(b.keys.lookup(key).status).toBe('valid');
    a.keys.revoke(info.id, meta);
    expect(b.catchUp().keys.map((k) => k.id)).toEqual([info.id]);
    expect(b.keys.lookup(key).status).toBe('revoked');
    expect(b.catchUp().keys).toEqual([]);
  });

  it('re-reads an environment when a change of its own lands on top of one it had not seen', () => {
    a.flags.create({ key: 'checkout' }, meta);
    a.flags.create({ key: 'banner' }, meta);
    b.catchUp();
    a.flagStates.patch('banner', 'production', { on: true }, meta);
    // B has not caught up: its write is version 5, on top of A's 4, and B's snapshot must hold both.
    b.flagStates.patch('checkout', 'production', { on: true }, meta);
    a.catchUp();
    expect(b.snapshots.snapshot('production')).toEqual(a.snapshots.snapshot('production'));
    expect(b.snapshots.snapshot('production')).toMatchObject({ version: 5, flags: { checkout: { on: true }, banner: { on: true } } });
    expect(b.catchUp().environments).toEqual([]);
  });

  it('never lets two instances revoke the last admin token between them', () => {
    const first = a.keys.create({ kind: 'admin' }, meta).info;
    const second = a.keys.create({ kind: 'admin' }, meta).info;
    b.catchUp();
    a.keys.revoke(first.id, meta);
    // B has not caught up, but reads the tokens inside its write.
    expect(() => b.keys.revoke(second.id, meta)).toThrow(/last admin token/);
  });
});
