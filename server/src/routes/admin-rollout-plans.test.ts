import { afterAll, describe, expect, it } from 'vitest';
import { testApp } from '../testing/app.js';

const t = testApp();
afterAll(() => t.close());

const createPlan = async (flag: string) => {
  expect((await t.request('/api/v1/flags', { method: 'POST', json: { key: flag } })).status).toBe(201);
  return t.request('/api/v1/rollout-plans', { method: 'POST', json: { flag, env: 'production', steps: [5, 25, 100], holdSeconds: 3600 } });
};

describe('POST /api/v1/rollout-plans', () => {
  it('says, on a flag that is off, that nobody sees the first step and the plan waits for on', async () => {
    const res = await createPlan('dark');
    expect(res.status).toBe(201);
    const body = (await res.json()) as { percent: number; warnings: unknown };
    expect(body.percent).toBe(5);
    expect(body.warnings).toEqual([
      {
        code: 'flag_off',
        message:
          'flag "dark" is off in production: the first step (5%) is set but serves nobody, and the plan waits for the flag to be turned on; its next step comes one hold after that',
      },
    ]);
    // Only the answer to the creation carries them.
    const plan = (await (await t.request(`/api/v1/rollout-plans/${(body as unknown as { id: number }).id}`)).json()) as object;
    expect(plan).not.toHaveProperty('warnings');
  });

  it('has no warnings on a flag that is on', async () => {
    expect((await t.request('/api/v1/flags', { method: 'POST', json: { key: 'lit' } })).status).toBe(201);
    await t.request('/api/v1/flags/lit/environments/production', { method: 'PATCH', json: { on: true, fallthrough: { variation: 0 } } });
    const res = await t.request('/api/v1/rollout-plans', { method: 'POST', json: { flag: 'lit', env: 'production', steps: [5, 100], holdSeconds: 60 } });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { warnings: unknown }).warnings).toEqual([]);
  });
});
