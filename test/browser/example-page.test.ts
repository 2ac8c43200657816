// examples/browser/index.html, as a user serves it (the page, and the SDK bundle beside it as flagstaff.js),
// against a real server: it must show the server's flags, follow a flip, and switch users locally.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../helpers/server.js';
import { browserMissing, bundle, launchChromium, servePage, type PageServer } from './harness.js';

const ENV = 'production';
const EXAMPLE = new URL('../../examples/browser/index.html', import.meta.url);

describe.skipIf(browserMissing !== null)('the plain HTML example', () => {
  let server: RunningServer;
  let site: PageServer;
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];

  const waitForText = (selector: string, expected: string) =>
    page.waitForFunction(([s, e]) => document.querySelector(s!)?.textContent === e, [selector, expected], { timeout: 10_000 });

  beforeAll(async () => {
    const [sdk] = await Promise.all([
      bundle('@flagstaff/browser'),
      startServer({ env: { FLAGSTAFF_RATE_LIMIT: '0' } }).then((s) => (server = s)),
    ]);
    site = await servePage(sdk, EXAMPLE);
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('request', (request) => requests.push(request.url()));
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await server?.stop();
  });

  it('shows the live flags of the server it is pointed at, and switches users without a request', async () => {
    const key = (await server.api('POST', '/api/v1/keys', { kind: 'client', env: ENV })).body.key;
    expect((await server.api('POST', '/api/v1/flags', { key: 'new-checkout', clientSide: true })).status).toBe(201);
    await server.api('PATCH', `/api/v1/flags/new-checkout/environments/${ENV}`, {
      on: true,
      rules: [{ id: 'pro', clauses: [{ attribute: 'plan', op: 'in', values: ['pro'] }], serve: { variation: 1 } }],
      fallthrough: { variation: 0 },
    });

    await page.goto(`${site.url}/?url=${encodeURIComponent(server.url)}&key=${key}&user=user-1&plan=free`);
    await waitForText('#status', 'ready (flags from server)');
    expect(await page.getAttribute('body', 'data-flags')).toBe('known');
    expect(await page.textContent('#checkout')).toBe('Classic checkout');

    await server.api('PATCH', `/api/v1/flags/new-checkout/environments/${ENV}`, { fallthrough: { variation: 1 } });
    await waitForText('#checkout', 'New one-page checkout');
    expect(await page.textContent('#log')).toContain('new-checkout');

    await server.api('PATCH', `/api/v1/flags/new-checkout/environments/${ENV}`, { fallthrough: { variation: 0 } });
    await waitForText('#checkout', 'Classic checkout');
    const before = requests.length;
    await page.fill('input[name=plan]', 'pro');
    await page.click('#identify');
    await waitForText('#checkout', 'New one-page checkout');
    expect(requests.slice(before)).toEqual([]);
  });
});
