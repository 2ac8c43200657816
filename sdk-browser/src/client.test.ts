import { snapshotChecksum } from '@flagstaff/core/evaluate';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flagOff, flagOn, snapshotOf, stringFlag } from '@flagstaff/core/testing';
import { createClient, type ClientOptions, type FlagsClient } from './client.js';
import { FakeEventSource, MemoryStore, recordChanges } from './testing/fakes.js';

const URL = 'https://flags.example';
const KEY = 'fsc_test';
const CACHE_ENTRY = `flagstaff:v1:${KEY}`;

let fetchMock: ReturnType<typeof vi.fn>;
let clients: FlagsClient[];

/** The server's answers to GET /sdk/v1/flags, in order (the last one repeats). */
function answerFlags(...responses: Array<() => Response>): void {
  fetchMock.mockImplementation(async () => (responses.length > 1 ? responses.shift()! : responses[0]!)());
}
const json =
  (body: unknown, status = 200) =>
  () =>
    new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

function client(options: Partial<ClientOptions> = {}): FlagsClient {
  const created = createClient({ url: URL, clientKey: KEY, cache: new MemoryStore(), reconnect: { baseMs: 1, maxMs: 2 }, ...options });
  clients.push(created);
  return created;
}

beforeEach(() => {
  FakeEventSource.instances = [];
  fetchMock = vi.fn();
  answerFlags(() => {
    throw new TypeError('fetch failed');
  });
  vi.stubGlobal('EventSource', FakeEventSource);
  vi.stubGlobal('fetch', fetchMock);
  clients = [];
});

afterEach(() => {
  for (const c of clients) c.close();
  vi.unstubAllGlobals();
});

