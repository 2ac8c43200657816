// The application's own answers (app.ts): a route that does not exist, a method a route does not have,
// and an error nothing expected — each in the error shape of docs/api.md, the last without its details.
import { afterAll, describe, expect, it } from 'vitest';
import { expectRefused, type BadInput } from '../../test/helpers/bad-input.js';
import { testApp } from './testing/app.js';

const server = testApp();
afterAll(() => server.close());
// Added before the first request, as a route that fails the way a bug would.
server.app.get('/api/v1/boom', () => {
  throw new TypeError('cannot read properties of undefined');
});

describe('unknown routes', () => {
  it.each(['/api/v1/nope', '/sdk/v1/nope', '/nope', '/ofrep/v2/evaluate/flags'])('%s → 404 in the error shape', async (path) => {
    const res = await server.api('GET', path);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: `no route GET ${path}` } });
  });

  const cases: BadInput[] = [
    {
      name: 'a route that does not exist',
      method: 'GET',
      path: '/api/v1/flagz',
      status: 404,
      code: 'not_found',
      message: /no route GET \/api\/v1\/flagz/,
    },
    {
      name: 'a method a route does not have',
      method: 'DELETE',
      path: '/api/v1/flags/checkout',
      status: 404,
      code: 'not_found',
      message: /no route DELETE/,
    },
  ];

  it.each(cases)('$name → $status $code, store unchanged', (c) => expectRefused(server, c));
});

describe('an unexpected error', () => {
  it('is a 500 internal naming the request id, logged with the error but not sent', async () => {
    const res = await server.api('GET', '/api/v1/boom', undefined, { 'X-Request-Id': 'req-boom' });
    expect([res.status, res.body]).toEqual([500, { error: { code: 'internal', message: 'internal error (request req-boom)' } }]);
    const line = JSON.parse(server.logged.find((l) => l.includes('unhandled error'))!);
    expect(line).toMatchObject({
      level: 'error',
      requestId: 'req-boom',
      method: 'GET',
      path: '/api/v1/boom',
      error: { name: 'TypeError', message: 'cannot read properties of undefined' },
    });
    expect(server.logged.join('\n')).not.toContain(server.tokens.admin);
  });
});
