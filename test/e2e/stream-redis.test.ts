// Several instances over Redis, as real processes: two primaries sharing one SQLite file, a relay with no
// database, a private redis-server. Changes cross instances; restarts and outages during bursts of changes
// end with every client on the same, final state — and no client ever moving backwards on the way.
import { snapshotChecksum, type Snapshot } from '@flagstaff/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireRedis, startRedis, type RedisProcess } from '../helpers/redis.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { until } from '../helpers/sse.js';
import { watchStream, type StreamWatcher } from '../helpers/stream-client.js';

const ENV = 'production';
const skip = requireRedis();

describe.skipIf(skip !== null)('streaming across instances through Redis', () => {
  let redis: RedisProcess;
  let a: RunningServer;
  let b: RunningServer;
  let relay: RunningServer;
  let serverKey: string;
  let clientKey: string;
  const watchers: StreamWatcher[] = [];
  let changes = 0;

  const env = () => ({
    REDIS_URL: redis.url,
    FLAGSTAFF_RATE_LIMIT: '0',
    FLAGSTAFF_STREAM_RETRY_MS: '200',
    FLAGSTAFF_STREAM_GAP_MS: '300',
    FLAGSTAFF_STREAM_SHUTDOWN_MS: '200',
  });

  /** One real change to flag `checkout` in production, made on `server`. */
  async function change(server: RunningServer): Promise<void> {
    const targets = [{ variation: 1, values: [`user-${++changes}`] }];
    const res = await server.api('PATCH', `/api/v1/flags/checkout/environments/${ENV}`, { targets });
    expect(res.status).toBe(200);
  }

  /** The environment as the shared database holds it, read through primary A once A has caught up. */
  async function truth(): Promise<Snapshot> {
    const { version } = (await a.api('GET', `/api/v1/environments/${ENV}`)).body as { version: number };
    return until(async () => {
      const snapshot = (await (await fetch(`${a.url}/sdk/v1/flags`, { headers: { Authorization: serverKey } })).json()) as Snapshot;
      return snapshot.version === version ? snapshot : null;
    }, 'primary A to hold the latest version');
  }

  /**
   * Changes flag `checkout` on A and B in turn, without pause, from before `disruption` starts until `after`
   * more changes have been made once it is over: the disruption and the recovery both fall inside the burst.
   */
  async function burstAround(disruption: () => Promise<void>, after = 20): Promise<void> {
    let running = true;
    let made = 0;
    const burst = (async () => {
      while (running) await change(made++ % 2 ? a : b);
    })();
    await until(() => made >= 10, 'the burst to be under way');
    await disruption();
    const target = made + after;
    await until(() => made >= target, `${after} more changes after the disruption`, 20_000);
    running = false;
    await burst;
  }

  const isReady = async (server: RunningServer) => (await fetch(`${server.url}/readyz`)).status === 200;

  function watch(server: RunningServer, key = serverKey): StreamWatcher {
    const watcher = watchStream(server.url, key);
    watchers.push(watcher);
    return watcher;
  }

  async function converge(group: StreamWatcher[], what: string): Promise<void> {
    const expected = await truth();
    await until(() => group.every((w) => w.version() === expected.version), `${what}: every client at version ${expected.version}`, 20_000);
    for (const watcher of group) {
      expect(watcher.checksum()).toBe(snapshotChecksum(expected));
      expect(watcher.regressions).toEqual([]);
    }
  }

  beforeAll(async () => {
    redis = await startRedis();
    a = await startServer({ env: env() });
    expect((await a.api('POST', '/api/v1/flags', { key: 'checkout' })).status).toBe(201);
    expect((await a.api('POST', '/api/v1/flags', { key: 'banner', clientSide: true })).status).toBe(201);
    b = await startServer({ dbPath: a.dbPath, env: { ...env(), FLAGSTAFF_ADMIN_TOKEN: a.adminToken } });
    relay = await startServer({ args: ['--relay'], env: env() });
    // Created after B loaded its keys: B and the relay know them only through the Redis mirror.
    serverKey = (await a.api('POST', '/api/v1/keys', { kind: 'server', env: ENV })).body.key;
    clientKey = (await a.api('POST', '/api/v1/keys', { kind: 'client', env: ENV })).body.key;
  }, 60_000);

  afterAll(async () => {
    for (const watcher of watchers) watcher.close();
    await Promise.all([relay?.stop(), b?.stop()]);
    await a?.stop();
    await redis?.stop();
  });

  it('carries a change written on either primary to clients of both primaries and the relay', async () => {
    const group = [watch(a), watch(b), watch(relay)];
    await until(() => group.every((w) => w.version() >= 0), 'every put');
    await change(a);
    await converge(group, 'a change on A');
    await change(b);
    await converge(group, 'a change on B');
    expect(group.map((w) => w.opens)).toEqual([1, 1, 1]);
  });

  it('serves client keys on the relay with the client view only', async () => {
    const browser = watchStream(relay.url, clientKey, { inUrl: true });
    watchers.push(browser);
    await until(() => browser.version() >= 0, 'the put');
    expect(Object.keys(browser.state!.raw.flags)).toEqual(['banner']);
    const res = await b.api('PATCH', `/api/v1/flags/banner/environments/${ENV}`, { on: true });
    expect(res.status).toBe(200);
    await until(() => browser.state!.raw.flags.banner?.on === true, 'the banner change on the relay');
    expect(browser.events.filter((e) => e.type !== 'put').map((e) => e.data.key)).toEqual(['banner']);
    const flags = await fetch(`${relay.url}/sdk/v1/flags?key=${clientKey}`);
    expect(flags.status).toBe(200);
    // A relay answers with the same security headers as a primary (http/security-headers.ts).
    expect(flags.headers.get('x-content-type-options')).toBe('nosniff');
    expect(flags.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    expect(Object.keys(((await flags.json()) as Snapshot).flags)).toEqual(['banner']);
  });

  it('brings every client to the final state when the relay restarts during a burst of changes', async () => {
    const group = [watch(relay), watch(relay), watch(relay), watch(a), watch(b)];
    await until(() => group.every((w) => w.version() >= 0), 'every put');
    await burstAround(() => relay.restart());
    await converge(group, 'after the relay restart');
    // The relay's clients really were cut off and came back (by eventsource's retry or our reopen).
    expect(group.slice(0, 3).map((w) => w.connections > 1)).toEqual([true, true, true]);
  }, 60_000);

  it('brings every client to the final state when Redis restarts empty during a burst of changes', async () => {
    const group = [watch(relay), watch(a), watch(b)];
    await until(() => group.every((w) => w.version() >= 0), 'every put');
    await burstAround(async () => {
      await redis.restart();
      await until(async () => (await isReady(a)) && (await isReady(b)), 'both primaries to be back on Redis', 20_000);
    });
    await converge(group, 'after the Redis restart');
  }, 60_000);

  it('keeps serving while Redis is down, reports not ready, and loses no change made meanwhile', async () => {
    const group = [watch(relay), watch(a), watch(b)];
    await until(() => group.every((w) => w.version() >= 0), 'every put');
    await redis.stop();
    await until(async () => (await fetch(`${a.url}/readyz`)).status === 503, 'A to report Redis missing');
    const ready = await fetch(`${a.url}/readyz`);
    expect(await ready.json()).toMatchObject({ error: { code: 'unavailable', message: expect.stringMatching(/Redis/) } });
    // Writes still commit (SQLite is the source of truth) and reach the writer's own clients at once.
    for (let i = 0; i < 5; i++) await change(a);
    const written = await truth();
    await until(() => group[1]!.version() === written.version, "A's own clients to get A's changes");
    // The relay keeps serving what it holds, to clients already connected and to new ones.
    const late = watch(relay);
    await until(() => late.version() >= 0, 'a new client on the relay while Redis is down');

    await redis.start();
    await until(() => isReady(a), 'A to be ready again', 20_000);
    await converge([...group, late], 'after Redis came back');
  }, 60_000);
});
