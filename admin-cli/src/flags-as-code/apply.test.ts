import { describe, expect, it } from 'vitest';
import { AdminApi } from '../api.js';
import { fakeIo, type FakeIoOptions, json } from '../testing/fake-io.js';
import { adminFlag, flagState, segment } from '../testing/flags.js';
import { applyPlan, type StepOutcome } from './apply.js';
import type { FlagsDocument } from './document.js';
import { planChanges, type ServerState } from './plan.js';

const server: ServerState = {
  environments: ['development', 'production'],
  flags: [
    adminFlag('checkout', { version: 3, environments: { development: flagState({ version: 2 }), production: flagState({ version: 7 }) } }),
  ],
  segments: { production: [segment('beta', { version: 4 })] },
};

const document: FlagsDocument = {
  format: 'flagstaff/v1',
  segments: { production: { beta: { included: ['user-1'] } } },
  flags: {
    checkout: { description: 'new', environments: { production: { on: true }, development: { on: true } } },
    banner: { environments: { production: { on: true } } },
  },
};

async function apply(respond: FakeIoOptions['respond']) {
  const io = fakeIo({ respond });
  const api = new AdminApi({ url: 'http://flags.test', token: 'fsa_test', fetch: io.fetch });
  const reported: StepOutcome[] = [];
  const outcomes = await applyPlan(api, planChanges(document, server), (outcome) => reported.push(outcome));
  expect(reported).toEqual(outcomes);
  return {
    outcomes,
    requests: io.requests.map(({ method, url, headers, body }) => ({
      method,
      path: new URL(url).pathname,
      ifMatch: headers['if-match'],
      body,
    })),
  };
}

const created = adminFlag('banner', { environments: { development: flagState({ version: 1 }), production: flagState({ version: 1 }) } });
const ok: FakeIoOptions['respond'] = (method, url) => {
  if (url.pathname.includes('/segments/')) return json(200, segment('beta', { version: 5 }));
  if (method === 'POST' && url.pathname === '/api/v1/flags') return json(201, created);
  if (url.pathname.endsWith('/environments/production') || url.pathname.endsWith('/environments/development'))
    return json(200, flagState({ version: 9 }));
  return json(200, adminFlag('checkout', { version: 4 }));
};

describe('applyPlan', () => {
  it('applies segments, then definitions, then states, each with the version the plan saw', async () => {
    const { outcomes, requests } = await apply(ok);
    expect(outcomes.every((outcome) => outcome.status === 'applied')).toBe(true);
    expect(requests).toEqual([
      {
        method: 'PUT',
        path: '/api/v1/environments/production/segments/beta',
        ifMatch: '"4"',
        body: { name: 'beta', description: '', included: ['user-1'], excluded: [], rules: [] },
      },
      { method: 'PATCH', path: '/api/v1/flags/checkout', ifMatch: '"3"', body: { description: 'new' } },
      { method: 'POST', path: '/api/v1/flags', ifMatch: undefined, body: { key: 'banner', kind: 'boolean' } },
      { method: 'PATCH', path: '/api/v1/flags/checkout/environments/production', ifMatch: '"7"', body: { on: true } },
      { method: 'PATCH', path: '/api/v1/flags/checkout/environments/development', ifMatch: '"2"', body: { on: true } },
      // A created flag's state is patched from the version the server gave it.
      { method: 'PATCH', path: '/api/v1/flags/banner/environments/production', ifMatch: '"1"', body: { on: true } },
    ]);
  });

  it('reports a concurrent edit as a conflict and still applies the rest', async () => {
    const { outcomes } = await apply((method, url) =>
      url.pathname === '/api/v1/flags/checkout/environments/production'
        ? json(409, { error: { code: 'version_conflict', message: 'flag checkout in production is at version 8, not 7' } })
        : ok(method, url),
    );
    const statuses = outcomes.map(
      (outcome) => `${outcome.step.key}${'env' in outcome.step ? `/${outcome.step.env}` : ''}:${outcome.status}`,
    );
    expect(statuses).toEqual([
      'beta/production:applied',
      'checkout:applied',
      'banner:applied',
      'checkout/production:conflict',
      'checkout/development:applied',
      'banner/production:applied',
    ]);
    expect(outcomes[3]!.message).toBe('flag checkout in production is at version 8, not 7');
  });

  it('skips the states of a flag it could not create', async () => {
    const { outcomes, requests } = await apply((method, url) =>
      method === 'POST' ? json(409, { error: { code: 'already_exists', message: 'flag banner exists' } }) : ok(method, url),
    );
    expect(outcomes.find((outcome) => outcome.step.key === 'banner' && outcome.step.resource === 'state')).toMatchObject({
      status: 'skipped',
    });
    expect(requests.some((request) => request.path.startsWith('/api/v1/flags/banner/'))).toBe(false);
  });
});
