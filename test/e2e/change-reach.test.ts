// A change's reach, end to end: Node SDK clients streaming from a real server process acknowledge what they
// applied (POST /sdk/v1/ack), the real `flagstaff` binary waits for it (`off|on|rollout … --wait`), prints
// the reach line and exits 4 when a stream that never acknowledges — a raw SSE client announcing itself —
// is still short at the timeout, naming it.
import { createClient, type FlagsClient } from '@flagstaff/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRawStream, type RawStream } from '../helpers/sse.js';
import { startServer, until, type RunningServer } from '../helpers/server.js';
import { cliIn, tempHome, type Cli } from './cli-harness.js';

const ENV = 'production';
let server: RunningServer;
let cli: Cli;
let removeHome: () => Promise<void>;
let sdkKey: string;
const clients: FlagsClient[] = [];

beforeAll(async () => {
  server = await startServer({ env: { FLAGSTAFF_RATE_LIMIT: '0' } });
  const home = await tempHome();
  removeHome = home.remove;
  cli = cliIn(home.home, { FLAGSTAFF_URL: server.url, FLAGSTAFF_TOKEN: server.adminToken });
  expect((await server.api('POST', '/api/v1/flags', { key: 'new-checkout' })).status).toBe(201);
  expect((await server.api('PATCH', `/api/v1/flags/new-checkout/environments/${ENV}`, { on: true })).status).toBe(200);
  sdkKey = (await server.api('POST', '/api/v1/keys', { kind: 'server', env: ENV })).body.key;
  for (const instanceId of ['checkout-a', 'checkout-b']) {
    const client = createClient({ url: server.url, sdkKey, usage: false, instanceId });
    clients.push(client);
    expect((await client.ready({ timeoutMs: 5_000 })).state).toBe('ready');
  }
});

afterAll(async () => {
  for (const client of clients) await client.close();
  await server?.stop();
  await removeHome?.();
});

describe('flagstaff off|on|rollout --wait', () => {
  it('waits until every connected SDK applied the change, prints the reach line, exits 0', async () => {
    const off = await cli(['off', 'new-checkout', '--env', ENV, '--yes', '--wait']);
    expect(off.stderr).toBe('');
    expect(off.code).toBe(0);
    expect(off.stdout).toMatch(/^new-checkout is OFF in production \(version 3\): everyone gets false\.\n/);
    expect(off.stdout).toMatch(/\nreached 2 of 2 connected SDKs in \d+ ms\n$/);
    for (const client of clients) expect(client.isEnabled('new-checkout')).toBe(false);
  });

  describe('with a stream that never acknowledges', () => {
    let silent: RawStream;
    beforeAll(async () => {
      silent = await openRawStream(`${server.url}/sdk/v1/stream`, {
        Authorization: sdkKey,
        'X-Flagstaff-Instance': 'checkout-7f9c',
        'X-Flagstaff-SDK': 'node/0.3.0',
      });
      await silent.waitFor((text) => text.includes('event: put'), 'the put');
    });
    afterAll(() => silent.close());

    it('exits 4 at the timeout and names it, with its SDK and address', async () => {
      const on = await cli(['on', 'new-checkout', '--env', ENV, '--yes', '--wait', '--timeout', '1500ms']);
      expect(on.code).toBe(4);
      expect(on.stdout).toContain('new-checkout is ON in production');
      expect(on.stdout).toContain('reached 2 of 3 connected SDKs within 1.5 s; 1 not yet: checkout-7f9c (node 0.3.0, 127.0.0.1)');
      expect(on.stderr).toContain('has not reached every connected SDK yet');
      // The SDKs that acknowledge have the change; the report says which one does not.
      for (const client of clients) await until(() => client.isEnabled('new-checkout'), 5_000, 'the SDK sees the flag on');
    });

    it('reports the same through the API and, with --json, on stdout; rollout --wait fails the same way', async () => {
      const rollout = await cli(['rollout', 'new-checkout', '50', '--env', ENV, '--yes', '--wait', '--timeout', '1s', '--json']);
      expect(rollout.code).toBe(4);
      const printed = JSON.parse(rollout.stdout);
      expect(printed.reach).toMatchObject({
        env: ENV,
        connected: 3,
        applied: 2,
        complete: false,
        pending: [{ instance: 'checkout-7f9c', sdk: 'node/0.3.0', address: '127.0.0.1' }],
      });
      const report = await server.api('GET', `/api/v1/environments/${ENV}/changes/${printed.reach.version}`);
      expect(report.status).toBe(200);
      expect(report.body).toMatchObject({ connected: 3, applied: 2, pending: [{ instance: 'checkout-7f9c' }] });
    });
  });

  it('once the silent stream is gone, a change reaches everyone connected: rollout --wait exits 0', async () => {
    // A stream that announces no instance id (a bare EventSource, a browser) is counted apart, not waited for.
    const bare = await openRawStream(`${server.url}/sdk/v1/stream`, { Authorization: sdkKey });
    await bare.waitFor((text) => text.includes('event: put'), 'the put');
    const rollout = await cli(['rollout', 'new-checkout', '100', '--env', ENV, '--yes', '--wait']);
    expect(rollout.code).toBe(0);
    bare.close();
    expect(rollout.stdout).toMatch(
      /\nreached 2 of 2 connected SDKs in \d+ ms \(and 1 stream that cannot acknowledge, e\.g\. browsers\)\n$/,
    );
    const metrics = await fetch(`${server.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/flagstaff_change_reach_seconds_count\{env="production"\} [1-9]/);
  });

  it('refuses a timeout it cannot read before changing anything (exit 2)', async () => {
    const bad = await cli(['off', 'new-checkout', '--env', ENV, '--yes', '--wait', '--timeout', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--timeout takes a duration');
    expect((await server.api('GET', `/api/v1/flags/new-checkout/environments/${ENV}`)).body.on).toBe(true);
  });
});
