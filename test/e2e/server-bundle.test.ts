// The bundled server (server/scripts/bundle.mjs → dist/bundle/main.mjs), which `npm start` runs, is the
// same server as the plain modules: it finds its migrations and package.json, and serves the API.
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshBundle } from '../../server/src/bundle.js';
import { createKey, SERVER_MAIN, startServer, type RunningServer } from '../helpers/server.js';

const BUNDLE_SCRIPT = fileURLToPath(new URL('../../server/scripts/bundle.mjs', import.meta.url));
let server: RunningServer;

beforeAll(async () => {
  if (freshBundle() === undefined) execFileSync(process.execPath, [BUNDLE_SCRIPT], { stdio: 'ignore' });
  server = await startServer({ env: { FLAGSTAFF_RATE_LIMIT: '0' } });
});

afterAll(async () => {
  await server?.stop();
});

describe('the bundled server', () => {
  it('is what flagstaff-server loads while the bundle is current', () => {
    expect(server.logs().find((l) => l.msg === 'listening')).toMatchObject({ build: 'bundle' });
  });

  it('migrates a new store and serves the admin and SDK APIs', async () => {
    expect((await server.api('POST', '/api/v1/flags', { key: 'bundled' })).status).toBe(201);
    expect((await server.api('PATCH', '/api/v1/flags/bundled/environments/production', { on: true })).status).toBe(200);
    const key = (await createKey(server, { kind: 'server', env: 'production' })).key;
    const snapshot = await (await fetch(`${server.url}/sdk/v1/flags`, { headers: { Authorization: key } })).json();
    expect((snapshot as any).flags.bundled.on).toBe(true);
  });

  it('answers --version from server/package.json', () => {
    const run = spawnSync(process.execPath, [SERVER_MAIN, '--version'], { encoding: 'utf8', timeout: 20_000 });
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('is skipped with FLAGSTAFF_NO_BUNDLE=1', async () => {
    const plain = await startServer({ env: { FLAGSTAFF_NO_BUNDLE: '1' } });
    try {
      expect(plain.logs().find((l) => l.msg === 'listening')).toMatchObject({ build: 'modules' });
    } finally {
      await plain.stop();
    }
  });
});
