// Tables of bad requests, as each route's tests write them (server/src/routes/*.test.ts): every case gets
// its status, the documented error code, a message that says what to fix, and leaves the store exactly as
// it was (no version bump, no audit entry, no half-written row). Works on a spawned server and on the
// in-process app alike: both answer `api(method, path, body, headers)`.
import { expect } from 'vitest';
import type { ApiResponse } from './server.js';

export interface Api {
  api<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
}

export interface BadInput {
  name: string;
  method: string;
  path: string;
  /** Objects are sent as JSON; strings as they are. */
  body?: unknown;
  headers?: Record<string, string> | (() => Record<string, string>);
  status: number;
  code: string;
  message: RegExp;
  details?: (details: any) => void;
}

/** Sends `c` and checks its refusal: status, JSON error shape, code, message, details, store unchanged. */
export async function expectRefused(server: Api, c: BadInput, path = c.path): Promise<void> {
  const before = await storeFingerprint(server);
  const headers = typeof c.headers === 'function' ? c.headers() : (c.headers ?? {});
  const res = await server.api(c.method, path, c.body, headers);

  expect(res.status).toBe(c.status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(Object.keys(res.body)).toEqual(['error']);
  expect(res.body.error.code).toBe(c.code);
  expect(res.body.error.message).toMatch(c.message);
  c.details?.(res.body.error.details);
  expect(await storeFingerprint(server)).toBe(before);
}

/**
 * What a refused request must leave as it was: every environment's version, the newest audit entry,
 * every flag (all environments' states, archived ones too), segments per environment, and the keys.
 */
export async function storeFingerprint(server: Api): Promise<string> {
  const get = async (path: string) => {
    const res = await server.api('GET', path);
    if (res.status !== 200) throw new Error(`GET ${path} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const { environments } = await get('/api/v1/environments');
  const segments = await Promise.all(environments.map((e: { key: string }) => get(`/api/v1/environments/${e.key}/segments`)));
  // lastUsedAt moves on reads (at most once a minute): it is not part of what a write could change.
  const keys = (await get('/api/v1/keys')).keys.map(({ lastUsedAt: _lastUsedAt, ...key }: Record<string, unknown>) => key);
  return JSON.stringify({
    environments,
    newestAudit: (await get('/api/v1/audit?limit=1')).entries[0]?.id ?? null,
    flags: (await get('/api/v1/flags?archived=all')).flags,
    segments,
    keys,
  });
}
