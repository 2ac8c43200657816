import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Snapshot } from '@flagstaff/core/evaluate';
import { flagOff, flagOn } from '@flagstaff/core/testing';
import { createClient, type ClientOptions, type FlagsClient } from './index.js';
import { FakeServer, SDK_KEY } from './testing/fake-server.js';
import { nextEvent, until } from './testing/wait.js';

const bootstrap: Snapshot = { version: 40, flags: { 'new-checkout': flagOn('new-checkout') }, segments: {} };

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function client(options: ClientOptions): FlagsClient {
  const flags = createClient({ usage: false, reconnect: { baseMs: 20, maxMs: 100 }, pollIntervalMs: 100, ...options });
  cleanup.push(() => flags.close());
  return flags;
}

function file(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'flagstaff-bootstrap-')), 'flags.json');
  writeFileSync(path, content);
  return path;
}

describe('bootstrap', () => {
  it('serves a bootstrap object from the first call, says so, then the server replaces it', async () => {
    const fake = await FakeServer.start([flagOff('new-checkout')]);
    cleanup.push(() => fake.close());
    fake.streamPlan.push('silent');
    fake.flagsPlan.push('silent');
    const flags = client({ url: fake.url, sdkKey: SDK_KEY, bootstrap, requestTimeoutMs: 300 });
    expect(flags.variationDetail('new-checkout', { key: 'u' }, false)).toMatchObject({
      value: true,
      source: 'bootstrap',
      reason: { kind: 'FALLTHROUGH' },
    });
    expect(flags.status()).toMatchObject({ state: 'initializing', source: 'bootstrap', version: 40 });

    // The server's version (1) is lower than the bootstrap's (40): it still wins, being the server's.
    const change = nextEvent(flags, 'change');
    expect((await flags.ready()).source).toBe('server');
    expect(await change).toEqual({ keys: ['new-checkout'], version: 1 });
    expect(flags.variationDetail('new-checkout', { key: 'u' }, false)).toMatchObject({ value: false, source: 'server' });
  });

  it('reads a bootstrap file', () => {
    const flags = client({ url: 'http://127.0.0.1:9', sdkKey: SDK_KEY, bootstrap: file(JSON.stringify(bootstrap)) });
    expect(flags.isEnabled('new-checkout', { key: 'u' })).toBe(true);
  });

  it.each([
    ['a missing file', '/nonexistent/flags.json', /cannot read bootstrap file/],
    ['a file that is not JSON', file('flags: yes'), /not JSON/],
    ['a file that is not a snapshot', file('{"version": 1, "flags": []}'), /not a flag snapshot/],
  ])('reports %s and serves defaults', async (_, path, message) => {
    const flags = client({ url: 'http://127.0.0.1:9', sdkKey: SDK_KEY, bootstrap: path });
    const error = await nextEvent(flags, 'error');
    expect(error).toMatchObject({ code: 'invalid_bootstrap', message: expect.stringMatching(message) });
    expect(flags.variationDetail('new-checkout', {}, false)).toMatchObject({ value: false, source: 'none' });
  });
});

describe('offline mode', () => {
  it('reads only the bootstrap file: ready at once, no network at all', async () => {
    const fake = await FakeServer.start();
    cleanup.push(() => fake.close());
    const flags = client({
      offline: true,
      url: fake.url,
      sdkKey: SDK_KEY,
      bootstrap: file(JSON.stringify(bootstrap)),
      usage: { intervalMs: 10 },
    });
    expect(await flags.ready()).toMatchObject({ state: 'ready', source: 'bootstrap', connection: 'offline', version: 40 });
    expect(flags.isEnabled('new-checkout', { key: 'u' })).toBe(true);
    await flags.close();
    expect(fake.requests).toHaveLength(0);
  });

  it('fails without a bootstrap, serving defaults', async () => {
    const flags = client({ offline: true });
    expect(await flags.ready()).toMatchObject({ state: 'failed', lastError: { code: 'invalid_options' } });
    expect(flags.isEnabled('new-checkout')).toBe(false);
  });

  it('fails when the bootstrap file is unreadable', async () => {
    const flags = client({ offline: true, bootstrap: '/nonexistent/flags.json' });
    expect(await flags.ready()).toMatchObject({ state: 'failed', lastError: { code: 'invalid_bootstrap' } });
  });
});

describe('close()', () => {
  it('stops the stream, reports closed, and keeps serving the flags held', async () => {
    const fake = await FakeServer.start([flagOn('new-checkout')]);
    cleanup.push(() => fake.close());
    const flags = client({ url: fake.url, sdkKey: SDK_KEY });
    await flags.ready();
    await flags.close();
    expect(flags.status()).toMatchObject({ state: 'closed', connection: 'stopped' });
    await until(() => fake.openStreams === 0, { what: 'the stream to close' });
    expect(flags.isEnabled('new-checkout', { key: 'u' })).toBe(true);
    expect(await flags.ready()).toMatchObject({ state: 'closed' });
  });
});
