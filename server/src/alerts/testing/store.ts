// A real store on a temporary SQLite file and a receiver over it, for the kill-switch tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../log.js';
import type { Actor } from '../../store/resources.js';
import { Store } from '../../store/store.js';
import { LocalChangeFeed, type EnvChange } from '../../store/changes.js';
import { hookAuth } from '../providers.js';
import { AlertReceiver, type Receipt } from '../receiver.js';
import { STORE_ROLLOUT_PLANS } from '../rollout-plans.js';
import type { Provider } from '../alert.js';

export const admin: Actor = { kind: 'admin', id: 'key_admin', name: 'alice' };
export const ENV = 'production';

export interface KillFixture {
  store: Store;
  receiver: AlertReceiver;
  /** Every change published to the stream, in order. */
  changes: EnvChange[];
  /** The clock the receiver checks signatures against. */
  now: number;
  /** Creates a hook and returns a function that delivers a body to it with its secret. */
  hook(provider: Provider, auth?: 'bearer' | 'hmac'): { id: string; secret: string; send(body: unknown): Receipt };
  close(): void;
}

/** `storeOnFixtureClock`: the store's writes also happen at `fixture.now` (tests of time in the store). */
export function killFixture({ storeOnFixtureClock = false } = {}): KillFixture {
  const dir = mkdtempSync(join(tmpdir(), 'flagstaff-kill-'));
  const feed = new LocalChangeFeed();
  const changes: EnvChange[] = [];
  feed.subscribe((change) => changes.push(change));
  // The fixture does not exist while the store opens: until it does, the store's clock is its start.
  const start = Date.parse('2026-11-23T10:00:00Z');
  const clock = storeOnFixtureClock ? () => (fixtureMade ? fixture.now : start) : undefined;
  let fixtureMade = false;
  const store = Store.open({ dbPath: join(dir, 'flagstaff.db'), feed, log: createLogger('error', () => {}), clock });
  const fixture: KillFixture = {
    store,
    changes,
    now: start,
    receiver: undefined as unknown as AlertReceiver,
    hook(provider, auth) {
      const { info, secret } = store.hooks.create(ENV, { provider, auth: hookAuth(provider, auth) }, { actor: admin });
      return {
        id: info.id,
        secret,
        send: (body) =>
          fixture.receiver.receive({
            provider,
            hookId: info.id,
            header: (name) => (name.toLowerCase() === 'authorization' ? `Bearer ${secret}` : undefined),
            body: JSON.stringify(body),
          }),
      };
    },
    close() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  fixtureMade = true;
  fixture.receiver = new AlertReceiver({
    store,
    log: createLogger('error', () => {}),
    plans: STORE_ROLLOUT_PLANS,
    clock: () => fixture.now,
  });
  return fixture;
}
