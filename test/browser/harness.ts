// What the browser tests share: Debian's Chromium driven by playwright-core (never a downloaded browser),
// the SDK built the way an application's bundler would build it, and a tiny page server on its own origin
// (so every request to Flagstaff is cross-origin, as on a real site).
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { bundleAsApplication } from './bundle.js';

export const CHROMIUM = process.env.FLAGSTAFF_CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or null. In CI a missing browser is an error, never a skip. */
export const browserMissing: string | null = existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing (apt-get install chromium)`;
if (browserMissing !== null) {
  if (process.env.CI === 'true') throw new Error(`browser tests cannot run in CI: ${browserMissing}`);
  console.warn(`skipping the browser tests: ${browserMissing}`);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The SDK entries as an application would ship them (bundle.ts), as the page's script. */
export async function bundle(...specifiers: string[]): Promise<string> {
  return (await bundleAsApplication(...specifiers)).text;
}

export interface PageServer {
  /** The page's origin, e.g. `http://127.0.0.1:40123`. */
  url: string;
  close(): Promise<void>;
}

/** Serves a page (this folder's `page.html` unless told) at `/` and the SDK bundle at `/flagstaff.js`. */
export async function servePage(sdk: string, html: URL = new URL('./page.html', import.meta.url)): Promise<PageServer> {
  const page = readFileSync(html, 'utf8');
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://page').pathname;
    if (path === '/') res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page);
    else if (path === '/flagstaff.js') res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(sdk);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
