// /api/v1/environments/:env/notifications (admin-notifications.ts), in-process: the secret shown once, a
// Slack URL never shown whole again, bad input refused with nothing created, SSRF-prone URLs refused unless
// allowed, outbox rows only for what a subscription asked for (events, tags, flags), the delivery log.
import { afterAll, describe, expect, it } from 'vitest';
import { testApp } from '../testing/app.js';

const t = testApp();
afterAll(() => t.close());
const base = '/api/v1/environments/production/notifications';
const SLACK = 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX';
const deliveriesOf = async (id: string) => (await t.api('GET', `${base}/${id}/deliveries`)).body.deliveries as Array<{ eventType: string }>;

describe('notification subscriptions', () => {
  it('creates a webhook subscription whose signing secret is shown once', async () => {
    const res = await t.api('POST', base, { target: 'webhook', url: 'https://example.com/flagstaff', events: ['change', 'kill'] });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({ target: 'webhook', env: 'production', events: ['change', 'kill'], tags: [], flags: [] });
    expect(res.body.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{32}$/);
    const listed = (await t.api('GET', base)).body.notifications;
    expect(listed.find((n: { id: string }) => n.id === res.body.id)).not.toHaveProperty('secret');
    expect(JSON.stringify(await t.api('GET', '/api/v1/audit?limit=200'))).not.toContain(res.body.secret);
  });

  it('never shows a Slack URL whole again: it is a credential', async () => {
    const res = await t.api('POST', base, { target: 'slack', url: SLACK, events: ['kill'] });
    expect(res.status).toBe(201);
    expect(res.body).not.toHaveProperty('secret');
    expect(res.body.url).toBe('https://hooks.slack.com/services/…');
    const everything = JSON.stringify([(await t.api('GET', base)).body, (await t.api('GET', '/api/v1/audit?limit=200')).body]);
    expect(everything).not.toContain('XXXXXXXX');
  });

  it.each([
    [{ target: 'email', url: 'https://example.com', events: ['kill'] }, 'target'],
    [{ target: 'slack', url: 'https://example.com', events: [] }, 'events'],
    [{ target: 'slack', url: 'https://example.com', events: ['request'] }, 'events'],
    [{ target: 'slack', url: 'ftp://example.com/x', events: ['kill'] }, 'only http and https'],
    [{ target: 'slack', url: 'http://169.254.169.254/latest/meta-data', events: ['kill'] }, 'link-local'],
    [{ target: 'slack', url: 'http://[fd00:ec2::254]/', events: ['kill'] }, 'link-local'],
    [{ target: 'slack', url: 'http://metadata.google.internal/computeMetadata/v1', events: ['kill'] }, 'metadata'],
    [{ target: 'slack', url: 'http://127.0.0.1:9/hook', events: ['kill'] }, 'loopback'],
    [{ target: 'slack', url: 'http://localhost/hook', events: ['kill'] }, 'local'],
    [{ target: 'slack', url: 'https://user:pw@example.com/', events: ['kill'] }, 'credentials'],
    [{ target: 'slack', url: 'https://example.com', events: ['kill'], flags: ['Not A Key'] }, 'flags'],
  ])('refuses %j (400, nothing created)', async (body, says) => {
    const before = (await t.api('GET', base)).body.notifications.length;
    const res = await t.api('POST', base, body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(JSON.stringify(res.body.error)).toContain(says);
    expect((await t.api('GET', base)).body.notifications).toHaveLength(before);
  });

  it('takes a loopback URL when FLAGSTAFF_NOTIFY_ALLOW_PRIVATE=1', async () => {
    const allowed = testApp({ env: { FLAGSTAFF_NOTIFY_ALLOW_PRIVATE: '1' } });
    try {
      expect((await allowed.api('POST', base, { target: 'slack', url: 'http://127.0.0.1:9/hook', events: ['kill'] })).status).toBe(201);
    } finally {
      allowed.close();
    }
  });

  it('writes an outbox row only for the events, flags and tags a subscription asked for', async () => {
    const w = testApp();
    try {
      expect((await w.api('POST', '/api/v1/flags', { key: 'checkout', tags: ['payments'] })).status).toBe(201);
      expect((await w.api('POST', '/api/v1/flags', { key: 'search' })).status).toBe(201);
      const sub = async (body: object) =>
        (await w.api('POST', base, { target: 'slack', url: 'https://example.com/x', ...body })).body.id as string;
      const everyChange = await sub({ events: ['change'] });
      const tagged = await sub({ events: ['change'], tags: ['payments'] });
      const onlySearch = await sub({ events: ['change', 'flag'], flags: ['search'] });
      const keys = await sub({ events: ['key'] });
      for (const key of ['checkout', 'search']) {
        expect((await w.api('PATCH', `/api/v1/flags/${key}/environments/production`, { on: true })).status).toBe(200);
      }
      // Another environment's change reaches none of production's subscriptions.
      expect((await w.api('PATCH', '/api/v1/flags/search/environments/staging', { on: true })).status).toBe(200);
      expect((await w.api('PATCH', '/api/v1/flags/search', { description: 'the search box' })).status).toBe(200);
      expect((await w.api('POST', '/api/v1/keys', { kind: 'server', env: 'production' })).status).toBe(201);
      const types = async (id: string) =>
        (await w.api('GET', `${base}/${id}/deliveries`)).body.deliveries.map((d: { eventType: string }) => d.eventType);
      expect(await types(everyChange)).toEqual(['flag_state.update', 'flag_state.update']);
      expect(await types(tagged)).toEqual(['flag_state.update']);
      expect(await types(onlySearch)).toEqual(['flag.update', 'flag_state.update']);
      expect(await types(keys)).toEqual(['key.create']);
    } finally {
      w.close();
    }
  });

  it('queues a test message and lists it in the delivery log', async () => {
    const id = (await t.api('POST', base, { target: 'teams', url: 'https://example.com/teams', events: ['kill'] })).body.id;
    const res = await t.api('POST', `${base}/${id}/test`);
    expect(res.status).toBe(202);
    expect(await deliveriesOf(id)).toMatchObject([{ id: res.body.delivery, eventType: 'test', state: 'pending', attempts: 0 }]);
  });

  it('deletes a subscription with its pending deliveries; an unknown one is a 404', async () => {
    const id = (await t.api('POST', base, { target: 'slack', url: SLACK, events: ['kill'] })).body.id;
    expect((await t.api('POST', `${base}/${id}/test`)).status).toBe(202);
    expect((await t.api('DELETE', `${base}/${id}`)).status).toBe(200);
    expect((await t.api('GET', base)).body.notifications.map((n: { id: string }) => n.id)).not.toContain(id);
    for (const [method, path] of [
      ['DELETE', `${base}/${id}`],
      ['POST', `${base}/${id}/test`],
      ['GET', `${base}/${id}/deliveries`],
      ['GET', '/api/v1/environments/nowhere/notifications'],
    ] as const) {
      expect((await t.api(method, path)).status, `${method} ${path}`).toBe(404);
    }
  });
});
