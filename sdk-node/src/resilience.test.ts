// "Never in the way": what the client does when the server is gone, refuses it, or talks nonsense.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flagOff, flagOn } from '@flagstaff/core/testing';
import { SdkHttp } from './http.js';
import { createClient, type ClientOptions, type FlagsClient } from './index.js';
import { FlagStream } from './stream.js';
import { FakeServer, SDK_KEY } from './testing/fake-server.js';
import { nextEvent, until } from './testing/wait.js';

const checkout = flagOn('new-checkout');

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
  vi.restoreAllMocks();
});

async function server(): Promise<FakeServer> {
  const fake = await FakeServer.start([checkout]);
  cleanup.push(() => fake.close());
  return fake;
}

function client(fake: FakeServer, options: ClientOptions = {}): FlagsClient {
  const flags = createClient({
    url: fake.url,
    sdkKey: SDK_KEY,
    reconnect: { baseMs: 20, maxMs: 100 },
    pollIntervalMs: 100,
    usage: false,
    ...options,
  });
  cleanup.push(() => flags.close());
  return flags;
}

describe('losing the server', () => {
  it('keeps the last-known flags, says since when they are stale, and catches up when the server is back', async () => {
    const fake = await server();
    const flags = client(fake);
    await flags.ready();
    const stale = nextEvent(flags, 'status');
    fake.down = true;
    fake.dropStreams();
    expect(await stale).toMatchObject({ state: 'stale', source: 'server', version: 1 });
    const { staleSince } = flags.status();
    expect(staleSince).toBeInstanceOf(Date);
    expect(Date.now() - staleSince!.getTime()).toBeLessThan(2_000);
    expect(flags.isEnabled('new-checkout', { key: 'u' })).toBe(true);

    const version = fake.setFlag(flagOff('new-checkout'));
    fake.down = false;
    await until(() => flags.status().state === 'ready' && flags.status().version === version, { what: 'the resync' });
    expect(flags.status()).toMatchObject({ staleSince: null, connection: 'streaming' });
    expect(flags.isEnabled('new-checkout', { key: 'u' })).toBe(false);
  });

  it('polls GET /sdk/v1/flags with its ETag while the stream cannot connect, and goes back to streaming', async () => {
    const fake = await server();
    for (let i = 0; i < 1_000; i++) fake.streamPlan.push({ status: 503, headers: { 'Retry-After': '0' } });
    const flags = client(fake, { reconnect: { baseMs: 1_000, maxMs: 1_000 } });
    expect(await flags.ready()).toMatchObject({ state: 'ready', connection: 'polling' });

    const version = fake.setFlag(flagOff('new-checkout'));
    await until(() => flags.status().version === version, { what: 'a poll to bring the change' });
    await until(() => fake.requestsTo('/sdk/v1/flags').some((r) => r.headers['if-none-match'] === `"${version}"`), {
      what: 'a conditional poll',
    });
    expect(flags.isEnabled('new-checkout', { key: 'u' })).toBe(false);

    fake.streamPlan.length = 0;
    await until(() => flags.status().connection === 'streaming', { timeoutMs: 5_000, what: 'the stream' });
    const polls = fake.requestsTo('/sdk/v1/flags').length;
    fake.setFlag(flagOn('new-checkout'));
    await until(() => flags.isEnabled('new-checkout', { key: 'u' }), { what: 'the streamed change' });
    expect(fake.requestsTo('/sdk/v1/flags').length).toBe(polls);
  });
});

