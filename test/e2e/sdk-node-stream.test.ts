// @flagstaff/node against a real server process: changes reach change listeners, a killed server leaves
// the last-known flags in place (stale), and a restart — even in the middle of a burst of changes —
// ends with the SDK on the server's final version, nothing lost.
import { evaluate, prepareSnapshot, type Snapshot } from '@flagstaff/core/evaluate';
import { createClient, type ClientOptions, type FlagsClient } from '@flagstaff/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, until, type RunningServer } from '../helpers/server.js';

const ENV = 'production';
let server: RunningServer;
let sdkKey: string;
const clients: FlagsClient[] = [];

function client(options: ClientOptions = {}): FlagsClient {
  const flags = createClient({
    url: server.url,
    sdkKey,
    reconnect: { baseMs: 100, maxMs: 500 },
    pollIntervalMs: 500,
    heartbeatTimeoutMs: 5_000,
    usage: false,
    ...options,
  });
  clients.push(flags);
  return flags;
}

/** A flag state change in production, retried while the server is down or restarting. */
async function patch(key: string, state: Record<string, unknown>): Promise<void> {
  await until(
    async () => (await server.api('PATCH', `/api/v1/flags/${key}/environments/${ENV}`, state)).status === 200,
    20_000,
    `PATCH ${key}`,
  );
}

async function serverSnapshot(): Promise<Snapshot> {
  const res = await fetch(`${server.url}/sdk/v1/flags`, { headers: { Authorization: sdkKey } });
  return (await res.json()) as Snapshot;
}

beforeAll(async () => {
  server = await startServer({ env: { FLAGSTAFF_RATE_LIMIT: '0', FLAGSTAFF_HEARTBEAT_MS: '300' } });
  const key = await server.api('POST', '/api/v1/keys', { kind: 'server', env: ENV });
  expect(key.status).toBe(201);
  sdkKey = key.body.key;
  for (const flag of ['new-checkout', 'b1', 'b2', 'b3', 'b4', 'b5']) {
    expect((await server.api('POST', '/api/v1/flags', { key: flag })).status).toBe(201);
  }
  await patch('new-checkout', { on: true });
});

afterAll(async () => {
  for (const flags of clients) await flags.close();
  await server?.stop();
});

describe('@flagstaff/node against a real server', () => {
  it('sees a flip through a change listener', async () => {
    const flags = client();
    expect(await flags.ready({ timeoutMs: 5_000 })).toMatchObject({ state: 'ready', source: 'server', connection: 'streaming' });
    expect(flags.isEnabled('new-checkout', { key: 'user-1' })).toBe(true);

    const changes: { keys: string[]; version: number }[] = [];
    flags.on('change', (change) => changes.push(change));
    await patch('new-checkout', { on: false });
    const change = await until(() => changes.find((c) => c.keys.includes('new-checkout')), 5_000, 'the change event');
    expect(change.version).toBe((await serverSnapshot()).version);
    expect(flags.isEnabled('new-checkout', { key: 'user-1' })).toBe(false);
    await patch('new-checkout', { on: true });
    await until(() => flags.isEnabled('new-checkout', { key: 'user-1' }), 5_000, 'the flip back');
  });

  it("agrees with the server's heartbeat checksums: no resync while nothing drifts", async () => {
    const lines: string[] = [];
    const flags = client({ logger: { info: (m) => lines.push(m), debug: (m) => lines.push(m) } });
    await flags.ready({ timeoutMs: 5_000 });
    // Heartbeats come every 300 ms here; the SDK logs each verdict (agreeing at debug, resyncing at info).
    await until(() => lines.filter((l) => l.startsWith('heartbeat agrees')).length >= 4, 5_000, 'several heartbeats');
    expect(lines.filter((l) => /resync/.test(l))).toEqual([]);
    expect(flags.status().state).toBe('ready');
  });

  it('keeps the last values when the server is killed, stale since then, and resyncs without losing a change', async () => {
    const flags = client();
    await flags.ready({ timeoutMs: 5_000 });
    const before = flags.status().version!;

    const killedAt = Date.now();
    await server.kill();
    await until(() => flags.status().state === 'stale', 10_000, 'the stale state');
    const stale = flags.status();
    expect(stale.staleSince!.getTime()).toBeGreaterThanOrEqual(killedAt - 50);
    expect(stale.version).toBe(before);
    expect(flags.isEnabled('new-checkout', { key: 'user-1' })).toBe(true);
    expect(flags.variation('new-checkout', { key: 'user-1' }, false)).toBe(true);

    // The change lands while the SDK is still away: it must arrive by replay or by a put.
    await server.restart();
    await patch('new-checkout', { on: false });
    const after = (await serverSnapshot()).version;
    await until(() => flags.status().version === after && flags.status().state === 'ready', 15_000, 'the resync');
    expect(flags.status().staleSince).toBeNull();
    // A poll may have brought the change before the stream's backoff ran out: then the stream follows.
    await until(() => flags.status().connection === 'streaming', 5_000, 'the stream back');
    expect(flags.isEnabled('new-checkout', { key: 'user-1' })).toBe(false);
    await patch('new-checkout', { on: true });
  });

  it('ends on the final version after a burst of 200 changes across a restart', async () => {
    const flags = client();
    await flags.ready({ timeoutMs: 5_000 });
    const keys = ['b1', 'b2', 'b3', 'b4', 'b5'];
    for (const key of keys) await patch(key, { on: true });

    let restarted: Promise<void> | undefined;
    for (let i = 0; i < 200; i++) {
      if (i === 100) restarted = server.restart();
      const share = (i * 7_919) % 100_001;
      // Setting a value (not toggling) keeps a change that is retried after the restart idempotent.
      await patch(keys[i % keys.length]!, { fallthrough: { rollout: { bucketBy: 'key', weights: [100_000 - share, share] } } });
    }
    await restarted;

    const truth = await serverSnapshot();
    await until(() => flags.status().version === truth.version, 15_000, `version ${truth.version}`);
    const reference = prepareSnapshot(truth);
    for (let u = 0; u < 200; u++) {
      const context = { key: `user-${u}` };
      for (const key of keys) expect(flags.isEnabled(key, context)).toBe(evaluate(reference, key, context, false).value);
    }
    expect(flags.status().state).toBe('ready');
  });
});
