// Everything survives a restart: stop the process (gracefully, or with SIGKILL), start it again on the
// same SQLite file, and every environment, flag, state, segment, key and audit entry is there.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, startServer, type RunningServer } from '../helpers/server.js';

let server: RunningServer;
let serverKey: string;
let revokedKey: string;

async function everything() {
  const get = async (path: string) => (await server.api('GET', path)).body;
  const audit = [];
  let cursor: string | null = null;
  do {
    const page = await get(`/api/v1/audit?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
    audit.push(...page.entries);
    cursor = page.nextCursor;
  } while (cursor);
  // lastUsedAt is written at most once a minute per key: compare what a write could have changed.
  const keys = (await get('/api/v1/keys')).keys.map(({ lastUsedAt: _l, ...key }: Record<string, unknown>) => key);
  return {
    environments: await get('/api/v1/environments'),
    flags: await get('/api/v1/flags?archived=all'),
    segments: await get('/api/v1/environments/qa/segments'),
    keys,
    audit,
  };
}

beforeAll(async () => {
  server = await startServer({ env: { FLAGSTAFF_RATE_LIMIT: '0' } });
  const ok = async (method: string, path: string, body?: unknown, headers?: Record<string, string>) => {
    const res = await server.api(method, path, body, headers);
    if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  await ok('POST', '/api/v1/environments', { key: 'qa', name: 'QA' });
  await ok('POST', '/api/v1/environments/qa/segments', { key: 'testers', included: ['t-1'] });
  await ok('POST', '/api/v1/flags', { key: 'checkout', tags: ['payments'], description: 'New checkout' });
  await ok('POST', '/api/v1/flags', { key: 'theme', kind: 'string', variations: ['light', 'dark'], clientSide: true });
  await ok('POST', '/api/v1/flags', { key: 'old-banner' });
  await ok('POST', '/api/v1/flags/old-banner/archive');
  await ok(
    'PATCH',
    '/api/v1/flags/checkout/environments/qa',
    {
      on: true,
      rules: [{ id: 'testers', clauses: [{ attribute: '', op: 'segmentMatch', values: ['testers'] }], serve: { variation: 1 } }],
      fallthrough: { rollout: { bucketBy: 'key', weights: [75000, 25000] } },
    },
    { 'X-Flagstaff-Reason': 'QA starts testing' },
  );
  serverKey = (await createKey(server, { kind: 'server', env: 'qa' })).key;
  const revoked = await createKey(server, { kind: 'client', env: 'qa' });
  await ok('DELETE', `/api/v1/keys/${revoked.id}`);
  revokedKey = revoked.key;
});

afterAll(async () => {
  await server?.stop();
});

describe('restart persistence', () => {
  it.each(['SIGTERM', 'SIGKILL'] as const)('after %s, everything is there as it was, the audit log intact', async (signal) => {
    const before = await everything();
    const snapshot = await (await fetch(`${server.url}/sdk/v1/flags`, { headers: { Authorization: serverKey } })).json();
    expect(before.audit.length).toBeGreaterThan(10);

    if (signal === 'SIGKILL') await server.kill();
    await server.restart();

    expect(await everything()).toEqual(before);
    const res = await fetch(`${server.url}/sdk/v1/flags`, { headers: { Authorization: serverKey } });
    expect(await res.json()).toEqual(snapshot);
    expect((await fetch(`${server.url}/sdk/v1/flags?key=${revokedKey}`)).status).toBe(401);
  });

  it('keeps counting versions from where they were', async () => {
    const state = await server.api('GET', '/api/v1/flags/checkout/environments/qa');
    const next = await server.api(
      'PATCH',
      '/api/v1/flags/checkout/environments/qa',
      { on: false },
      { 'If-Match': state.headers.get('etag')! },
    );
    expect(next.body.version).toBe(state.body.version + 1);
    const latest = (await server.api('GET', '/api/v1/audit?limit=1')).body.entries[0];
    expect(latest).toMatchObject({ action: 'flag_state.update', env: 'qa', before: { on: true }, after: { on: false } });
  });
});

describe('the SQLite file', () => {
  it('is in WAL mode, with every committed migration applied, and keeps only hashes of keys', () => {
    const journal = JSON.parse(readFileSync(new URL('../../server/drizzle/meta/_journal.json', import.meta.url), 'utf8'));
    const db = new Database(server.dbPath, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get()).toEqual({ n: journal.entries.length });
      const hashes = db.prepare('SELECT hash FROM api_keys').all() as Array<{ hash: string }>;
      expect(hashes.length).toBeGreaterThanOrEqual(3);
      for (const { hash } of hashes) expect(hash).toMatch(/^[0-9a-f]{64}$/);
      const everything = JSON.stringify(db.prepare('SELECT * FROM api_keys').all());
      expect(everything).not.toContain(serverKey);
      expect(everything).not.toContain(server.adminToken);
    } finally {
      db.close();
    }
  });
});

describe('the first admin token', () => {
  it('is printed once, on the first start only, and works after a restart', async () => {
    const fresh = await startServer({ env: { FLAGSTAFF_ADMIN_TOKEN: '' } });
    try {
      const token = fresh.adminToken;
      expect(token).toMatch(/^fsa_[\w-]{32}$/);
      expect(fresh.output()).toContain('shown ONCE');
      expect(fresh.output()).toContain('flagstaff keys create --kind admin');
      // The token is in the banner only, never in a log line.
      expect(fresh.logs().some((line) => JSON.stringify(line).includes(token))).toBe(false);

      await fresh.restart();
      expect(fresh.output()).not.toContain('fsa_');
      expect((await fresh.api('GET', '/api/v1/flags')).status).toBe(200);
    } finally {
      await fresh.stop();
    }
  });

  it('is not lost when the first start fails to listen (the port is taken)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flagstaff-port-'));
    const dbPath = join(dir, 'flagstaff.db');
    try {
      const taken = startServer({ dbPath, env: { FLAGSTAFF_ADMIN_TOKEN: '', FLAGSTAFF_PORT: String(server.port) } });
      await expect(taken).rejects.toThrow(/EADDRINUSE/);
      await expect(taken).rejects.toThrow(/already in use .*set FLAGSTAFF_PORT to a free port/);
      const second = await startServer({ dbPath, env: { FLAGSTAFF_ADMIN_TOKEN: '' } });
      try {
        expect(second.output()).toContain('shown ONCE');
        expect((await second.api('GET', '/api/v1/flags')).status).toBe(200);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ignores, with a warning, a FLAGSTAFF_ADMIN_TOKEN that a store with tokens does not know', async () => {
    const stranger = `fsa_${'z9'.repeat(16)}`;
    const other = await startServer({ dbPath: server.dbPath, env: { FLAGSTAFF_ADMIN_TOKEN: stranger } });
    try {
      expect(other.logs().find((l) => l.level === 'warn')?.msg).toMatch(/FLAGSTAFF_ADMIN_TOKEN is ignored/);
      expect((await other.api('GET', '/api/v1/flags')).status).toBe(401);
      expect((await other.api('GET', '/api/v1/flags', undefined, { Authorization: `Bearer ${server.adminToken}` })).status).toBe(200);
    } finally {
      await other.stop();
    }
  });

  it('adopts FLAGSTAFF_ADMIN_TOKEN on an empty store and prints nothing', async () => {
    const token = `fsa_${'a1'.repeat(16)}`;
    const adopted = await startServer({ env: { FLAGSTAFF_ADMIN_TOKEN: token } });
    try {
      expect(adopted.output()).not.toContain('shown ONCE');
      const res = await adopted.api('GET', '/api/v1/keys');
      expect(res.body.keys).toEqual([expect.objectContaining({ kind: 'admin', name: 'bootstrap', scopes: ['admin'] })]);
    } finally {
      await adopted.stop();
    }
  });
});
