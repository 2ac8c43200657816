// The browser SDK in headless Chromium against a real server: a page that renders flags follows the admin
// API live, survives the server and the network going away, resumes where it left off, and starts a reload
// from its cached snapshot. The page reaches the server through a proxy the tests can cut or stall.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../helpers/server.js';
import { browserMissing, bundle, launchChromium, servePage, type PageServer } from './harness.js';
import { startStallProxy, type StallProxy } from './stall-proxy.js';

const ENV = 'production';

describe.skipIf(browserMissing !== null)('the browser SDK in a page', () => {
  let server: RunningServer;
  let proxy: StallProxy;
  let site: PageServer;
  let browser: Browser;
  let page: Page;
  let clientKey: string;
  /** The stream URLs the page requested, in order: each is one connection attempt. */
  const streams: string[] = [];

  async function api(method: string, path: string, body?: unknown): Promise<any> {
    const res = await server.api(method, path, body);
    expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res.body;
  }
  const setState = (flag: string, state: object) => api('PATCH', `/api/v1/flags/${flag}/environments/${ENV}`, state);
  const text = (selector: string) => page.textContent(selector);
  const waitForText = (selector: string, expected: string, timeout = 10_000) =>
    page.waitForFunction(([s, e]) => document.querySelector(s!)?.textContent === e, [selector, expected], { timeout });
  const cached = () => page.evaluate((key) => localStorage.getItem(`flagstaff:v1:${key}`), clientKey);

  beforeAll(async () => {
    const [sdk] = await Promise.all([
      bundle('@flagstaff/browser'),
      startServer({ env: { FLAGSTAFF_HEARTBEAT_MS: '250', FLAGSTAFF_RATE_LIMIT: '0' } }).then((s) => (server = s)),
    ]);
    site = await servePage(sdk);
    proxy = await startStallProxy(server.port);
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('request', (request) => {
      if (request.url().includes('/sdk/v1/stream')) streams.push(request.url());
    });

    clientKey = (await api('POST', '/api/v1/keys', { kind: 'client', env: ENV })).key;
    await api('POST', `/api/v1/environments/${ENV}/segments`, { key: 'beta-testers', included: ['user-9'] });
    await api('POST', `/api/v1/environments/${ENV}/segments`, { key: 'internal-staff', included: ['user-1'] });
    await api('POST', '/api/v1/flags', { key: 'new-checkout', clientSide: true });
    await api('POST', '/api/v1/flags', { key: 'banner-text', kind: 'string', variations: ['Welcome', 'Hello, pro'], clientSide: true });
    await setState('banner-text', {
      on: true,
      rules: [
        { id: 'beta', clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['beta-testers'] }], serve: { variation: 0 } },
        { id: 'pro', clauses: [{ attribute: 'plan', op: 'in', values: ['pro'] }], serve: { variation: 1 } },
      ],
    });
    await api('POST', '/api/v1/flags', { key: 'secret-pricing', clientSide: false });
    await setState('secret-pricing', {
      on: true,
      rules: [{ id: 'staff', clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['internal-staff'] }], serve: { variation: 1 } }],
    });

    await page.goto(`${site.url}/?server=${encodeURIComponent(proxy.url)}&key=${clientKey}&heartbeatTimeoutMs=2000`);
    await waitForText('#source', 'server ready');
  });

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await site?.close();
    await server?.stop();
  });

  it('renders the flags the server evaluates locally for the visitor', async () => {
    expect(await text('#checkout')).toBe('old checkout');
    expect(await text('#banner')).toBe('Hello, pro');
  });

  it('changes the DOM when a flag is flipped through the admin API', async () => {
    const flipped = Date.now();
    await setState('new-checkout', { on: true });
    await waitForText('#checkout', 'new checkout', 5_000);
    console.info(`browser: admin API flip → DOM in ${Date.now() - flipped} ms`);
    expect(await page.evaluate(() => (window as any).changes.at(-1))).toEqual(['new-checkout']);
  });

  it('receives only client-side flags and the segments they name', async () => {
    const snapshot = JSON.parse((await cached())!);
    expect(Object.keys(snapshot.flags).sort()).toEqual(['banner-text', 'new-checkout']);
    expect(Object.keys(snapshot.segments)).toEqual(['beta-testers']);
    expect(await page.evaluate(() => (window as any).flags.allFlags())).toEqual({ 'banner-text': 'Hello, pro', 'new-checkout': true });
  });

  it('re-evaluates locally on identify(), announcing only the flags whose value moved', async () => {
    const before = streams.length;
    const moved = await page.evaluate(() => {
      const { flags, changes } = window as any;
      flags.identify({ key: 'user-2', plan: 'free' });
      return changes.at(-1);
    });
    expect(moved).toEqual(['banner-text']);
    expect(await text('#banner')).toBe('Welcome');
    expect(streams.length).toBe(before);
    await page.evaluate(() => (window as any).flags.identify({ key: 'user-1', plan: 'pro' }));
    expect(await text('#banner')).toBe('Hello, pro');
  });

  it('keeps a quiet connection up on heartbeats, and drops one whose heartbeats stop', async () => {
    const before = streams.length;
    // Proving an absence takes time: longer than the page's heartbeat timeout (2 s; the server beats every
    // 250 ms), and no new connection. Without heartbeats reaching the SDK its watchdog would have reconnected.
    await page.waitForTimeout(2_600);
    expect(streams.length).toBe(before);
    expect(await text('#source')).toBe('server ready');
    proxy.stall();
    await expect.poll(() => streams.length, { timeout: 5_000 }).toBeGreaterThan(before);
    await waitForText('#source', 'server ready');
    await setState('new-checkout', { on: false });
    await waitForText('#checkout', 'old checkout');
  });

  it('keeps its flags through a network cut and resumes from the last event id, getting what it missed', async () => {
    const version = await page.evaluate(() => (window as any).flags.status().version);
    proxy.cut();
    await waitForText('#source', 'server stale');
    expect(await text('#checkout')).toBe('old checkout');
    await setState('new-checkout', { on: true });
    const attempts = streams.length;
    proxy.resume();
    await waitForText('#checkout', 'new checkout');
    await waitForText('#source', 'server ready');
    // The first stream opened once the network is back resumes from what the page held; a later reconnect
    // (the backoff's next attempt, a watchdog) would rightly carry the newer id it got meanwhile.
    expect(streams.slice(attempts)[0]).toContain(`lastEventId=${version}`);
  });

  it('keeps its flags while the server is down, and catches up once it is back', async () => {
    await server.kill();
    await waitForText('#source', 'server stale');
    expect(await text('#checkout')).toBe('new checkout');
    expect(await text('#banner')).toBe('Hello, pro');
    await server.restart();
    await waitForText('#source', 'server ready');
    await setState('new-checkout', { on: false });
    await waitForText('#checkout', 'old checkout');
  });

  it('starts a reload from the cached snapshot, before the stream answers', async () => {
    await page.reload();
    const first = await page.evaluate(() => (window as any).firstRender);
    expect(first).toMatchObject({ checkout: 'old checkout', status: { source: 'bootstrap', state: 'initializing' } });
    await waitForText('#source', 'server ready');

    await setState('new-checkout', { on: true });
    await waitForText('#checkout', 'new checkout');
    proxy.cut();
    await page.reload();
    expect(await page.evaluate(() => (window as any).firstRender.checkout)).toBe('new checkout');
    expect(await text('#banner')).toBe('Hello, pro');
    proxy.resume();
    await waitForText('#source', 'server ready');
  });

  it('stops for good when its key is revoked, keeping the flags it holds', async () => {
    const doomed = await api('POST', '/api/v1/keys', { kind: 'client', env: ENV });
    const other = await browser.newPage();
    const attempts: string[] = [];
    other.on('request', (request) => attempts.push(request.url()));
    try {
      await other.goto(`${site.url}/?server=${encodeURIComponent(server.url)}&key=${doomed.key}`);
      await other.waitForFunction(() => document.querySelector('#source')?.textContent === 'server ready');
      await api('DELETE', `/api/v1/keys/${doomed.id}`);
      await other.waitForFunction(() => document.querySelector('#source')?.textContent === 'server failed');
      expect(await other.textContent('#checkout')).toBe('new checkout');
      const settled = attempts.length;
      // The page's backoff is at most 400 ms: a retry would have come within this.
      await other.waitForTimeout(1_000);
      expect(attempts.slice(settled)).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('ignores a corrupt cached snapshot: the first render shows the defaults', async () => {
    await page.evaluate((key) => localStorage.setItem(`flagstaff:v1:${key}`, '{"version":3,"flags":'), clientKey);
    await page.reload();
    expect(await page.evaluate(() => (window as any).firstRender)).toMatchObject({ checkout: 'old checkout', status: { source: 'none' } });
    await waitForText('#checkout', 'new checkout');
    expect(JSON.parse((await cached())!).flags['new-checkout'].on).toBe(true);
  });
});
