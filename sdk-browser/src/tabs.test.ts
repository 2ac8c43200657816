// The stream shared across tabs, in node: every client of the test is a tab of one browser, with node's
// real BroadcastChannel (shared by the whole process) and a fake Web Locks API. The real thing runs in
// Chromium in test/browser/tabs.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flagOff, flagOn, snapshotOf } from '@flagstaff/core/testing';
import { createClient, type ClientOptions, type FlagsClient } from './client.js';
import { shareAcrossTabs } from './tabs.js';
import { FakeEventSource, FakeLockManager, MemoryStore, recordChanges } from './testing/fakes.js';

const URL = 'https://flags.example';
const KEY = 'fsc_test';
/** The channel's name is the contract between the tabs of one SDK version. */
const CHANNEL = `flagstaff-tabs:1:${URL}:${KEY}`;

let fetchMock: ReturnType<typeof vi.fn>;
let tabs: FlagsClient[];

function tab(options: Partial<ClientOptions> = {}): FlagsClient {
  const created = createClient({
    url: URL,
    clientKey: KEY,
    cache: new MemoryStore(),
    reconnect: { baseMs: 1, maxMs: 2 },
    stream: shareAcrossTabs(),
    ...options,
  });
  tabs.push(created);
  return created;
}

/** The stream the leader opened, once it has. */
const stream = (count = 1) => vi.waitFor(() => (expect(FakeEventSource.instances).toHaveLength(count), FakeEventSource.latest));

beforeEach(() => {
  FakeEventSource.instances = [];
  fetchMock = vi.fn(async () => {
    throw new TypeError('fetch failed');
  });
  vi.stubGlobal('EventSource', FakeEventSource);
  vi.stubGlobal('fetch', fetchMock);
  vi.stubGlobal('navigator', { locks: new FakeLockManager() });
  vi.stubGlobal('document', new EventTarget());
  tabs = [];
});

afterEach(() => {
  for (const t of tabs) t.close();
  vi.unstubAllGlobals();
});

describe('sharing one stream', () => {
  it('opens one stream for two tabs; the follower applies what the leader hears, announces it and caches it', async () => {
    const leader = tab();
    const cache = new MemoryStore();
    const follower = tab({ cache });
    const seen = recordChanges(follower);
    const source = await stream();

    source.open().emit('put', snapshotOf(3, [flagOff('a')]));
    await vi.waitFor(() => expect(follower.status()).toMatchObject({ state: 'ready', source: 'server', version: 3 }));
    source.emit('patch', { version: 4, kind: 'flag', key: 'a', value: flagOn('a', { version: 2 }) });
    await vi.waitFor(() => expect(follower.isEnabled('a')).toBe(true));

    expect(leader.isEnabled('a')).toBe(true);
    expect(seen).toEqual([['a'], ['a']]); // arrived, then flipped
    expect(JSON.parse(cache.getItem(`flagstaff:v1:${KEY}`)!).version).toBe(4);
    expect(FakeEventSource.instances).toHaveLength(1);
  });

  it("makes a tab that joins later current at once with the leader's snapshot, without a stream", async () => {
    tab();
    (await stream()).open().emit('put', snapshotOf(7, [flagOn('a')]));
    const late = tab();
    await vi.waitFor(() => expect(late.status()).toMatchObject({ state: 'ready', version: 7 }));
    expect(late.isEnabled('a')).toBe(true);
    expect(FakeEventSource.instances).toHaveLength(1);
  });

  it("reports the leader's staleness in every tab, and its errors", async () => {
    tab();
    const follower = tab();
    const errors: string[] = [];
    follower.on('error', ({ code }) => errors.push(code));
    const source = await stream();
    source.open().emit('put', snapshotOf(3, [flagOn('a')]));
    await vi.waitFor(() => expect(follower.status().state).toBe('ready'));

    source.fail();
    await vi.waitFor(() => expect(follower.status().state).toBe('stale'));
    expect(follower.status().staleSince).toEqual(tabs[0]!.status().staleSince);
    expect(errors).toContain('network');
  });

  it('fails in every tab when the server refuses the key', async () => {
    fetchMock.mockImplementation(async () => new Response('{}', { status: 401 }));
    tab();
    const follower = tab();
    (await stream()).fail();
    await vi.waitFor(() => expect(follower.status()).toMatchObject({ state: 'failed', lastError: { code: 'unauthorized' } }));
  });
});

