// A credential created or revoked on one instance holds on every instance within 1 s (DESIGN.md, "Store"):
// admin tokens, SDK keys and hook secrets, on two primaries sharing one SQLite file — learning each other's
// commits from the file alone, and with Redis as well — and SDK keys on a relay, which knows only Redis.
// Each delay is measured from the creating (or revoking) response on A to the first answer that shows it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireRedis, startRedis, type RedisProcess } from '../helpers/redis.js';
import { createKey, startServer, type RunningServer } from '../helpers/server.js';
import { openRawStream, until } from '../helpers/sse.js';

const ENV = 'production';
const LIMIT_MS = 1000;
const skipRedis = requireRedis();

/** Polls `check` until it holds; fails past LIMIT_MS; returns how long it took. */
async function within(what: string, check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  await until(check, what, LIMIT_MS, 10);
  return Math.round(performance.now() - started);
}

const status = async (url: string, init?: RequestInit) => (await fetch(url, init)).status;
const bearer = (secret: string) => ({ Authorization: `Bearer ${secret}` });

function credentialSuite(mode: 'without Redis' | 'with Redis') {
  let redis: RedisProcess | undefined;
  let a: RunningServer;
  let b: RunningServer;
  let relay: RunningServer | undefined;
  const delays: Record<string, number> = {};

  beforeAll(async () => {
    if (mode === 'with Redis') redis = await startRedis();
    const env = { FLAGSTAFF_RATE_LIMIT: '0', ...(redis ? { REDIS_URL: redis.url } : {}) };
    a = await startServer({ env });
    b = await startServer({ dbPath: a.dbPath, env: { ...env, FLAGSTAFF_ADMIN_TOKEN: a.adminToken } });
    if (redis) relay = await startServer({ args: ['--relay'], env });
  }, 60_000);

  afterAll(async () => {
    console.log(`credential delays across instances, ${mode} (ms, from A's response):`, JSON.stringify(delays));
    await Promise.all([relay?.stop(), b?.stop()]);
    await a?.stop();
    await redis?.stop();
  });

  it('an admin token created on A reads and writes on B, and once revoked on A, does neither on B', async () => {
    const token = await createKey(a, { kind: 'admin', name: 'ci' });
    delays['admin token created → read on B'] = await within(
      'the new token to read on B',
      async () => (await status(`${b.url}/api/v1/flags`, { headers: bearer(token.key) })) === 200,
    );
    const created = await b.api('POST', '/api/v1/flags', { key: 'made-on-b' }, bearer(token.key));
    expect(created.status).toBe(201);

    expect((await a.api('DELETE', `/api/v1/keys/${token.id}`)).status).toBe(200);
    delays['admin token revoked → refused on B'] = await within(
      'the revoked token to be refused on B',
      async () => (await status(`${b.url}/api/v1/flags`, { headers: bearer(token.key) })) === 401,
    );
    const refused = await b.api('POST', '/api/v1/flags', { key: 'after-revoke' }, bearer(token.key));
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toMatch(/revoked/);
    // Nothing was committed by the refused write, on either instance.
    expect((await a.api('GET', '/api/v1/flags/after-revoke')).status).toBe(404);
  });

  it('a server key created on A streams and reads on B (and the relay); revoked on A, its streams end and it is refused', async () => {
    const key = await createKey(a, { kind: 'server', env: ENV });
    const readers = [b, ...(relay ? [relay] : [])];
    for (const server of readers) {
      const name = server === b ? 'B' : 'the relay';
      delays[`SDK key created → stream on ${name}`] = await within(`the new key to stream on ${name}`, async () => {
        const res = await fetch(`${server.url}/sdk/v1/stream`, { headers: { Authorization: key.key } });
        await res.body?.cancel();
        return res.status === 200;
      });
    }
    // /sdk/v1/flags is served by primaries only.
    expect(await status(`${b.url}/sdk/v1/flags`, { headers: { Authorization: key.key } })).toBe(200);

    const streams = await Promise.all(readers.map((server) => openRawStream(`${server.url}/sdk/v1/stream`, { Authorization: key.key })));
    for (const stream of streams) {
      expect(stream.response.status).toBe(200);
      await stream.waitFor((text) => text.includes('event: put'), 'the first put');
    }
    expect((await a.api('DELETE', `/api/v1/keys/${key.id}`)).status).toBe(200);
    const revoked = performance.now();
    await until(() => streams.every((stream) => stream.ended()), 'every stream of the revoked key to end', LIMIT_MS, 5);
    delays['SDK key revoked → streams ended'] = Math.round(performance.now() - revoked);
    for (const server of readers) {
      // 204: the one answer that tells EventSource to stop for good (REFERENCE.md).
      expect(await status(`${server.url}/sdk/v1/stream`, { headers: { Authorization: key.key } })).toBe(204);
    }
    expect(await status(`${b.url}/sdk/v1/flags`, { headers: { Authorization: key.key } })).toBe(401);
  });

  it('a hook created on A is accepted on B, and once revoked on A, refused on B', async () => {
    const created = await a.api('POST', `/api/v1/environments/${ENV}/hooks`, { provider: 'generic' });
    expect(created.status).toBe(201);
    const { id, secret } = created.body as { id: string; secret: string };
    const deliver = () =>
      status(`${b.url}/hooks/v1/alerts/generic/${id}`, {
        method: 'POST',
        headers: { ...bearer(secret), 'Content-Type': 'application/json' },
        body: JSON.stringify({ alert: 'NothingMatches', status: 'firing' }),
      });
    delays['hook created → accepted on B'] = await within('the new hook to be accepted on B', async () => (await deliver()) === 200);
    expect((await a.api('DELETE', `/api/v1/environments/${ENV}/hooks/${id}`)).status).toBe(200);
    delays['hook revoked → refused on B'] = await within('the revoked hook to be refused on B', async () => (await deliver()) === 401);
  });

  if (mode === 'with Redis') {
    it('starts on a healthy Redis without warning that the change stream was interrupted', async () => {
      // Every instance has followed the stream by now (the tests above crossed it).
      for (const server of [a, b, relay!]) {
        expect(server.output()).not.toMatch(/Redis change stream interrupted|Redis connection failed/);
      }
    });
  }
}

describe('credentials across two primaries sharing one SQLite file, without Redis', () => credentialSuite('without Redis'));
describe.skipIf(skipRedis !== null)('credentials across two primaries and a relay, with Redis', () => credentialSuite('with Redis'));
