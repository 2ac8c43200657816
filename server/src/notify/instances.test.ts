// Two instances on one SQLite file (docs/scale-out.md), each with its own delivery worker: every outbox row
// — written by either — is delivered once, in order, whichever worker claims it (store/notifications.ts's
// lease), and a change committed on one is announced though only the other is awake.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../log.js';
import { LocalChangeFeed } from '../store/changes.js';
import { Store } from '../store/index.js';
import { startReceiver, type Receiver } from '../testing/receiver.js';
import { outboxWriter } from './outbox.js';
import { DeliveryWorker } from './worker.js';

const meta = { actor: { kind: 'admin' as const, id: 'key_test', name: 'test' } };
let dir: string;
let stores: Store[];
let workers: DeliveryWorker[];
let receiver: Receiver;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flagstaff-notify-'));
  receiver = await startReceiver();
  stores = [0, 1].map(() =>
    Store.open({ dbPath: join(dir, 'flagstaff.db'), feed: new LocalChangeFeed(), log: createLogger('error', () => {}) }),
  );
  workers = stores.map((store) => {
    const worker = new DeliveryWorker({ store, log: createLogger('error', () => {}), allowPrivate: true, pollMs: 20 });
    store.onAudit(outboxWriter(store, () => worker.kick()));
    return worker;
  });
});

afterEach(async () => {
  for (const w of workers) await w.stop();
  for (const s of stores) s.close();
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('several instances on one file', () => {
  it('deliver each event once, in order', async () => {
    const [a, b] = stores as [Store, Store];
    a.flags.create({ key: 'checkout' }, meta);
    a.notifications.create('production', { target: 'slack', url: receiver.url, events: ['change'] }, null, meta);
    for (const w of workers) w.start();
    const N = 40;
    // Alternate the writer: rows from both instances, claimed by whichever worker is first.
    for (let i = 0; i < N; i++) (i % 2 === 0 ? a : b).flagStates.patch('checkout', 'production', { on: i % 2 === 0 }, meta);
    await receiver.waitFor(N);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const got = receiver.received.map((r) => JSON.parse(r.body).text as string);
    expect(got).toHaveLength(N);
    expect(got).toEqual(Array.from({ length: N }, (_, i) => `checkout turned ${i % 2 === 0 ? 'ON' : 'OFF'} in production by test`));
  });
});