describe('changing leader', () => {
  it('hands the stream to a follower when the leader closes, resuming from the version it holds', async () => {
    const leader = tab();
    const follower = tab();
    (await stream()).open().emit('put', snapshotOf(5, [flagOn('a')]));
    await vi.waitFor(() => expect(follower.status().version).toBe(5));

    leader.close();
    const takeover = await stream(2);
    expect(takeover.url).toContain('lastEventId=5');
    takeover.open().emit('patch', { version: 6, kind: 'flag', key: 'a', value: flagOff('a', { version: 2 }) });
    expect(follower.isEnabled('a')).toBe(false);
  });

  it('lets a follower leave without a stream of its own', async () => {
    const leader = tab();
    tab().close();
    (await stream()).open().emit('put', snapshotOf(5, [flagOn('a')]));
    await vi.waitFor(() => expect(leader.status().state).toBe('ready'));
    expect(FakeEventSource.instances).toHaveLength(1);
  });

  it('steps out before the tab is frozen, and comes back as a follower, current at once, when it resumes', async () => {
    const page = new EventTarget();
    vi.stubGlobal('document', page);
    const frozen = tab();
    vi.stubGlobal('document', new EventTarget());
    const other = tab();
    const first = await stream();
    first.open().emit('put', snapshotOf(5, [flagOn('a')]));
    await vi.waitFor(() => expect(other.status().state).toBe('ready'));

    page.dispatchEvent(new Event('freeze'));
    expect(first.closed).toBe(true);
    expect(frozen.status().state).toBe('stale');
    const second = await stream(2);
    expect(second.url).toContain('lastEventId=5');
    second.open().emit('patch', { version: 6, kind: 'flag', key: 'a', value: flagOff('a', { version: 2 }) });
    expect(other.isEnabled('a')).toBe(false);

    page.dispatchEvent(new Event('resume'));
    await vi.waitFor(() => expect(frozen.status()).toMatchObject({ state: 'ready', version: 6 }));
    expect(frozen.isEnabled('a')).toBe(false);
    expect(FakeEventSource.instances).toHaveLength(2);
  });
});

describe('the channel', () => {
  it('goes stale when the leader falls silent without a freeze event (Firefox, Safari), and ready when it answers again', async () => {
    // A leader that holds the lock and answers hellos until it is suspended, as a tab whose browser stops it.
    let suspended = false;
    void (navigator.locks as unknown as FakeLockManager).request(CHANNEL, {}, () => new Promise(() => {}));
    const leader = new BroadcastChannel(CHANNEL);
    leader.onmessage = ({ data }) => {
      if (suspended || data.kind !== 'hello') return;
      leader.postMessage({ v: 1, kind: 'snapshot', snapshot: snapshotOf(5, [flagOn('a')]) });
      leader.postMessage({ v: 1, kind: 'channel', up: true, at: Date.now() });
    };
    try {
      const follower = tab({ heartbeatTimeoutMs: 150 });
      await vi.waitFor(() => expect(follower.status()).toMatchObject({ state: 'ready', version: 5 }));
      suspended = true;
      await vi.waitFor(() => expect(follower.status()).toMatchObject({ state: 'stale', version: 5 }));
      expect(follower.isEnabled('a')).toBe(true);
      suspended = false;
      await vi.waitFor(() => expect(follower.status().state).toBe('ready'));
      expect(FakeEventSource.instances).toHaveLength(0);
    } finally {
      leader.close();
    }
  });

  it('ignores what is not a message of its protocol version, and applies what is', async () => {
    tab();
    const follower = tab();
    (await stream()).open().emit('put', snapshotOf(5, [flagOn('a')]));
    await vi.waitFor(() => expect(follower.status().version).toBe(5));
    const patch = JSON.stringify({ version: 6, kind: 'flag', key: 'a', value: flagOff('a', { version: 2 }) });

    const impostor = new BroadcastChannel(CHANNEL);
    for (const message of [
      null,
      'patch',
      { kind: 'event', type: 'patch', data: patch },
      { v: 2, kind: 'event', type: 'patch', data: patch },
      { v: 1, kind: 'event', type: 'patch', data: JSON.parse(patch) },
      { v: 1, kind: 'toString' },
      { v: 1, kind: 'channel', up: 'no', at: 0 },
      { v: 1, kind: 'error', error: { code: 401 }, refused: true },
    ]) {
      impostor.postMessage(message);
    }
    impostor.postMessage({ v: 1, kind: 'event', type: 'patch', data: patch });
    await vi.waitFor(() => expect(follower.isEnabled('a')).toBe(false));
    impostor.close();
    expect(follower.status()).toMatchObject({ state: 'ready', version: 6, lastError: null });
  });
});

describe('without the APIs', () => {
  it.each([
    ['the Web Locks API', 'navigator'],
    ['BroadcastChannel', 'BroadcastChannel'],
  ])('streams from each tab on its own without %s', async (_api, global) => {
    vi.stubGlobal(global, undefined);
    tab();
    tab();
    expect(FakeEventSource.instances).toHaveLength(2);
  });
});