describe('reconnection pace', () => {
  /**
   * A FlagStream with the largest jitter draw, so each delay is its ceiling: baseMs (50) at first, then half
   * the time the server has been away. Returns the delay announced at each failure.
   */
  function stream(fake: FakeServer) {
    const delays: number[] = [];
    const opened: number[] = [];
    const flagStream = new FlagStream(
      new SdkHttp(fake.url, SDK_KEY, 5_000),
      {
        reconnect: { baseMs: 50, maxMs: 5_000, resetAfterMs: 100 },
        heartbeatTimeoutMs: 5_000,
        connectTimeoutMs: 5_000,
        refusedRetryMs: 60_000,
        resumeVersion: () => null,
      },
      { open: () => opened.push(Date.now()), event: () => {}, heartbeat: () => {}, failure: (_, next) => delays.push(next.retryInMs!) },
      () => 0.999,
    );
    cleanup.push(async () => flagStream.stop());
    flagStream.start();
    return { delays, opened };
  }
  const empty = { status: 200, headers: { 'Content-Type': 'text/event-stream' }, holdMs: 150 };

  it('keeps slowing down while streams open but deliver nothing, however long each stays open', async () => {
    const fake = await server();
    for (let i = 0; i < 4; i++) fake.streamPlan.push(empty);
    const { delays } = stream(fake);
    await until(() => delays.length === 4, { what: 'four failed attempts' });
    // Each attempt stayed open 150 ms (longer than resetAfterMs), but without the server's state: one outage.
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThan(delays[i - 1]!);
    expect(delays.at(-1)).toBeGreaterThan(300);
  });

  it('starts over from baseMs after a stream that delivered its put and lived resetAfterMs, however long the outage before', async () => {
    const fake = await server();
    for (let i = 0; i < 6; i++) fake.streamPlan.push({ status: 503 });
    const { delays, opened } = stream(fake);
    await until(() => opened.length === 1, { timeoutMs: 10_000, what: 'the stream to open' });
    expect(delays.at(-1)).toBeGreaterThan(150);
    // Outliving resetAfterMs is what is tested: the stream must stay up that long.
    await until(() => Date.now() - opened[0]! > 150, { what: 'the stream to outlive resetAfterMs' });
    fake.dropStreams();
    await until(() => delays.length === 7, { what: 'the drop' });
    expect(delays.at(-1)).toBe(49);
  });
});

describe('refused keys', () => {
  it.each([
    [401, 'unauthorized'],
    [403, 'forbidden'],
  ])('reports %i as a failed client with an error event, serving defaults', async (status, code) => {
    const fake = await server();
    fake.streamPlan.push({
      status,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ error: { code, message: 'no such key' } }),
    });
    const flags = client(fake);
    const error = nextEvent(flags, 'error');
    expect(await flags.ready()).toMatchObject({ state: 'failed', lastError: { code, status } });
    expect(await error).toMatchObject({ code, status, message: expect.stringContaining('no such key') });
    expect(flags.isEnabled('new-checkout', { key: 'u' })).toBe(false);
    // It does not fall back to polling with a key the server refused.
    expect(fake.requestsTo('/sdk/v1/flags')).toHaveLength(0);
  });

  it('tries a refused key again only after refusedRetryMs', async () => {
    const fake = await server();
    fake.streamPlan.push({ status: 401 });
    const flags = client(fake, { refusedRetryMs: 300 });
    const failedAt = Date.now();
    expect((await flags.ready()).state).toBe('failed');
    await until(() => flags.status().state === 'ready', { what: 'the retry' });
    expect(Date.now() - failedAt).toBeGreaterThanOrEqual(250);
  });

  it('stops for good on 204 (a revoked key), keeping the flags it had', async () => {
    const fake = await server();
    const flags = client(fake);
    await flags.ready();
    fake.streamPlan.push({ status: 204 });
    fake.dropStreams();
    await until(() => flags.status().connection === 'stopped', { what: 'the client to stop' });
    expect(flags.status()).toMatchObject({ state: 'failed', lastError: { code: 'revoked', status: 204 } });
    expect(flags.isEnabled('new-checkout', { key: 'u' })).toBe(true);
    // Proving an absence takes a wait: several reconnect delays (maxMs 100) pass without an attempt.
    const attempts = fake.requestsTo('/sdk/v1/stream').length;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(fake.requestsTo('/sdk/v1/stream').length).toBe(attempts);
  });
});

