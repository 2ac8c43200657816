// One stream for all the tabs of a browser (`@flagstaff/browser/tabs`), in headless Chromium against a real
// server. The tabs of one browser context share BroadcastChannel and Web Locks, as the tabs of one browser
// profile do; the server's own gauge of open streams is the proof that only one connection is held.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { startServer, type RunningServer } from '../helpers/server.js';
import { browserMissing, bundle, launchChromium, servePage, type PageServer } from './harness.js';

const ENV = 'production';
const isStream = (url: string) => new URL(url).pathname === '/sdk/v1/stream';

describe.skipIf(browserMissing !== null)('one stream shared by the tabs of a browser', () => {
  let server: RunningServer;
  let site: PageServer;
  let browser: Browser;
  let context: BrowserContext;
  let clientKey: string;
  /** The tabs open in `context`. */
  let tabs: Page[] = [];
  /** Every stream request made in `context`, with the tab that made it: each is one connection attempt. */
  const streams: { tab: Page; url: string }[] = [];

  async function api(method: string, path: string, body?: unknown): Promise<any> {
    const res = await server.api(method, path, body);
    expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res.body;
  }
  const setState = (flag: string, state: object) => api('PATCH', `/api/v1/flags/${flag}/environments/${ENV}`, state);
  const waitForText = (tab: Page, selector: string, expected: string, timeout = 10_000) =>
    tab.waitForFunction(([s, e]) => document.querySelector(s!)?.textContent === e, [selector, expected], { timeout });
  const everyTab = (selector: string, expected: string) => Promise.all(tabs.map((tab) => waitForText(tab, selector, expected)));
  const heldVersion = (tab: Page) => tab.evaluate(() => (window as any).flags.status().version as number);

  /** The streams the server holds for client keys of the environment, from its Prometheus gauge. */
  async function serverStreams(): Promise<number> {
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const gauge = new RegExp(`^flagstaff_stream_clients\\{env="${ENV}",audience="client"\\} (\\d+)$`, 'm').exec(metrics);
    return Number(gauge?.[1] ?? 0);
  }

  /** A tab of the test page using the shared stream, once it shows the server's flags. */
  async function openTab(within: BrowserContext = context): Promise<Page> {
    const tab = await within.newPage();
    await tab.goto(`${site.url}/?server=${encodeURIComponent(server.url)}&key=${clientKey}&tabs`);
    await waitForText(tab, '#source', 'server ready');
    return tab;
  }

  /** The tab that made the latest stream request: the leader. */
  const leader = () => streams.at(-1)!.tab;

  beforeAll(async () => {
    const [sdk] = await Promise.all([
      bundle('@flagstaff/browser', '@flagstaff/browser/tabs'),
      startServer({ env: { FLAGSTAFF_HEARTBEAT_MS: '250', FLAGSTAFF_RATE_LIMIT: '0' } }).then((s) => (server = s)),
    ]);
    site = await servePage(sdk);
    browser = await launchChromium();
    context = await browser.newContext();
    context.on('request', (request) => {
      if (isStream(request.url())) streams.push({ tab: request.frame().page(), url: request.url() });
    });

    clientKey = (await api('POST', '/api/v1/keys', { kind: 'client', env: ENV })).key;
    await api('POST', '/api/v1/flags', { key: 'new-checkout', clientSide: true });
    await api('POST', '/api/v1/flags', { key: 'banner-text', kind: 'string', variations: ['Welcome', 'Hello, pro'], clientSide: true });
    await setState('banner-text', { on: true, fallthrough: { variation: 1 } });
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await server?.stop();
  });

  it('holds one stream for three tabs opened at once, and every tab shows the server flags', async () => {
    tabs = await Promise.all([openTab(), openTab(), openTab()]);
    expect(streams).toHaveLength(1);
    expect(await serverStreams()).toBe(1);
    for (const tab of tabs) {
      expect(await tab.textContent('#checkout')).toBe('old checkout');
      expect(await tab.textContent('#banner')).toBe('Hello, pro');
    }
  });

  it("changes every tab's DOM when a flag is flipped through the admin API, announcing it in each", async () => {
    await setState('new-checkout', { on: true });
    await everyTab('#checkout', 'new checkout');
    for (const tab of tabs) expect(await tab.evaluate(() => (window as any).changes.at(-1))).toEqual(['new-checkout']);
    expect(streams).toHaveLength(1);
  });

  it('hands the stream to another tab when the leader closes, resuming where it was: nothing flipped meanwhile is lost', async () => {
    const closing = leader();
    const remaining = tabs.filter((tab) => tab !== closing);
    const version = await heldVersion(remaining[0]!);
    // The takeover's stream request is held until a flag has been flipped while no tab is connected.
    let hold!: (route: Route) => void;
    const takeover = new Promise<Route>((resolve) => (hold = resolve));
    const streamUrl = (url: URL) => isStream(url.href);
    await context.route(streamUrl, (route) => hold(route));

    await closing.close();
    const route = await takeover;
    expect(remaining).toContain(route.request().frame().page());
    expect(route.request().url()).toContain(`lastEventId=${version}`);
    await setState('new-checkout', { on: false });
    expect(await remaining[0]!.textContent('#checkout')).toBe('new checkout');

    await route.continue();
    await context.unroute(streamUrl);
    tabs = remaining;
    await everyTab('#checkout', 'old checkout');
    await setState('banner-text', { fallthrough: { variation: 0 } });
    await everyTab('#banner', 'Welcome');
    await expect.poll(serverStreams).toBe(1);
  });

  it('makes a tab opened later current at once from the leader, without a stream of its own', async () => {
    const before = streams.length;
    // 'server ready' needs server data: the cache shared by the tabs would only make it 'bootstrap'.
    const late = await openTab();
    tabs.push(late);
    expect(await late.textContent('#checkout')).toBe('old checkout');
    expect(await late.textContent('#banner')).toBe('Welcome');
    expect(await heldVersion(late)).toBe(await heldVersion(tabs[0]!));
    expect(streams.length).toBe(before);
  });

  it('hands the stream over when the leader tab is about to be frozen, and catches up when it resumes', async () => {
    // Headless Chromium ignores CDP's Page.setWebLifecycleState (no freeze event, and timers keep running),
    // so the tab gets the events the browser fires around freezing it.
    const frozen = leader();
    const awake = tabs.filter((tab) => tab !== frozen);
    const before = streams.length;
    const takeover = context.waitForEvent('request', (request) => isStream(request.url()));
    await frozen.evaluate(() => document.dispatchEvent(new Event('freeze')));
    expect(awake).toContain((await takeover).frame().page());
    await waitForText(frozen, '#source', 'server stale');

    await setState('new-checkout', { on: true });
    await Promise.all(awake.map((tab) => waitForText(tab, '#checkout', 'new checkout')));
    expect(await frozen.textContent('#checkout')).toBe('old checkout');

    await frozen.evaluate(() => document.dispatchEvent(new Event('resume')));
    await waitForText(frozen, '#checkout', 'new checkout');
    await waitForText(frozen, '#source', 'server ready');
    expect(streams.length).toBe(before + 1);
    await expect.poll(serverStreams).toBe(1);
  });

  it.each([
    ['the Web Locks API', () => delete (Navigator.prototype as any).locks],
    ['BroadcastChannel', () => delete (globalThis as any).BroadcastChannel],
  ])('streams from each tab on its own in a browser without %s', async (_api, remove) => {
    const bare = await browser.newContext();
    const own: Page[] = [];
    bare.on('request', (request) => isStream(request.url()) && own.push(request.frame().page()));
    try {
      await bare.addInitScript(remove);
      const first = await openTab(bare);
      const second = await openTab(bare);
      expect(own).toEqual([first, second]);
      await setState('banner-text', { fallthrough: { variation: 1 } });
      await Promise.all([first, second].map((tab) => waitForText(tab, '#banner', 'Hello, pro')));
      await setState('banner-text', { fallthrough: { variation: 0 } });
    } finally {
      await bare.close();
    }
  });
});
