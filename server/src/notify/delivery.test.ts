// Delivery end to end, in-process app and real loopback receivers (docs/notifications.md): a signed webhook
// verified with the same library receivers use, a kill by an alert reaching a Slack-shaped receiver (and how
// long it took), a receiver that fails twice and then accepts, and a receiver that never answers while admin
// writes go on (their latency measured with and without it).
import { afterEach, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { startReceiver, type Receiver } from '../testing/receiver.js';
import { testApp, type TestApp } from '../testing/app.js';

const open: Array<TestApp | Receiver> = [];
afterEach(async () => {
  for (const x of open.splice(0)) {
    if ('stopDelivery' in x) {
      await x.stopDelivery();
      x.close();
    } else await x.close();
  }
});

function app(delivery: NonNullable<Parameters<typeof testApp>[0]>['delivery'] = {}) {
  // Test receivers listen on loopback, which only this setting lets notifications reach.
  const t = testApp({ env: { FLAGSTAFF_NOTIFY_ALLOW_PRIVATE: '1' }, delivery: { retryBaseMs: 20, ...delivery } });
  open.push(t);
  return t;
}
async function receiver(...args: Parameters<typeof startReceiver>) {
  const r = await startReceiver(...args);
  open.push(r);
  return r;
}
const toggle = (t: TestApp, on: boolean, headers: Record<string, string> = {}) =>
  t.api('PATCH', '/api/v1/flags/new-checkout/environments/production', { on }, headers);

async function withFlag(t: TestApp) {
  expect((await t.api('POST', '/api/v1/flags', { key: 'new-checkout', tags: ['checkout'] })).status).toBe(201);
}

async function subscribe(t: TestApp, body: Record<string, unknown>) {
  const res = await t.api('POST', '/api/v1/environments/production/notifications', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** Waits until the subscription's log shows `count` deliveries in a final state. */
async function settled(t: TestApp, id: string, count: number) {
  for (;;) {
    const { deliveries } = (await t.api('GET', `/api/v1/environments/production/notifications/${id}/deliveries`)).body;
    if (deliveries.filter((d: { state: string }) => d.state !== 'pending').length >= count) return deliveries;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('notification delivery', () => {
  it('signs a webhook per Standard Webhooks: the receiver verifies it with the same library', async () => {
    const t = app();
    const r = await receiver();
    await withFlag(t);
    const sub = await subscribe(t, { target: 'webhook', url: r.url, events: ['change'] });
    expect(sub.secret).toMatch(/^whsec_/);
    expect((await toggle(t, true, { 'X-Flagstaff-Reason': 'launch day' })).status).toBe(200);
    const [got] = await r.waitFor(1);
    const payload = new Webhook(sub.secret).verify(got!.body, got!.headers as Record<string, string>) as any;
    expect(payload).toMatchObject({
      type: 'flag_state.update',
      data: {
        env: 'production',
        summary: 'new-checkout turned ON in production by bootstrap',
        reason: 'launch day',
        changes: [{ field: 'state', before: 'off', after: 'on' }],
      },
    });
    // A forged or altered body does not verify.
    expect(() => new Webhook(sub.secret).verify(got!.body.replace('launch', 'lunch'), got!.headers as Record<string, string>)).toThrow();
    const [delivery] = await settled(t, sub.id, 1);
    expect(delivery).toMatchObject({ state: 'delivered', attempts: 1, lastStatus: 200, messageId: got!.headers['webhook-id'] });
  });

  it('sends nothing for a change that was refused and rolled back', async () => {
    const t = app();
    await withFlag(t);
    const r = await receiver();
    const sub = await subscribe(t, { target: 'webhook', url: r.url, events: ['change'] });
    expect((await toggle(t, true, { 'If-Match': '99' })).status).toBe(409);
    expect((await toggle(t, true)).status).toBe(200);
    const received = await r.waitFor(1);
    const deliveries = await settled(t, sub.id, 1);
    expect(deliveries).toHaveLength(1);
    expect(JSON.parse(received[0]!.body).data.changes).toEqual([{ field: 'state', before: 'off', after: 'on' }]);
  });

  it('announces a kill by an alert to a Slack-shaped receiver within 2 s, with who and why', async () => {
    const t = app();
    const r = await receiver();
    await withFlag(t);
    expect((await toggle(t, true)).status).toBe(200);
    expect(
      (await t.api('POST', '/api/v1/environments/production/kill-rules', { alert: 'CheckoutErrors', flag: 'new-checkout' })).status,
    ).toBe(201);
    const hook = (await t.api('POST', '/api/v1/environments/production/hooks', { provider: 'generic', name: 'prod-alerts' })).body;
    await subscribe(t, { target: 'slack', url: r.url, events: ['kill'] });
    const fired = performance.now();
    const res = await t.api(
      'POST',
      `/hooks/v1/alerts/generic/${hook.id}`,
      { alert: 'CheckoutErrors', status: 'firing' },
      { Authorization: `Bearer ${hook.secret}` },
    );
    expect(res.status).toBe(200);
    const [got] = await r.waitFor(1);
    const delayMs = got!.at - fired;
    console.log(`kill by alert → Slack receiver: ${delayMs.toFixed(1)} ms`);
    expect(delayMs).toBeLessThan(2000);
    const message = JSON.parse(got!.body);
    // Slack's incoming-webhook shape: a fallback `text` and Block Kit `blocks`.
    expect(message.text).toBe('new-checkout turned OFF in production by alert hook prod-alerts');
    expect(message.blocks.map((b: { type: string }) => b.type)).toEqual(['section', 'section', 'context']);
    expect(message.blocks[1].fields[0].text).toBe('*state*\non → off');
    expect(message.blocks[2].elements[0].text).toContain('by alert: prod-alerts');
    expect(message.blocks[2].elements[0].text).toContain('reason: generic alert &quot;CheckoutErrors&quot; firing'.replace(/&quot;/g, '"'));
    expect(got!.body).not.toContain(hook.secret);
  });

  it('sends a test message to a Teams-shaped receiver as an Adaptive Card, and logs how it went', async () => {
    const t = app();
    const r = await receiver();
    const sub = await subscribe(t, { target: 'teams', url: r.url, events: ['kill'] });
    expect((await t.api('POST', `/api/v1/environments/production/notifications/${sub.id}/test`)).status).toBe(202);
    const [got] = await r.waitFor(1);
    const message = JSON.parse(got!.body);
    // A Teams workflow webhook takes a message whose one attachment is the card.
    expect(message.type).toBe('message');
    expect(message.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(message.attachments[0].content.type).toBe('AdaptiveCard');
    expect(message.attachments[0].content.body[0]).toMatchObject({ type: 'TextBlock', text: expect.stringContaining('test message') });
    expect(got!.headers['webhook-signature']).toBeUndefined();
    const [delivery] = await settled(t, sub.id, 1);
    expect(delivery).toMatchObject({ eventType: 'test', state: 'delivered', lastStatus: 200, attempts: 1 });
    expect(delivery.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('marks a delivery failed, without retrying, when the receiver refuses it (4xx)', async () => {
    const t = app();
    const r = await receiver(() => ({ status: 404 }));
    await withFlag(t);
    const sub = await subscribe(t, { target: 'slack', url: r.url, events: ['change'] });
    expect((await toggle(t, true)).status).toBe(200);
    const [delivery] = await settled(t, sub.id, 1);
    expect(delivery).toMatchObject({ state: 'failed', attempts: 1, lastStatus: 404, lastError: 'answered 404' });
    const listed = (await t.api('GET', '/api/v1/environments/production/notifications')).body.notifications[0];
    expect(listed.failingSince).not.toBeNull();
  });

  it('retries a receiver that answers 503 twice, then delivers every message once, in order', async () => {
    const t = app();
    const r = await receiver((n) => (n < 2 ? { status: 503 } : { status: 200 }));
    await withFlag(t);
    const sub = await subscribe(t, { target: 'webhook', url: r.url, events: ['change'] });
    for (const on of [true, false, true]) expect((await toggle(t, on)).status).toBe(200);
    const received = await r.waitFor(5);
    const ids = received.map((x) => x.headers['webhook-id']);
    const states = received.map((x) => JSON.parse(x.body).data.changes[0].after);
    // The first message three times (503, 503, 200), then the others once each: nothing overtook it.
    expect(ids[0]).toBe(ids[1]);
    expect(ids[1]).toBe(ids[2]);
    expect(new Set(ids).size).toBe(3);
    expect(states).toEqual(['on', 'on', 'on', 'off', 'on']);
    const deliveries = await settled(t, sub.id, 3);
    expect(deliveries.map((d: { attempts: number; state: string }) => [d.state, d.attempts])).toEqual([
      ['delivered', 1],
      ['delivered', 1],
      ['delivered', 3],
    ]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(r.received).toHaveLength(5);
  });

  it('honours Retry-After on a 429', async () => {
    const t = app({ retryBaseMs: 1 });
    const r = await receiver((n) => (n === 0 ? { status: 429, headers: { 'Retry-After': '1' } } : { status: 200 }));
    await withFlag(t);
    await subscribe(t, { target: 'slack', url: r.url, events: ['change'] });
    expect((await toggle(t, true)).status).toBe(200);
    const [first, second] = await r.waitFor(2);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
  });

  it('does not slow admin writes while a receiver never answers (p50/p99 measured)', async () => {
    const measure = async (t: TestApp) => {
      const times: number[] = [];
      for (let i = 0; i < 200; i++) {
        const started = performance.now();
        expect((await toggle(t, i % 2 === 0)).status).toBe(200);
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      return { p50: times[100]!, p99: times[198]! };
    };
    const quiet = app();
    await withFlag(quiet);
    const without = await measure(quiet);

    const t = app({ timeoutMs: 60_000 });
    const hang = await receiver(() => 'hang');
    await withFlag(t);
    await subscribe(t, { target: 'webhook', url: hang.url, events: ['change'] });
    await subscribe(t, { target: 'slack', url: hang.url, events: ['change'] });
    const withHanging = await measure(t);
    await hang.waitFor(2);
    console.log(
      `admin write latency, ms: without subscriptions p50 ${without.p50.toFixed(2)} p99 ${without.p99.toFixed(2)}; ` +
        `with two hanging receivers p50 ${withHanging.p50.toFixed(2)} p99 ${withHanging.p99.toFixed(2)}`,
    );
    // Each write only adds two outbox rows: the hanging requests are not on its path.
    expect(withHanging.p50).toBeLessThan(without.p50 * 2 + 1);
    expect(withHanging.p99).toBeLessThan(without.p99 * 2 + 5);
  });
});