describe('bad data from the server', () => {
  it.each([
    ['garbage JSON', 'put', '{"version": 7, "flags": {'],
    ['a put of the wrong shape', 'put', JSON.stringify({ version: 7, flags: [1, 2], segments: {} })],
    [
      'a patch with a broken flag',
      'patch',
      JSON.stringify({ version: 7, kind: 'flag', key: 'new-checkout', value: { key: 'new-checkout', on: 'yes' } }),
    ],
  ])('refuses %s on the stream without touching the held flags, and resyncs', async (_, type, data) => {
    const fake = await server();
    const flags = client(fake);
    await flags.ready();
    const error = nextEvent(flags, 'error');
    fake.broadcast(`event: ${type}\nid: 7\ndata: ${data}\n\n`);
    expect(await error).toMatchObject({ code: 'invalid_data' });
    expect(flags.status().version).toBe(1);
    expect(flags.isEnabled('new-checkout', { key: 'u' })).toBe(true);
    await until(() => fake.requestsTo('/sdk/v1/flags').length === 1, { what: 'the resync' });
  });

  it('refuses a garbage snapshot from GET /sdk/v1/flags and keeps polling', async () => {
    const fake = await server();
    for (let i = 0; i < 1_000; i++) fake.streamPlan.push({ status: 503 });
    fake.flagsPlan.push({ status: 200, headers: { 'Content-Type': 'application/json' }, body: '<html>proxy error</html>' });
    fake.flagsPlan.push({
      status: 200,
      headers: { 'Content-Type': 'application/json' },
      body: '{"version":3,"flags":{"x":{}},"segments":{}}',
    });
    const flags = client(fake, { reconnect: { baseMs: 5_000, maxMs: 5_000 } });
    const status = await flags.ready();
    expect(status).toMatchObject({ state: 'ready', version: 1 });
    expect(fake.requestsTo('/sdk/v1/flags').length).toBeGreaterThanOrEqual(3);
  });
});

describe('application listeners that throw', () => {
  it('stop neither the other listeners nor the SDK, are logged, and never reach the application as an uncaught exception', async () => {
    // Asserted here, not left to the runner's unhandled-error check: a throw out of an EventSource callback
    // or a microtask would surface as one of these.
    const uncaught: unknown[] = [];
    const record = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', record);
    process.on('unhandledRejection', record);
    cleanup.push(async () => {
      process.off('uncaughtException', record);
      process.off('unhandledRejection', record);
    });

    const fake = await server();
    const logged: string[] = [];
    const flags = client(fake, { logger: { error: (message) => logged.push(message) } });
    const heard = { change: [] as number[], status: [] as string[], error: [] as string[] };
    for (const event of ['change', 'status', 'error'] as const) {
      flags.on(event, () => {
        throw new Error(`application bug in a '${event}' listener`);
      });
    }
    flags.on('change', ({ version }) => heard.change.push(version));
    flags.on('status', ({ state }) => heard.status.push(state));
    flags.on('error', ({ code }) => heard.error.push(code));

    expect(await flags.ready({ timeoutMs: 5_000 })).toMatchObject({ state: 'ready', version: 1 });
    const version = fake.setFlag(flagOff('new-checkout'));
    await until(() => heard.change.includes(version), { what: 'the change after the throws' });
    expect(flags.isEnabled('new-checkout', { key: 'u' })).toBe(false);
    fake.down = true;
    fake.dropStreams();
    await until(() => heard.error.length > 0 && heard.status.includes('stale'), { what: 'the error and stale status after the throws' });

    expect(heard).toEqual({ change: [1, version], status: ['ready', 'stale'], error: ['network'] });
    for (const event of ['change', 'status', 'error']) expect(logged).toContain(`a '${event}' listener threw`);
    expect(uncaught).toEqual([]);
  });
});

describe('quiet by default', () => {
  it('writes nothing to the console on its own, even when everything fails', async () => {
    const fake = await server();
    fake.down = true;
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => vi.spyOn(console, m));
    const flags = client(fake);
    await until(() => fake.requests.length >= 3, { what: 'a few failed attempts' });
    await flags.close();
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });

  it('speaks through the logger it is given, and survives a logger that throws', async () => {
    const fake = await server();
    fake.down = true;
    const lines: string[] = [];
    const flags = client(fake, {
      logger: {
        warn: (message) => {
          lines.push(message);
          throw new Error('broken logger');
        },
      },
    });
    await until(() => lines.length > 0, { what: 'a warning' });
    expect(lines[0]).toMatch(/stream lost/);
    expect(flags.isEnabled('new-checkout', { key: 'u' })).toBe(false);
  });
});
