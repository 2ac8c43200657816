// What GET /sdk/v1/stream offers a browser's native EventSource, which can neither send Last-Event-ID on a
// fresh connection nor see comments: `?lastEventId=` to resume, and `?heartbeat=event` to receive each
// heartbeat comment also as an `hb` event. Read as raw SSE text; no browser needed.
import { snapshotChecksum } from '@flagstaff/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventsOf, openRawStream, parseSse, type RawStream } from '../helpers/sse.js';
import { startServer, type RunningServer } from '../helpers/server.js';

const ENV = 'production';

describe('the stream, for browsers', () => {
  let server: RunningServer;
  let clientKey: string;
  const open: RawStream[] = [];

  async function stream(query: string): Promise<RawStream> {
    const raw = await openRawStream(`${server.url}/sdk/v1/stream?key=${clientKey}${query}`);
    open.push(raw);
    return raw;
  }
  const flip = async (on: boolean) =>
    expect((await server.api('PATCH', `/api/v1/flags/new-checkout/environments/${ENV}`, { on })).status).toBe(200);

  beforeAll(async () => {
    server = await startServer({ env: { FLAGSTAFF_HEARTBEAT_MS: '100', FLAGSTAFF_RATE_LIMIT: '0' } });
    clientKey = (await server.api('POST', '/api/v1/keys', { kind: 'client', env: ENV })).body.key;
    expect((await server.api('POST', '/api/v1/flags', { key: 'new-checkout', clientSide: true })).status).toBe(201);
  });

  afterEach(() => {
    for (const raw of open.splice(0)) raw.close();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('sends each heartbeat also as an hb event carrying the comment text, when asked', async () => {
    const raw = await stream('&heartbeat=event');
    await raw.waitFor((t) => t.includes('event: hb'), 'a heartbeat event');
    const { blocks } = parseSse(raw.text());
    // eventsOf parses data as JSON; a heartbeat's data is the comment's text.
    const put = eventsOf(blocks.filter((b) => b.event === 'put'))[0]!.data;
    const beat = blocks.find((b) => b.event === 'hb')!;
    expect(beat.data).toBe(`hb ${put.version} ${snapshotChecksum(put)}`);
    // Right after the comment, and without an id: EventSource's last event id stays the last change's.
    expect(raw.text()).toContain(`: ${beat.data}\n\nevent: hb\ndata: ${beat.data}\n\n`);
    expect(beat.id).toBeUndefined();
  });

  it('keeps heartbeats as comments only for everyone else', async () => {
    const raw = await stream('');
    await raw.waitFor((t) => parseSse(t).blocks.filter((b) => b.comments.length > 0).length >= 2, 'two heartbeats');
    expect(parseSse(raw.text()).blocks.filter((b) => b.event === 'hb')).toEqual([]);
  });

  it('resumes from ?lastEventId=: only the missed changes, no put', async () => {
    const first = await stream('');
    await first.waitFor((t) => t.includes('event: put'), 'the put');
    const put = eventsOf(parseSse(first.text()).blocks)[0]!.data;
    first.close();
    await flip(true);
    await flip(false);

    const resumed = await stream(`&lastEventId=${put.version}`);
    await resumed.waitFor((t) => eventsOf(parseSse(t).blocks).length >= 2, 'the two missed patches');
    const events = eventsOf(parseSse(resumed.text()).blocks);
    expect(events.map((e) => [e.type, e.id, e.data.value?.on])).toEqual([
      ['patch', String(put.version + 1), true],
      ['patch', String(put.version + 2), false],
    ]);
  });

  it('lets the Last-Event-ID header win over the query parameter', async () => {
    const current = (await server.api('GET', `/api/v1/environments`)).body.environments.find((e: { key: string }) => e.key === ENV).version;
    const raw = await openRawStream(`${server.url}/sdk/v1/stream?key=${clientKey}&lastEventId=0`, { 'Last-Event-ID': String(current) });
    open.push(raw);
    await raw.waitFor((t) => parseSse(t).blocks.some((b) => b.comments.length > 0), 'the heartbeat of a client that missed nothing');
    expect(eventsOf(parseSse(raw.text()).blocks)).toEqual([]);
  });
});
