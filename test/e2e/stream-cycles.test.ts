// REFERENCE.md ("Server-Sent Events"): 1,000 connect/disconnect cycles must leave no subscriber, timer or
// Redis subscription behind. Checked from outside on real processes — a primary and a relay over a private
// redis-server — with a probe loaded into each server that reports its live handles and, after a GC, its heap.
import { get } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireRedis, startRedis, type RedisProcess } from '../helpers/redis.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { until } from '../helpers/sse.js';

const ENV = 'production';
const PROBE = fileURLToPath(new URL('../bench/stream-server-probe.mjs', import.meta.url));
const skip = requireRedis();
/** Every instance holds two: commands, and the blocking reader of the change stream (docs/scale-out.md). */
const REDIS_CONNECTIONS = 2;

interface Probe {
  heapUsed: number;
  /** Pending setTimeout/setInterval timers, unref'd ones included. */
  timers: number;
  resources: Record<string, number>;
}

const sockets = (p: Probe) => p.resources.TCPSocketWrap ?? 0;

/** Asks the server's probe for its live handles and heap (after a GC), and waits for the answer. */
async function probe(server: RunningServer): Promise<Probe> {
  const seen = server.output().split('flagstaff-probe ').length;
  server.proc.kill('SIGUSR2');
  const line = await until(() => server.output().split('flagstaff-probe ')[seen], 'the probe to answer');
  return JSON.parse(line.slice(0, line.indexOf('\n'))) as Probe;
}

/** Streams the server counts as open (read without keep-alive, so the request leaves no socket behind). */
async function openStreams(server: RunningServer): Promise<number> {
  const text = await new Promise<string>((resolve, reject) => {
    get(`${server.url}/metrics`, { agent: false }, (res) => {
      let body = '';
      res
        .setEncoding('utf8')
        .on('data', (chunk: string) => (body += chunk))
        .on('end', () => resolve(body));
    }).on('error', reject);
  });
  return [...text.matchAll(/^flagstaff_stream_clients\{[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

/**
 * One cycle: a connection of its own that opens a stream and drops it — at a point that varies, since that
 * is where leaks hide: as soon as the request is sent, once the headers arrive, or after the first event.
 */
function cycle(url: string, headers: Record<string, string>, i: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = get(url, { headers, agent: false });
    request.on('error', () => resolve()); // our own destroy() before the response
    request.on('close', () => resolve());
    if (i % 3 === 0) {
      request.on('socket', (socket) => socket.once('connect', () => setImmediate(() => request.destroy())));
      return;
    }
    request.on('response', (response) => {
      if (response.statusCode !== 200) reject(new Error(`stream answered ${response.statusCode}`));
      if (i % 3 === 1) return void request.destroy();
      let text = '';
      response.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('\n\n')) request.destroy();
      });
    });
  });
}

/** `total` cycles, `parallel` at a time, mixing server keys, client keys (`?key=`) and resumes. */
async function cycles(server: RunningServer, keys: { server: string; client: string }, total: number, parallel = 20): Promise<void> {
  for (let start = 0; start < total; start += parallel) {
    await Promise.all(
      Array.from({ length: parallel }, (_, j) => {
        const i = start + j;
        if (i % 4 === 1) return cycle(`${server.url}/sdk/v1/stream?key=${keys.client}`, {}, i);
        const resume: Record<string, string> = i % 4 === 2 ? { 'Last-Event-ID': '1' } : {};
        return cycle(`${server.url}/sdk/v1/stream`, { Authorization: keys.server, ...resume }, i);
      }),
    );
  }
}

describe.skipIf(skip !== null)('1,000 connect/disconnect cycles', () => {
  let redis: RedisProcess;
  let redisAdmin: Redis;
  let primary: RunningServer;
  let relay: RunningServer;
  const keys = { server: '', client: '' };

  const env = () => ({
    REDIS_URL: redis.url,
    FLAGSTAFF_RATE_LIMIT: '0',
    FLAGSTAFF_STREAM_MAX_NEW_PER_SEC: '100000',
    NODE_OPTIONS: `--expose-gc --import=${PROBE}`,
  });

  beforeAll(async () => {
    redis = await startRedis();
    redisAdmin = new Redis(redis.url, { lazyConnect: true });
    await redisAdmin.connect();
    primary = await startServer({ env: env() });
    relay = await startServer({ args: ['--relay'], env: env() });
    keys.server = (await primary.api('POST', '/api/v1/keys', { kind: 'server', env: ENV })).body.key;
    keys.client = (await primary.api('POST', '/api/v1/keys', { kind: 'client', env: ENV })).body.key;
    expect((await primary.api('POST', '/api/v1/flags', { key: 'banner', clientSide: true })).status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    redisAdmin?.disconnect();
    await Promise.all([relay?.stop(), primary?.stop()]);
    await redis?.stop();
  });

  it.each([
    ['a primary', () => primary],
    ['a relay', () => relay],
  ])(
    'leave %s holding no stream, timer, socket or Redis connection more than before',
    async (_name, which) => {
      const server = which();
      // Warm up first: the environment's channel, the key cache and the HTTP machinery are made once, on use.
      await cycles(server, keys, 20);
      await until(async () => (await openStreams(server)) === 0, 'the warm-up streams to close');
      const redisClients = Number(/connected_clients:(\d+)/.exec(await redisAdmin.info('clients'))![1]);
      // Sockets close asynchronously after the client aborts (and keep-alive ones after a while): measure from
      // the quiet state, the server holding its own Redis connections and nothing else.
      const quiet = async () =>
        until(
          async () => {
            const now = await probe(server);
            return sockets(now) <= REDIS_CONNECTIONS ? now : null;
          },
          'the server to hold no client sockets',
          20_000,
          100,
        );
      const before = await quiet();

      await cycles(server, keys, 1000);

      await until(async () => (await openStreams(server)) === 0, 'every stream to be released');
      const after = await quiet();
      expect(after.timers).toBeLessThanOrEqual(before.timers);
      expect(Number(/connected_clients:(\d+)/.exec(await redisAdmin.info('clients'))![1])).toBe(redisClients);
      // A leaked subscriber keeps its response, request and socket objects: 1,000 of them are megabytes.
      expect(after.heapUsed - before.heapUsed).toBeLessThan(1024 * 1024);
    },
    60_000,
  );
});
