// A real store on a temporary SQLite file, for the rollout plan tests (store and scheduler).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../log.js';
import type { Actor, WriteMeta } from '../store/resources.js';
import { Store } from '../store/store.js';
import { LocalChangeFeed } from '../store/changes.js';
import { Rollouts } from './plans.js';

export const alice: Actor = { kind: 'admin', id: 'key_alice', name: 'alice' };
export const bob: Actor = { kind: 'admin', id: 'key_bob', name: 'bob' };
export const as = (actor: Actor, extra: Omit<WriteMeta, 'actor'> = {}): WriteMeta => ({ actor, ...extra });

export interface PlanFixture {
  store: Store;
  /** Rollout plans' rules over `store` (plans.ts). */
  readonly rollouts: Rollouts;
  feed: LocalChangeFeed;
  dbPath: string;
  /** Closes the store and opens the same file again, as a restart does. */
  reopen(): Store;
  close(): void;
}

export function planFixture(): PlanFixture {
  const dir = mkdtempSync(join(tmpdir(), 'flagstaff-plans-'));
  const dbPath = join(dir, 'flagstaff.db');
  const feed = new LocalChangeFeed();
  const open = () => Store.open({ dbPath, feed, log: createLogger('error', () => {}) });
  const fixture: PlanFixture = {
    store: open(),
    get rollouts() {
      return new Rollouts(fixture.store.rolloutPlans);
    },
    feed,
    dbPath,
    reopen() {
      fixture.store.close();
      fixture.store = open();
      return fixture.store;
    },
    close() {
      fixture.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}

/** The fallthrough a plan's step writes on a boolean flag (true after false). */
export const booleanRollout = (percent: number) => ({
  rollout: { bucketBy: 'key', weights: [100_000 - percent * 1000, percent * 1000] },
});
