import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../testing/app.js';

const t = testApp();
afterAll(() => t.close());

beforeAll(async () => {
  for (const [key, clientSide] of [['public', true], ['secret', false]] as const) {
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
