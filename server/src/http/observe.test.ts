// Per request (observe.ts): a request id (the caller's if sane), one JSON log line without secrets, and the
// Prometheus count and latency by route pattern — never by raw path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../testing/app.js';

const server = testApp({ logLevel: 'debug' });
afterAll(() => server.close());
const logs = () => server.logged.map((line) => JSON.parse(line) as Record<string, unknown>);

/** The value of one series in the Prometheus text, or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((pair) => l.includes(pair)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('metrics', () => {
  beforeAll(async () => {
    await server.api('POST', '/api/v1/flags', { key: 'metered' });
    await server.api('PATCH', '/api/v1/flags/metered/environments/production', { on: true });
    await server.api('GET', '/api/v1/flags/metered');
  });

  it('counts requests and their latency by route pattern', async () => {
    const text = await (await server.request('/metrics', { token: null })).text();
    expect(sample(text, 'flagstaff_http_requests_total', { method: 'GET', route: '/api/v1/flags/:key', status: '200' })).toBe(1);
    expect(
      sample(text, 'flagstaff_http_request_duration_seconds_count', { method: 'PATCH', route: '/api/v1/flags/:key/environments/:env' }),
    ).toBe(1);
    expect(sample(text, 'flagstaff_http_request_duration_seconds_bucket', { route: '/api/v1/flags/:key', le: '+Inf' })).toBe(1);
    // Raw paths never become labels: the series count stays bounded.
    expect(text).not.toContain('route="/api/v1/flags/metered"');
  });

  it('counts a request no route matched as "unmatched", by its status', async () => {
    await server.request('/no/such/path/42');
    const text = await (await server.request('/metrics', { token: null })).text();
    expect(sample(text, 'flagstaff_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    expect(text).not.toContain('/no/such/path/42');
  });
});

describe('logs', () => {
  it('writes one JSON line per request with its request id, echoed in X-Request-Id', async () => {
    const res = await server.api('GET', '/api/v1/environments');
    const id = res.headers.get('x-request-id')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const lines = logs().filter((l) => l.requestId === id);
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line).toMatchObject({
      level: 'info',
      msg: 'request',
      method: 'GET',
      path: '/api/v1/environments',
      route: '/api/v1/environments',
      status: 200,
      keyId: expect.stringMatching(/^key_/),
    });
    expect(typeof line.time).toBe('string');
    expect(typeof line.ms).toBe('number');
  });

  it('keeps a sane X-Request-Id from the caller and replaces an insane one', async () => {
    expect((await server.api('GET', '/healthz', undefined, { 'X-Request-Id': 'trace-42' })).headers.get('x-request-id')).toBe('trace-42');
    const replaced = (await server.api('GET', '/healthz', undefined, { 'X-Request-Id': 'bad id\twith spaces' })).headers.get(
      'x-request-id',
    );
    expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
    expect((await server.api('GET', '/healthz', undefined, { 'X-Request-Id': 'x'.repeat(129) })).headers.get('x-request-id')).toMatch(
      /^[0-9a-f-]{36}$/,
    );
  });

  it('logs machine-polled routes at debug, the rest at info', async () => {
    const res = await server.request('/healthz', { token: null });
    const line = logs().find((l) => l.requestId === res.headers.get('x-request-id'));
    expect(line).toMatchObject({ level: 'debug', route: '/healthz', status: 200 });
  });

  it('never writes a secret: keys are logged by id, client keys in URLs are cut off', async () => {
    const client = (await server.api('POST', '/api/v1/keys', { kind: 'client', env: 'production' })).body as { id: string; key: string };
    await server.request(`/sdk/v1/flags?key=${client.key}`, { token: null });
    await server.request('/sdk/v1/flags', { token: null, headers: { Authorization: server.keys.server } });
    expect(logs().find((l) => l.keyId === client.id)).toMatchObject({ path: '/sdk/v1/flags', status: 200 });
    for (const secret of [server.tokens.admin, server.keys.server, client.key]) expect(server.logged.join('')).not.toContain(secret);
  });
});
