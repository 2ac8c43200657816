// /healthz, /readyz and /metrics (health.ts): unauthenticated and cheap; readiness says 503 with the
// reason while shutting down or when the store is not usable, so that a load balancer stops sending.
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import type { Streaming } from '../stream/streaming.js';
import { testApp, type TestApp } from '../testing/app.js';

const apps: TestApp[] = [];
const fresh = () => {
  const t = testApp();
  apps.push(t);
  return t;
};
afterEach(() => {
  for (const t of apps.splice(0)) t.close();
});

describe('health and readiness', () => {
  it('answers /healthz and /readyz without credentials', async () => {
    const server = fresh();
    const health = await server.request('/healthz', { token: null });
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
    const ready = await server.request('/readyz', { token: null });
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);
  });

  it('is not ready once shutdown began, and says so; still alive', async () => {
    const server = fresh();
    server.deps.lifecycle.beginShutdown();
    const ready = await server.request('/readyz', { token: null });
    expect([ready.status, await ready.json()]).toEqual([503, { error: { code: 'unavailable', message: 'shutting down' } }]);
    expect(ready.headers.get('connection')).toBe('close');
    expect((await server.request('/healthz', { token: null })).status).toBe(200);
  });

  it('is not ready when the store is closed', async () => {
    const server = fresh();
    server.store.close();
    const ready = await server.request('/readyz', { token: null });
    expect([ready.status, await ready.json()]).toEqual([503, { error: { code: 'unavailable', message: 'the store is closed' } }]);
  });

  it('is not ready while streaming reports a problem', async () => {
    const server = fresh();
    // The app as start.ts builds it with streaming; only what readiness asks of streaming is real here.
    const app = createApp({
      ...server.deps,
      streaming: { unready: () => 'redis is not connected', route: new Hono() } as unknown as Streaming,
    });
    const ready = await app.request('/readyz');
    expect([ready.status, ((await ready.json()) as { error: { message: string } }).error.message]).toEqual([503, 'redis is not connected']);
  });
});

describe('metrics', () => {
  it('serves the Prometheus text format', async () => {
    const server = fresh();
    const res = await server.request('/metrics', { token: null });
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await res.text()).toMatch(/^# HELP flagstaff_http_requests_total /m);
  });
});
