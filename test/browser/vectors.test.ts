// The shared evaluation vectors (test/vectors/README.md), run inside Chromium through the bundled SDK the
// way an application uses it: each file's snapshot as the bootstrap, each case's context through
// identify(), then variationDetail (and isEnabled where the case says so). Buckets are not visible from
// the SDK's API, so `expect.bucket` is left to core's runner, as the README allows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { loadVectorFiles, VECTORS_DIR, type VectorCase } from '../vectors/load.js';
import { browserMissing, bundle, launchChromium, servePage, type PageServer } from './harness.js';

interface Outcome {
  name: string;
  value: unknown;
  variationIndex: number | null;
  reason: unknown;
  isEnabled?: boolean;
}

/** What the case expects, in the shape the page reports. */
function expected(c: VectorCase): Outcome {
  const outcome: Outcome = { name: c.name, value: c.expect.value, variationIndex: c.expect.variationIndex, reason: c.expect.reason };
  if (c.call === 'boolean' && c.default === false) outcome.isEnabled = c.expect.value as boolean;
  return outcome;
}

const files = loadVectorFiles();

describe.skipIf(browserMissing !== null)('the shared vectors in Chromium', () => {
  let site: PageServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    site = await servePage(await bundle('@flagstaff/browser'));
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(site.url);
    await page.waitForFunction(() => (window as any).sdk !== undefined);
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('has vector files to run', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files.map((f) => f.file))('%s', async (file) => {
    // The file's text goes to the page as it is and is parsed there: contexts holding "__proto__" must
    // reach the SDK as JSON.parse makes them, which no structured copy would preserve.
    const text = readFileSync(join(VECTORS_DIR, file), 'utf8');
    const outcomes: Outcome[] = await page.evaluate((json) => {
      const { snapshot, cases } = JSON.parse(json);
      const flags = (window as any).sdk.createClient({
        url: 'http://flagstaff.invalid',
        clientKey: 'fsc_vectors',
        bootstrap: snapshot,
        offline: true,
        cache: false,
      });
      return cases.map((c: any) => {
        flags.identify(c.context);
        const { value, variationIndex, reason } = flags.variationDetail(c.flag, c.default);
        const outcome: any = { name: c.name, value, variationIndex, reason };
        if (c.call === 'boolean' && c.default === false) outcome.isEnabled = flags.isEnabled(c.flag);
        return outcome;
      });
    }, text);
    const cases = files.find((f) => f.file === file)!.cases;
    expect(outcomes).toEqual(cases.map(expected));
  });
});
