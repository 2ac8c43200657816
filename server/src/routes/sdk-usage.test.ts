// POST /sdk/v1/usage (sdk-usage.ts): SDKs' evaluation counts — what each kind of key may report, and the
// reports refused before anything is recorded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../testing/app.js';

const t = testApp();
afterAll(() => t.close());

beforeAll(async () => {
  for (const [key, clientSide] of [
    ['public', true],
    ['secret', false],
  ] as const) {
    expect((await t.request('/api/v1/flags', { method: 'POST', json: { key, clientSide } })).status).toBe(201);
  }
});

const report = (sdkKey: string, flags: { key: string; count: number }[]) =>
  t.request('/sdk/v1/usage', {
    method: 'POST',
    token: null,
    headers: { Authorization: sdkKey },
    json: { instanceId: `i-${sdkKey.slice(0, 3)}`, sdk: 'test', version: null, flags: flags.map((f) => ({ ...f, variation: 1 })) },
  });

const evaluations = async (flag: string) => {
  const body = (await (await t.request(`/api/v1/flags/${flag}/usage?env=production`)).json()) as { usage: { evaluations: number }[] };
  return body.usage[0]!.evaluations;
};

describe('POST /sdk/v1/usage', () => {
  it('records a client key’s counts only for client-side flags, answering as for a flag that does not exist', async () => {
    const res = await report(t.keys.client, [
      { key: 'public', count: 3 },
      { key: 'secret', count: 999_999 },
      { key: 'no-such-flag', count: 5 },
    ]);
    expect([res.status, await res.json()]).toEqual([202, { recorded: 1 }]);
    expect(await evaluations('public')).toBe(3);
    expect(await evaluations('secret')).toBe(0);
  });

  it('records a server key’s counts for every flag of the environment', async () => {
    const res = await report(t.keys.server, [
      { key: 'public', count: 1 },
      { key: 'secret', count: 2 },
    ]);
    expect(await res.json()).toEqual({ recorded: 2 });
    expect([await evaluations('public'), await evaluations('secret')]).toEqual([4, 2]);
  });
});

describe('refusals', () => {
  const good = { instanceId: 'i-1', sdk: 'test', version: 1, flags: [{ key: 'public', variation: 1, count: 1 }] };

  it.each<[string, unknown, string]>([
    ['no instanceId', { ...good, instanceId: undefined }, 'instanceId'],
    ['a count of 0', { ...good, flags: [{ key: 'public', variation: 1, count: 0 }] }, 'flags[0].count'],
    ['a negative variation', { ...good, flags: [{ key: 'public', variation: -1, count: 1 }] }, 'flags[0].variation'],
    ['a version that is not an integer', { ...good, version: 1.5 }, 'version'],
    ['a window that is not ISO times', { ...good, window: { start: 'yesterday', end: 'today' } }, 'window.start'],
  ])('refuses %s with 400 naming %s, recording nothing', async (_, body, path) => {
    const res = await t.request('/sdk/v1/usage', { method: 'POST', token: null, headers: { Authorization: t.keys.server }, json: body });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; details: { issues: { path: string }[] } } };
    expect([error.code, error.details.issues[0]!.path]).toEqual(['validation_failed', path]);
    expect(t.store.usage.sdkInstances('production', 0).map((i) => i.instanceId)).not.toContain('i-1');
  });

  it('refuses an admin token (403) and no key (401)', async () => {
    const admin = await t.request('/sdk/v1/usage', { method: 'POST', json: good });
    expect(admin.status).toBe(403);
    const none = await t.request('/sdk/v1/usage', { method: 'POST', token: null, json: good });
    expect(none.status).toBe(401);
  });
});
