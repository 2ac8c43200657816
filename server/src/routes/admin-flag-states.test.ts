import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../testing/app.js';

const t = testApp();
afterAll(() => t.close());
beforeAll(async () => {
  expect((await t.request('/api/v1/flags', { method: 'POST', json: { key: 'checkout' } })).status).toBe(201);
});

const STATE = '/api/v1/flags/checkout/environments/production';
const twice = [
  { variation: 1, values: ['user-1', 'user-2'] },
  { variation: 0, values: ['user-2'] },
];

describe('a key listed in two targets', () => {
  it('is refused when written, naming both targets, and changes nothing', async () => {
    const before = await (await t.request(STATE)).json();
    const patched = await t.request(STATE, { method: 'PATCH', json: { targets: twice } });
    expect(patched.status).toBe(400);
    expect(((await patched.json()) as { error: { details: unknown } }).error.details).toEqual({
      issues: [{ path: 'targets[1].values[0]', message: '"user-2" is already targeted by targets[0]' }],
    });
    const { version } = before as { version: number };
    const put = await t.request(STATE, {
      method: 'PUT',
      headers: { 'If-Match': `"${version}"` },
      json: { on: true, offVariation: 0, targets: twice, rules: [], fallthrough: { variation: 0 } },
    });
    expect(put.status).toBe(400);
    expect(((await put.json()) as { error: { message: string } }).error.message).toBe('targets[1].values[0]: "user-2" is already targeted by targets[0]');
    expect(await (await t.request(STATE)).json()).toEqual(before);
  });
});