describe('starting', () => {
  it('serves flag values given as the bootstrap at once, then the server flags, announcing only values that moved', () => {
    const flags = client({ bootstrap: { 'new-checkout': true, banner: 'Hi' }, context: { key: 'user-1' } });
    expect(flags.isEnabled('new-checkout')).toBe(true);
    expect(flags.variationDetail('banner', 'Welcome')).toMatchObject({ value: 'Hi', source: 'bootstrap' });
    const seen = recordChanges(flags);

    FakeEventSource.latest.open().emit('put', snapshotOf(5, [flagOn('new-checkout'), stringFlag('banner', ['Hi', 'Yo'])]));

    expect(seen).toEqual([['banner']]);
    expect(flags.variationDetail('banner', 'Welcome')).toMatchObject({ value: 'Yo', source: 'server', reason: { kind: 'FALLTHROUGH' } });
  });

  it("starts from its client key's cached snapshot, and caches each server state (never a bootstrap)", () => {
    const cache = new MemoryStore();
    cache.setItem(CACHE_ENTRY, JSON.stringify(snapshotOf(3, [flagOff('a')])));
    cache.setItem('flagstaff:v1:fsc_other', JSON.stringify(snapshotOf(9, [flagOn('b')])));
    const flags = client({ cache });

    expect(flags.variationDetail('a', true)).toMatchObject({ value: false, source: 'bootstrap' });
    expect(flags.isEnabled('b')).toBe(false);
    // A cached version is no resume point: the server might have been reset since.
    expect(FakeEventSource.latest.url).not.toContain('lastEventId');

    FakeEventSource.latest.open().emit('put', snapshotOf(4, [flagOn('a', { version: 2 })]));
    expect(JSON.parse(cache.getItem(CACHE_ENTRY)!).version).toBe(4);
    FakeEventSource.latest.emit('patch', { version: 5, kind: 'flag', key: 'a', value: flagOff('a', { version: 3 }) });
    expect(JSON.parse(cache.getItem(CACHE_ENTRY)!)).toMatchObject({ version: 5, flags: { a: { on: false } } });
  });

  it.each([
    ['not JSON', '{"version":3,"flags":'],
    ['not a snapshot', '{"version":3,"flags":{"a":{"key":"a"}},"segments":{}}'],
    ['flag values (only a bootstrap may be values)', '{"a":true}'],
  ])('drops a cached entry that is %s, and starts from the defaults', (_, text) => {
    const cache = new MemoryStore();
    cache.setItem(CACHE_ENTRY, text);
    const flags = client({ cache });
    expect(flags.variationDetail('a', false)).toMatchObject({ value: false, source: 'none' });
    expect(cache.getItem(CACHE_ENTRY)).toBeNull();
  });

  it('serves its bootstrap without connecting where there is no EventSource (server-side rendering)', async () => {
    vi.stubGlobal('EventSource', undefined);
    const flags = client({ bootstrap: { 'new-checkout': true } });
    expect(flags.isEnabled('new-checkout')).toBe(true);
    expect(await new Promise((resolve) => flags.on('error', resolve))).toMatchObject({ code: 'unsupported' });
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it.each([
    ['a string', 'flags'],
    ['an array', [true]],
    ['a snapshot with a broken flag', { version: 1, flags: { a: { key: 'a' } }, segments: {} }],
  ])('reports a bootstrap that is %s, and serves the defaults', async (_, bootstrap) => {
    const flags = client({ bootstrap: bootstrap as never });
    expect(await new Promise((resolve) => flags.on('error', resolve))).toMatchObject({ code: 'invalid_bootstrap' });
    expect(flags.variationDetail('a', false)).toMatchObject({ value: false, source: 'none' });
  });

  it('takes no options at all without throwing', () => {
    expect(() => clients.push(createClient(undefined as never))).not.toThrow();
    expect(clients.at(-1)!.status().state).toBe('failed');
  });

  it('prefers the bootstrap to the cached snapshot', () => {
    const cache = new MemoryStore();
    cache.setItem(CACHE_ENTRY, JSON.stringify(snapshotOf(3, [flagOn('a')])));
    expect(client({ cache, bootstrap: { a: false } }).isEnabled('a')).toBe(false);
  });

  it.each([
    ['an unusable url', { url: 'not a url' }],
    ['a server key, which must never travel in a URL', { clientKey: 'fss_secret' }],
    ['no key', { clientKey: undefined as unknown as string }],
  ])('reports %s as failed, without throwing or connecting', async (_, options) => {
    const flags = client(options);
    const error = await new Promise((resolve) => flags.on('error', resolve));
    expect(error).toMatchObject({ code: 'invalid_options' });
    expect(flags.status().state).toBe('failed');
    expect(FakeEventSource.instances).toEqual([]);
  });

  it('ready() resolves with the status at the first server data, or at its timeout', async () => {
    const flags = client();
    expect((await flags.ready({ timeoutMs: 10 })).state).toBe('initializing');
    const ready = flags.ready({ timeoutMs: 60_000 });
    FakeEventSource.latest.open().emit('put', snapshotOf(1, []));
    expect(await ready).toMatchObject({ state: 'ready', source: 'server', version: 1 });
  });
});

describe('identify()', () => {
  it('re-evaluates locally, without a request, announcing the flags whose value moved', () => {
    const pro = { id: 'pro', clauses: [{ attribute: 'plan', op: 'in' as const, values: ['pro'] }], serve: { variation: 1 } };
    const flags = client({ context: { key: 'user-1', plan: 'pro' } });
    FakeEventSource.latest
      .open()
      .emit('put', snapshotOf(1, [flagOn('pro-only', { fallthrough: { variation: 0 }, rules: [pro] }), flagOn('everyone')]));
    const seen = recordChanges(flags);

    flags.identify({ key: 'user-2', plan: 'free' });

    expect(seen).toEqual([['pro-only']]);
    expect(flags.isEnabled('pro-only')).toBe(false);
    expect(flags.context).toEqual({ key: 'user-2', plan: 'free' });
    expect(fetchMock).not.toHaveBeenCalled();
    expect(FakeEventSource.instances).toHaveLength(1);
  });
});

describe('staying current', () => {
  it('reconnects after a failure with ?lastEventId= the version held, asking for heartbeat events', async () => {
    client();
    FakeEventSource.latest.open().emit('put', snapshotOf(7, [flagOn('a')]));
    const first = FakeEventSource.latest;
    expect(first.url).toBe(`${URL}/sdk/v1/stream?key=${KEY}&heartbeat=event`);

    first.fail();

    expect(first.closed).toBe(true);
    await vi.waitFor(() => expect(FakeEventSource.instances).toHaveLength(2));
    expect(FakeEventSource.latest.url).toBe(`${URL}/sdk/v1/stream?key=${KEY}&heartbeat=event&lastEventId=7`);
  });

  it('reconnects at once when the browser comes back online, instead of waiting out the backoff', async () => {
    const onlineListeners: (() => void)[] = [];
    vi.stubGlobal('addEventListener', (type: string, listener: () => void) => type === 'online' && onlineListeners.push(listener));
    vi.stubGlobal('removeEventListener', () => {});
    client({ reconnect: { baseMs: 60_000, maxMs: 60_000 } });
    FakeEventSource.latest.fail();
    // Until the failed attempt's fallback request has settled no retry is pending, and 'online' does nothing.
    await vi.waitFor(() => {
      for (const listener of onlineListeners) listener();
      expect(FakeEventSource.instances).toHaveLength(2);
    });
    expect(onlineListeners).toHaveLength(1);
  });

  it('slows down while streams open and deliver nothing, and starts over after one that delivered the server state and lived', async () => {
    vi.useFakeTimers();
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.999);
    try {
      client({ reconnect: { baseMs: 1_000, maxMs: 30_000, resetAfterMs: 1_000 } });
      /** Keeps the latest stream open for 2 s, fails it, and measures the delay until the next attempt (10 ms steps). */
      const failAfterTwoSeconds = async () => {
        await vi.advanceTimersByTimeAsync(2_000);
        const attempts = FakeEventSource.instances.length;
        FakeEventSource.latest.fail();
        let waited = 0;
        while (FakeEventSource.instances.length === attempts && waited < 60_000) waited += (await vi.advanceTimersByTimeAsync(10), 10);
        return waited;
      };
      FakeEventSource.latest.open();
      expect(await failAfterTwoSeconds()).toBe(1_000);
      // Open for 2 s again, but without a frame from the server: still the same outage, now 3 s long.
      FakeEventSource.latest.open();
      expect(await failAfterTwoSeconds()).toBe(1_500);
      FakeEventSource.latest.open().emit('put', snapshotOf(1, [flagOn('a')]));
      expect(await failAfterTwoSeconds()).toBe(1_000);
    } finally {
      random.mockRestore();
      vi.useRealTimers();
    }
  });

  it('falls back to GET /sdk/v1/flags while the stream fails, serving what it answers', async () => {
    answerFlags(json(snapshotOf(8, [flagOff('a')])));
    const flags = client();
    FakeEventSource.latest.fail();
    await vi.waitFor(() => expect(flags.status()).toMatchObject({ state: 'ready', source: 'server', version: 8 }));
    expect(fetchMock).toHaveBeenCalledWith(`${URL}/sdk/v1/flags?key=${KEY}`, expect.anything());
    expect(flags.isEnabled('a')).toBe(false);
  });

  it('fetches the snapshot when a heartbeat disagrees with the flags held, and only then', async () => {
    const held = snapshotOf(7, [flagOn('a')]);
    answerFlags(json(snapshotOf(7, [flagOff('a', { version: 2 })])));
    const flags = client();
    const stream = FakeEventSource.latest.open().emit('put', held);

    stream.emit('hb', `hb 7 ${snapshotChecksum(held)}`);
    expect(fetchMock).not.toHaveBeenCalled();

    stream.emit('hb', 'hb 7 0123456789abcdef');
    await vi.waitFor(() => expect(flags.isEnabled('a')).toBe(false));
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it.each([401, 403])('stops for good when the server refuses the key (%i)', async (status) => {
    answerFlags(json({ error: { code: 'unauthorized', message: 'unknown SDK key' } }, status));
    const flags = client();
    const errors: unknown[] = [];
    flags.on('error', (error) => errors.push(error));
    FakeEventSource.latest.fail();
    await vi.waitFor(() => expect(flags.status().state).toBe('failed'));
    expect(errors).toContainEqual(expect.objectContaining({ status }));
    // The retry would come within maxMs (2 ms): give it ten times that to show it never does.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(FakeEventSource.instances).toHaveLength(1);
  });

  it('keeps serving the flags held when an event is malformed, and resyncs', async () => {
    answerFlags(json(snapshotOf(3, [flagOn('a')])));
    const flags = client();
    FakeEventSource.latest
      .open()
      .emit('put', snapshotOf(2, [flagOn('a')]))
      .emit('patch', '{"version":3,"kind":"flag"');
    expect(flags.isEnabled('a')).toBe(true);
    await vi.waitFor(() => expect(flags.status().version).toBe(3));
  });

  it('keeps telling the other listeners when one throws', () => {
    const flags = client();
    const seen = recordChanges(flags);
    flags.on('change', () => {
      throw new Error('application bug');
    });
    const after = recordChanges(flags);
    FakeEventSource.latest.open().emit('put', snapshotOf(1, [flagOn('a')]));
    expect(seen).toEqual([['a']]);
    expect(after).toEqual([['a']]);
  });
});

describe('a storage that throws', () => {
  const refuse = (name: string) => () => {
    throw new DOMException(`${name} refused`, name === 'setItem' ? 'QuotaExceededError' : 'SecurityError');
  };
  const full = Object.assign(new MemoryStore(), { setItem: refuse('setItem') });
  const forbidden = { getItem: refuse('getItem'), setItem: refuse('setItem'), removeItem: refuse('removeItem') };

  it.each([
    ['is full (setItem throws QuotaExceededError)', full],
    ['is forbidden (every call throws SecurityError)', forbidden],
    ['cannot even be reached (reading window.localStorage throws)', undefined],
  ])('costs only the head start when it %s: events, ready() and updates work, nothing is thrown', async (_, cache) => {
    if (cache === undefined) {
      Object.defineProperty(globalThis, 'localStorage', { configurable: true, get: refuse('localStorage') });
    }
    try {
      let flags!: FlagsClient;
      expect(() => (flags = client({ cache }))).not.toThrow();
      const seen = recordChanges(flags);
      const statuses: string[] = [];
      flags.on('status', ({ state }) => statuses.push(state));
      const ready = flags.ready({ timeoutMs: 1_000 });
      const thrown: unknown[] = [];
      const serve = (type: string, data: unknown) => {
        try {
          FakeEventSource.latest.emit(type, data);
        } catch (error) {
          thrown.push(error);
        }
      };

      FakeEventSource.latest.open();
      serve('put', snapshotOf(1, [flagOn('a')]));
      expect(await ready).toMatchObject({ state: 'ready', source: 'server', version: 1 });
      serve('patch', { version: 2, kind: 'flag', key: 'a', value: flagOff('a', { version: 2 }) });

      expect(seen).toEqual([['a'], ['a']]);
      expect(statuses).toEqual(['ready']);
      expect(flags.isEnabled('a')).toBe(false);
      expect(thrown).toEqual([]);
    } finally {
      if (cache === undefined) delete (globalThis as { localStorage?: unknown }).localStorage;
    }
  });
});
