import { afterEach, describe, expect, it } from 'vitest';
import { flagOff, flagOn, stringFlag } from '@flagstaff/core/testing';
import { createClient, type ClientOptions, type FlagsClient } from './index.js';
import { FakeServer, SDK_KEY } from './testing/fake-server.js';
import { nextEvent, until } from './testing/wait.js';

const banner = stringFlag('banner-text', ['Welcome', 'Hello']);
const checkout = flagOn('new-checkout', {
  rules: [{ id: 'africa', clauses: [{ attribute: 'country', op: 'in', values: ['ZA', 'NG'] }], serve: { variation: 1 } }],
  fallthrough: { variation: 0 },
});

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function server(flags = [checkout, banner]): Promise<FakeServer> {
  const fake = await FakeServer.start(flags);
  cleanup.push(() => fake.close());
  return fake;
}

/** A client tuned for tests: fast reconnects and polls, short heartbeat timeout, usage off unless asked. */
function client(fake: FakeServer | null, options: ClientOptions = {}): FlagsClient {
  const flags = createClient({
    url: fake?.url,
    sdkKey: SDK_KEY,
    reconnect: { baseMs: 20, maxMs: 100 },
    pollIntervalMs: 100,
    heartbeatTimeoutMs: 2_000,
    usage: false,
    ...options,
  });
  cleanup.push(() => flags.close());
  return flags;
}

describe('createClient and ready()', () => {
  it('resolves ready() on the first put and evaluates locally, without a request per evaluation', async () => {
    const fake = await server();
    const flags = client(fake);
    const status = await flags.ready({ timeoutMs: 2_000 });
    expect(status).toMatchObject({ state: 'ready', source: 'server', version: 1, connection: 'streaming' });
    expect(fake.requestsTo('/sdk/v1/stream')[0]!.headers.authorization).toBe(SDK_KEY);

    const before = fake.requests.length;
    for (let i = 0; i < 1_000; i++) flags.isEnabled('new-checkout', { key: `u${i}`, country: 'ZA' });
    expect(fake.requests.length).toBe(before);

    expect(flags.isEnabled('new-checkout', { key: 'user-1', country: 'ZA' })).toBe(true);
    expect(flags.isEnabled('new-checkout', { key: 'user-1', country: 'FR' })).toBe(false);
    expect(flags.variation('banner-text', { key: 'user-1' }, 'Welcome')).toBe('Hello');
    expect(flags.variationDetail('new-checkout', { key: 'u', country: 'NG' }, false)).toEqual({
      value: true,
      variationIndex: 1,
      reason: { kind: 'RULE_MATCH', ruleId: 'africa', ruleIndex: 0 },
      source: 'server',
    });
    expect(flags.allFlags({ key: 'u', country: 'FR' })).toEqual({ 'new-checkout': false, 'banner-text': 'Hello' });
  });

  it('resolves ready() with the state at the timeout, serving defaults meanwhile', async () => {
    const fake = await server();
    fake.streamPlan.push('silent');
    fake.flagsPlan.push('silent');
    const flags = client(fake, { requestTimeoutMs: 3_000 });
    const started = Date.now();
    const status = await flags.ready({ timeoutMs: 150 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(status).toMatchObject({ state: 'initializing', source: 'none', version: null });
    expect(flags.variationDetail('banner-text', {}, 'Welcome')).toMatchObject({
      value: 'Welcome',
      reason: { kind: 'ERROR', errorKind: 'CLIENT_NOT_READY' },
      source: 'none',
    });
  });

  it('never throws on bad options: it reports them and serves defaults', async () => {
    const flags = createClient({ url: 'not a url', sdkKey: '' });
    cleanup.push(() => flags.close());
    const error = nextEvent(flags, 'error');
    expect(await flags.ready()).toMatchObject({ state: 'failed', connection: 'stopped', lastError: { code: 'invalid_options' } });
    expect((await error).message).toMatch(/url.*sdkKey is required/);
    expect(flags.isEnabled('new-checkout', { key: 'u' })).toBe(false);
  });
});

describe('staying current', () => {
  it('tells change listeners which flags changed, at which version', async () => {
    const fake = await server();
    const flags = client(fake);
    await flags.ready();
    const change = nextEvent(flags, 'change');
    const version = fake.setFlag({ ...checkout, fallthrough: { variation: 1 } });
    expect(await change).toEqual({ keys: ['new-checkout'], version });
    expect(flags.isEnabled('new-checkout', { key: 'u', country: 'FR' })).toBe(true);
  });

  it('resumes with Last-Event-ID after a dropped stream and gets exactly the missed change', async () => {
    const fake = await server();
    const flags = client(fake);
    await flags.ready();
    fake.dropStreams();
    const version = fake.setFlag(flagOff('new-checkout'));
    await until(() => flags.status().version === version, { what: 'the missed change' });
    const resumed = fake.requestsTo('/sdk/v1/stream').at(-1)!;
    expect(resumed.headers['last-event-id']).toBe('1');
    expect(flags.isEnabled('new-checkout', { key: 'u', country: 'ZA' })).toBe(false);
  });

  it('reconnects after a 503 with Retry-After, where a bare EventSource would stop for good', async () => {
    const fake = await server();
    fake.streamPlan.push({ status: 503, headers: { 'Retry-After': '0' }, body: '{"error":{"code":"unavailable","message":"shedding"}}' });
    const flags = client(fake);
    const status = await flags.ready();
    expect(status.state).toBe('ready');
    await until(() => flags.status().connection === 'streaming', { what: 'the stream' });
    expect(fake.requestsTo('/sdk/v1/stream').length).toBe(2);
  });

  it('treats a silent connection as dead once the heartbeat is overdue', async () => {
    const fake = await server();
    const flags = client(fake, { heartbeatTimeoutMs: 200 });
    await flags.ready();
    // No heartbeats from the fake: the client must give up on the connection and open another.
    await until(() => fake.requestsTo('/sdk/v1/stream').length >= 2, { what: 'a reconnect' });
    expect(flags.status().lastError).toMatchObject({ code: 'heartbeat_timeout' });
  });

  it('keeps a quiet connection that heartbeats arrive on', async () => {
    const fake = await server();
    const flags = client(fake, { heartbeatTimeoutMs: 300 });
    await flags.ready();
    const beating = setInterval(() => fake.heartbeat(), 50);
    cleanup.push(async () => clearInterval(beating));
    const change = nextEvent(flags, 'change', 3_000);
    // Three heartbeat timeouts' worth of heartbeats and nothing else: the connection must stay.
    const started = Date.now();
    await until(() => Date.now() - started > 900, { what: '900 ms of heartbeats' });
    fake.setFlag(flagOff('new-checkout'));
    await change;
    expect(fake.requestsTo('/sdk/v1/stream').length).toBe(1);
  });

  it('resyncs from GET /sdk/v1/flags when a heartbeat checksum disagrees', async () => {
    const fake = await server();
    const flags = client(fake);
    await flags.ready();
    fake.setFlagSilently(flagOff('new-checkout'));
    const change = nextEvent(flags, 'change');
    fake.heartbeat();
    expect(await change).toEqual({ keys: ['new-checkout'], version: 1 });
    expect(flags.isEnabled('new-checkout', { key: 'u', country: 'ZA' })).toBe(false);
    expect(fake.requestsTo('/sdk/v1/flags').length).toBe(1);
  });
});
