// What the browser tests share: Debian's Chromium driven by playwright-core (never a downloaded browser),
// the SDK built the way an application's bundler would build it, and a tiny page server on its own origin
// (so every request to Flagstaff is cross-origin, as on a real site).
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
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
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Package entries bundled as an application would ship them: minified ESM for browsers, resolved through the
 * package's `exports` (so the published dist/, which `tsc -b` builds), with nothing kept external.
 */
export async function bundle(...specifiers: string[]): Promise<string> {
  const result = await build({
    stdin: { contents: specifiers.map((specifier) => `export * from '${specifier}';`).join('\n'), resolveDir: REPO, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
  });
  return result.outputFiles[0]!.text;
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
