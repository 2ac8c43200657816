import { afterEach, describe, expect, it, vi } from 'vitest';
import { snapshotChecksum, type Snapshot } from '@flagstaff/core';
import { until } from '../../../test/helpers/sse.js';
import { FakeOutput, flag, flagChange, flagUsing, segment, snapshotOf } from '../../../test/helpers/stream-fixtures.js';
import { LocalChangeFeed } from '../store/changes.js';
import { StreamHub, type HubOptions } from './hub.js';

const hubs: StreamHub[] = [];
afterEach(() => {
  for (const hub of hubs.splice(0)) hub.stop();
});

/** A hub over one environment, `prod`, at version 10 with flags a (server-only) and b (client-side). */
function setup(options: Partial<HubOptions> = {}) {
  const states = new Map<string, Snapshot>([['prod', snapshotOf(10, [flag('a'), flag('b', { clientSide: true })])]]);
  const feed = new LocalChangeFeed();
  const hub = new StreamHub({ source: { snapshot: (env) => states.get(env) ?? null }, ...options });
  hubs.push(hub);
  hub.follow(feed);
  const connect = (audience: 'server' | 'client' = 'server', lastEventId: number | null = null) => {
    const out = new FakeOutput();
    const subscriber = hub.connect(out, { env: 'prod', audience, keyId: `key-${audience}`, lastEventId });
    return { out, subscriber: subscriber! };
  };
  /** Commits `count` changes toggling flag a (server-only) or b (client-side), from version 11 on. */
  let version = 10;
  const change = (key: 'a' | 'b' = 'a', count = 1) => {
    for (let i = 0; i < count; i++) {
      version++;
      feed.publish(flagChange('prod', version, flag(key, { version, on: version % 2 === 0, clientSide: key === 'b' })));
    }
  };
  return { hub, feed, states, connect, change };
}

const ids = (out: FakeOutput) => out.events().map((e) => `${e.type}@${e.id}`);

