// The kill switch as an operator wires it: `flagstaff hooks create` and `flagstaff kill-rules create`
// through the real CLI, an Alertmanager-shaped webhook to the real server, and a Node SDK holding the flag
// that sees it turn off — then, with onResolve=restore, turn back on when the alert resolves.
import { createClient, type FlagsClient } from '@flagstaff/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertmanagerBody, amAlert } from '../../server/src/alerts/testing/payloads.js';
import { startServer, until, type RunningServer } from '../helpers/server.js';
import { cliIn, tempHome, type Cli } from './cli-harness.js';

const ENV = 'production';
let server: RunningServer;
let cli: Cli;
let removeHome: () => Promise<void>;
let flags: FlagsClient;
let hook: { url: string; secret: string; id: string };

const labels = { alertname: 'HighErrorRate', flag: 'new-checkout', severity: 'page', job: 'checkout' };
const deliver = (body: unknown, secret = hook.secret) =>
  fetch(hook.url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${secret}` },
    body: JSON.stringify(body),
  });

beforeAll(async () => {
  server = await startServer({ env: { FLAGSTAFF_RATE_LIMIT: '0' } });
  const home = await tempHome();
  removeHome = home.remove;
  cli = cliIn(home.home, { FLAGSTAFF_URL: server.url, FLAGSTAFF_TOKEN: server.adminToken });
  expect((await server.api('POST', '/api/v1/flags', { key: 'new-checkout' })).status).toBe(201);
  expect((await server.api('PATCH', `/api/v1/flags/new-checkout/environments/${ENV}`, { on: true })).status).toBe(200);
  const key = await server.api('POST', '/api/v1/keys', { kind: 'server', env: ENV });
  flags = createClient({ url: server.url, sdkKey: key.body.key, usage: false });
  await flags.ready({ timeoutMs: 5_000 });
});

afterAll(async () => {
  await flags?.close();
  await server?.stop();
  await removeHome?.();
});

describe('wiring an Alertmanager to a flag with the CLI', () => {
  it('`hooks create --json` prints the hook URL and its fsh_ secret', async () => {
    const created = await cli(['hooks', 'create', '--provider', 'alertmanager', '--env', ENV, '--name', 'prod-am', '--json']);
    expect(created.code).toBe(0);
    hook = JSON.parse(created.stdout);
    expect(hook.url).toBe(`${server.url}/hooks/v1/alerts/alertmanager/${hook.id}`);
    expect(hook.secret).toMatch(/^fsh_[\w-]{32}$/);
  });

  it('`kill-rules create` binds the alert to the flag its label names', async () => {
    const created = await cli([
      'kill-rules',
      'create',
      '--env',
      ENV,
      '--alert',
      'HighErrorRate',
      '--match',
      'severity=~page|critical',
      '--flag-label',
      'flag',
      '--on-resolve',
      'restore',
      '--json',
    ]);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({
      alert: 'HighErrorRate',
      matchers: [{ label: 'severity', op: '=~', value: 'page|critical' }],
      flagLabel: 'flag',
      action: 'off',
      onResolve: 'restore',
    });
    const listed = await cli(['kill-rules', 'list', '--env', ENV]);
    expect(listed.stdout).toContain('flag named by label "flag"');
  });

  it('a firing alert turns the flag off in the SDK, and its resolution turns it back on', async () => {
    expect(flags.isEnabled('new-checkout', { key: 'user-1' })).toBe(true);
    const changes: string[][] = [];
    flags.on('change', (change) => changes.push(change.keys));

    const fired = await deliver(
      alertmanagerBody([amAlert({ status: 'firing', labels, annotations: { runbook_url: 'https://runbooks/errors' } })]),
    );
    expect(fired.status).toBe(200);
    expect((await fired.json()).alerts[0].actions).toEqual([expect.objectContaining({ flag: 'new-checkout', outcome: 'off' })]);
    await until(() => changes.some((keys) => keys.includes('new-checkout')), 10_000, 'the SDK to hear of the kill');
    expect(flags.isEnabled('new-checkout', { key: 'user-1' })).toBe(false);

    const audit = await server.api('GET', `/api/v1/audit?flag=new-checkout&action=flag_state.kill`);
    expect(audit.body.entries).toHaveLength(1);
    expect(audit.body.entries[0]).toMatchObject({ actor: { kind: 'hook', id: hook.id, name: 'prod-am' } });
    expect(audit.body.entries[0].reason).toMatch(
      /alertmanager alert "HighErrorRate" firing \(fingerprint [0-9a-f]{16}.*runbook: https:\/\/runbooks\/errors/,
    );

    const resolvedAt = await deliver(alertmanagerBody([amAlert({ status: 'resolved', labels })]));
    expect(resolvedAt.status).toBe(200);
    await until(() => flags.isEnabled('new-checkout', { key: 'user-1' }), 10_000, 'the SDK to see the flag restored');
  });

  it('`hooks list` shows the hook and when it was last used, never the secret', async () => {
    const listed = await cli(['hooks', 'list', '--env', ENV, '--json']);
    const [shown] = JSON.parse(listed.stdout).hooks;
    expect(shown).toMatchObject({ id: hook.id, provider: 'alertmanager', auth: 'bearer', url: hook.url });
    expect(shown.lastUsedAt).not.toBeNull();
    expect(listed.stdout).not.toContain(hook.secret);
  });

  it('a revoked hook is refused and changes nothing', async () => {
    expect((await cli(['hooks', 'revoke', hook.id, '--env', ENV, '--yes'])).code).toBe(0);
    const refused = await deliver(alertmanagerBody([amAlert({ status: 'firing', labels, startsAt: '2026-11-23T11:00:00Z' })]));
    expect(refused.status).toBe(401);
    expect(flags.isEnabled('new-checkout', { key: 'user-1' })).toBe(true);
  });
});