describe('StreamHub', () => {
  it('sends a jittered retry and a put first, then every change in order with its version as id', () => {
    const { connect, change } = setup({ retryMs: 2000 });
    const { out } = connect();
    change('a', 3);
    const [first] = out.blocks();
    expect(first!.retry).toBeGreaterThanOrEqual(1000);
    expect(first!.retry).toBeLessThanOrEqual(3000);
    expect(ids(out)).toEqual(['put@10', 'patch@11', 'patch@12', 'patch@13']);
    expect(out.events()[0]!.data).toEqual(snapshotOf(10, [flag('a'), flag('b', { clientSide: true })]));
    expect(out.events()[3]!.data).toMatchObject({ version: 13, kind: 'flag', key: 'a', value: { version: 13 } });
  });

  it('applies each version once: repeated and stale changes are ignored', () => {
    const { hub, connect } = setup();
    const { out } = connect();
    hub.ingest(flagChange('prod', 11, flag('a', { version: 11 })));
    hub.ingest(flagChange('prod', 11, flag('a', { version: 11 })));
    hub.ingest(flagChange('prod', 9, flag('a', { version: 9 })));
    expect(ids(out)).toEqual(['put@10', 'patch@11']);
  });

  it('holds a change that arrives ahead of a missing one until the gap fills', () => {
    const { hub, connect } = setup();
    const { out } = connect();
    hub.ingest(flagChange('prod', 13, flag('a', { version: 13 })));
    hub.ingest(flagChange('prod', 12, flag('b', { version: 12, clientSide: true })));
    expect(ids(out)).toEqual(['put@10']);
    hub.ingest(flagChange('prod', 11, flag('a', { version: 11 })));
    expect(ids(out)).toEqual(['put@10', 'patch@11', 'patch@12', 'patch@13']);
    expect(hub.version('prod')).toBe(13);
  });

  it('resyncs from a snapshot, with a put to everyone, when a gap does not fill in time', async () => {
    const resynced = snapshotOf(14, [flag('a', { version: 14, on: true })]);
    const { hub, connect } = setup({ gapTimeoutMs: 20, resync: async () => resynced });
    const { out } = connect();
    const client = connect('client');
    hub.ingest(flagChange('prod', 13, flag('a', { version: 13 })));
    hub.ingest(flagChange('prod', 15, flag('a', { version: 15 })));
    await until(() => hub.version('prod') === 15, 'the resync');
    expect(ids(out)).toEqual(['put@10', 'put@14', 'patch@15']);
    expect(ids(client.out)).toEqual(['put@10', 'put@14']);
    expect(client.out.events()[1]!.data).toEqual({ version: 14, flags: {}, segments: {} });
  });

  it('replays exactly the changes missed after Last-Event-ID, in order', () => {
    const { connect, change } = setup();
    change('a', 5);
    const { out } = connect('server', 12);
    expect(ids(out)).toEqual(['patch@13', 'patch@14', 'patch@15']);
  });

  it.each([
    ['no longer held', 11],
    ['ahead of the server', 99],
    ['older than anything the server had', 0],
  ])('sends a put when the id is %s', (_why, lastEventId) => {
    const { connect, change } = setup({ logCapacity: 3 });
    change('a', 5);
    const { out } = connect('server', lastEventId);
    expect(ids(out)).toEqual(['put@15']);
  });

  it('sends only a heartbeat with the checksum to a client that missed nothing', () => {
    const { hub, connect, change } = setup();
    change('a', 2);
    const { out } = connect('server', 12);
    expect(out.events()).toEqual([]);
    expect(out.blocks().at(-1)!.comments).toEqual([`hb 12 ${snapshotChecksum(hub.snapshot('prod')!)}`]);
  });

  describe('client keys', () => {
    it('see only client-side flags, and only changes to them', () => {
      const { connect, change } = setup();
      const { out } = connect('client');
      change('a');
      change('b');
      change('a');
      expect(ids(out)).toEqual(['put@10', 'patch@12']);
      expect(Object.keys(out.events()[0]!.data.flags)).toEqual(['b']);
    });

    it('get a segment a flag newly needs before the flag, in one change with one id', () => {
      const { hub, connect } = setup();
      hub.ingest({ env: 'prod', version: 11, kind: 'segment', key: 'beta', value: segment('beta') });
      const { out } = connect('client');
      hub.ingest(flagChange('prod', 12, flagUsing('a', ['beta'], { version: 2, clientSide: true })));
      const blocks = out.blocks().filter((b) => b.data);
      expect(blocks.map((b) => [b.event, b.id, JSON.parse(b.data!).key])).toEqual([
        ['put', '10', undefined],
        ['patch', undefined, 'beta'],
        ['patch', '12', 'a'],
      ]);
      expect(Object.keys(out.events()[0]!.data.segments)).toEqual([]);
    });

    it('resume skipping the changes they could not see', () => {
      const { connect, change } = setup();
      change('b');
      change('a', 3);
      change('b');
      change('a');
      expect(ids(connect('client', 11).out)).toEqual(['patch@15']);
      // Version 13 changed nothing a client sees: a client that last saw 11 holds the current view of 13.
      const upToDate = connect('client', 11);
      change('a');
      const again = connect('client', 15);
      expect(again.out.events()).toEqual([]);
      expect(upToDate.out.events().map((e) => e.id)).toEqual(['15']);
    });

    it('get heartbeats carrying the client view: its version and its checksum', () => {
      const { hub, connect, change } = setup();
      change('b');
      change('a', 2);
      const { out } = connect('client', 11);
      const view = { version: 11, flags: { b: hub.snapshot('prod')!.flags.b! }, segments: {} };
      expect(out.blocks().at(-1)!.comments).toEqual([`hb 11 ${snapshotChecksum(view)}`]);
    });
  });

  it('drops a connection that stops reading, without holding back the others', () => {
    const { hub, connect, change } = setup({ maxBufferedBytes: 1000 });
    const stalled = connect();
    const healthy = connect();
    // Past the limit beyond what it was sent on arrival (its retry hint and put).
    stalled.out.stall(Buffer.concat(stalled.out.chunks).length + 1001);
    change('a', 3);
    expect(stalled.out.destroyed).toBe(true);
    expect(ids(stalled.out)).toEqual(['put@10']);
    expect(ids(healthy.out)).toEqual(['put@10', 'patch@11', 'patch@12', 'patch@13']);
    expect(hub.connectionCount).toBe(1);
    expect(hub.metricsText()).toContain('flagstaff_stream_dropped_clients_total{env="prod"} 1');
  });

  it('counts a connection behind only for what piles up after its first frames, however large its put', () => {
    const { states, connect, change } = setup({ maxBufferedBytes: 1000 });
    states.set(
      'prod',
      snapshotOf(
        10,
        Array.from({ length: 50 }, (_, i) => flag(`flag-${i}`)),
      ),
    );
    const { out } = connect();
    const arrival = Buffer.concat(out.chunks).length;
    expect(arrival).toBeGreaterThan(1000);
    out.stall(arrival); // none of it has reached the client yet
    change('a');
    expect(out.destroyed).toBe(false);
    expect(ids(out)).toEqual(['put@10', 'patch@11']);
    out.stall(arrival + 1001);
    change('a');
    expect(out.destroyed).toBe(true);
  });

  it('sends heartbeats on its interval to every audience', async () => {
    const { hub, connect } = setup({ heartbeatMs: 20 });
    const server = connect();
    const client = connect('client');
    const beats = (out: FakeOutput) => out.blocks().flatMap((b) => b.comments);
    await until(() => beats(server.out).length >= 2 && beats(client.out).length >= 2, 'two heartbeats each');
    expect(beats(server.out)[0]).toBe(`hb 10 ${snapshotChecksum(hub.snapshot('prod')!)}`);
    expect(beats(client.out)[0]).toMatch(/^hb 10 [0-9a-f]{16}$/);
    expect(beats(client.out)[0]).not.toBe(beats(server.out)[0]);
  });

  it('sends heartbeats that follow every change and resync: the new version and checksum, never the old ones', async () => {
    const { hub, connect, change } = setup({ heartbeatMs: 20 });
    const server = connect();
    const client = connect('client');
    const beats = (out: FakeOutput) => out.blocks().flatMap((b) => b.comments);
    /** The heartbeats each connection receives from now on, once both have one. */
    const nextBeats = async () => {
      const seen = [beats(server.out).length, beats(client.out).length];
      await until(() => beats(server.out).length > seen[0]! && beats(client.out).length > seen[1]!, 'a heartbeat to each');
      return [beats(server.out)[seen[0]!], beats(client.out)[seen[1]!]];
    };
    const clientView = (version: number) => ({ version, flags: { b: hub.snapshot('prod')!.flags.b! }, segments: {} });
    const before = await nextBeats();
    expect(before).toEqual([`hb 10 ${snapshotChecksum(hub.snapshot('prod')!)}`, `hb 10 ${snapshotChecksum(clientView(10))}`]);

    change('b'); // 11, seen by both audiences
    change('a'); // 12, server keys only
    const after = await nextBeats();
    expect(after).toEqual([`hb 12 ${snapshotChecksum(hub.snapshot('prod')!)}`, `hb 11 ${snapshotChecksum(clientView(11))}`]);
    expect(after[0]).not.toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);

    // A resync from a snapshot (a gap that did not fill) replaces the state: heartbeats follow it too.
    hub.adopt('prod', snapshotOf(20, [flag('a', { version: 20, on: false }), flag('b', { version: 20, clientSide: true })]));
    expect(await nextBeats()).toEqual([`hb 20 ${snapshotChecksum(hub.snapshot('prod')!)}`, `hb 20 ${snapshotChecksum(clientView(20))}`]);
  });

  it('shuts down by ending every stream with a jittered retry, then refuses new ones', async () => {
    const { hub, connect } = setup();
    const outs = Array.from({ length: 20 }, () => connect().out);
    await hub.shutdown(50);
    expect(hub.closing).toBe(true);
    expect(hub.connectionCount).toBe(0);
    const retries = outs.map((out) => out.blocks().at(-1)!.retry);
    for (const out of outs) expect(out.ended).toBe(true);
    expect(new Set(retries).size).toBeGreaterThan(5);
  });

  it('ends the streams of a revoked key only', () => {
    const { hub, connect } = setup();
    const server = connect();
    const client = connect('client');
    hub.disconnectKey('key-server');
    expect(server.out.ended).toBe(true);
    expect(client.out.ended).toBe(false);
    expect(hub.connections()).toEqual([
      { env: 'prod', audience: 'server', count: 0 },
      { env: 'prod', audience: 'client', count: 1 },
    ]);
  });

  it('refuses connections to an environment that does not exist', () => {
    const { hub } = setup();
    expect(hub.connect(new FakeOutput(), { env: 'nope', audience: 'server', keyId: 'k', lastEventId: null })).toBeNull();
  });

  it('serialises each change once per audience: every connection is written the same bytes', () => {
    const { connect, change } = setup();
    const servers = [connect(), connect(), connect()];
    const clients = [connect('client'), connect('client')];
    const stringify = vi.spyOn(JSON, 'stringify');
    try {
      change('b');
      expect(stringify).toHaveBeenCalledTimes(2);
    } finally {
      stringify.mockRestore();
    }
    const last = (c: { out: FakeOutput }) => c.out.chunks.at(-1);
    for (const group of [servers, clients]) for (const c of group) expect(last(c)).toBe(last(group[0]!));
    expect(last(servers[0]!)).not.toBe(last(clients[0]!));
  });

  it('counts the events it sends, and the time it takes to hand them out', async () => {
    const { hub, connect, change } = setup();
    connect();
    connect('client');
    change('b', 2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(hub.metricsText()).toContain('flagstaff_stream_events_sent_total{env="prod"} 6');
    expect(hub.metricsText()).toContain('flagstaff_stream_clients{env="prod",audience="client"} 1');
    expect(hub.metricsText()).toContain('flagstaff_stream_fanout_seconds_count{env="prod"} 2');
  });
});
