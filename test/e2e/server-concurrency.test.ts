// Two people change one flag at the same moment, both based on the version they read: exactly one
// change lands, the other gets 409 with the version to re-read — never a silent overwrite. Also across
// two server processes sharing one SQLite file (scale-out.md), where SQLite's locking decides.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server.js';

const STATE = '/api/v1/flags/checkout/environments/production';
const ROUNDS = 20;
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ env: { FLAGSTAFF_RATE_LIMIT: '0' } });
  expect((await server.api('POST', '/api/v1/flags', { key: 'checkout' })).status).toBe(201);
});

afterAll(async () => {
  await server?.stop();
});

async function auditCount(): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const page: { entries: unknown[]; nextCursor: string | null } = (
      await server.api('GET', `/api/v1/audit?flag=checkout&env=production&limit=200${cursor ? `&cursor=${cursor}` : ''}`)
    ).body;
    count += page.entries.length;
    cursor = page.nextCursor;
  } while (cursor);
  return count;
}

describe('two concurrent writers on one flag', () => {
  it.each([
    [
      'PATCH',
      (i: number) => ({ targets: [{ variation: 1, values: [`alice-${i}`] }] }),
      (i: number) => ({ targets: [{ variation: 1, values: [`bob-${i}`] }] }),
    ],
    [
      'PUT',
      (i: number) => ({
        on: true,
        offVariation: 0,
        targets: [{ variation: 1, values: [`alice-${i}`] }],
        rules: [],
        fallthrough: { variation: 1 },
      }),
      (i: number) => ({
        on: false,
        offVariation: 0,
        targets: [{ variation: 0, values: [`bob-${i}`] }],
        rules: [],
        fallthrough: { variation: 0 },
      }),
    ],
  ] as const)('%s: exactly one wins each round, the other gets 409 with the current version', async (method, alice, bob) => {
    const auditBefore = await auditCount();
    for (let round = 0; round < ROUNDS; round++) {
      const read = await server.api('GET', STATE);
      const etag = read.headers.get('etag')!;
      const [a, b] = await Promise.all([
        server.api(method, STATE, alice(round), { 'If-Match': etag }),
        server.api(method, STATE, bob(round), { 'If-Match': etag }),
      ]);
      const statuses = [a.status, b.status].sort();
      expect(statuses).toEqual([200, 409]);
      const [winner, loser, winnerBody] = a.status === 200 ? [a, b, alice(round)] : [b, a, bob(round)];
      expect(winner.body.version).toBe(read.body.version + 1);
      expect(winner.headers.get('etag')).toBe(`"${read.body.version + 1}"`);
      expect(loser.body.error).toMatchObject({ code: 'version_conflict', details: { currentVersion: read.body.version + 1 } });
      // What is stored is the winner's change, whole.
      const stored = await server.api('GET', STATE);
      expect(stored.body).toMatchObject({ version: read.body.version + 1, targets: winnerBody.targets });
    }
    // One audit entry per round: the refused write left none.
    expect((await auditCount()) - auditBefore).toBe(ROUNDS);
  });

  it('lets the loser succeed after re-reading the version from the 409', async () => {
    const etag = (await server.api('GET', STATE)).headers.get('etag')!;
    const first = await server.api('PATCH', STATE, { targets: [{ variation: 1, values: ['erin'] }] }, { 'If-Match': etag });
    const stale = await server.api('PATCH', STATE, { targets: [{ variation: 0, values: ['erin'] }] }, { 'If-Match': etag });
    expect([first.status, stale.status]).toEqual([200, 409]);
    const retry = await server.api(
      'PATCH',
      STATE,
      { targets: [{ variation: 0, values: ['erin'] }] },
      { 'If-Match': String(stale.body.error.details.currentVersion) },
    );
    expect(retry.status).toBe(200);
    expect(retry.body.targets).toEqual([{ variation: 0, values: ['erin'] }]);
  });

  it('bumps the environment version once per winning write, in the SDK snapshot too', async () => {
    const env = async () => (await server.api('GET', '/api/v1/environments/production')).body.version;
    const before = await env();
    const etag = (await server.api('GET', STATE)).headers.get('etag')!;
    await Promise.all(
      [1, 2, 3].map((n) => server.api('PATCH', STATE, { targets: [{ variation: 1, values: [`carol-${n}`] }] }, { 'If-Match': etag })),
    );
    expect(await env()).toBe(before + 1);
  });

  it('serialises writers that send no If-Match: every write lands, one version each', async () => {
    const before = (await server.api('GET', STATE)).body.version;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, n) => server.api('PATCH', STATE, { targets: [{ variation: 1, values: [`dave-${n}`] }] })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(results.map((r) => r.body.version).sort((x, y) => x - y)).toEqual(Array.from({ length: 10 }, (_, n) => before + n + 1));
  });
});

describe('two server processes sharing one SQLite file', () => {
  it('give exactly one winner and one 409 per round, never a 500', async () => {
    const other = await startServer({
      dbPath: server.dbPath,
      env: { FLAGSTAFF_RATE_LIMIT: '0', FLAGSTAFF_ADMIN_TOKEN: server.adminToken },
    });
    try {
      const outcomes: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const version = (await server.api('GET', STATE)).body.version;
        const results = await Promise.all(
          [server, other].map((instance, n) =>
            instance.api(
              'PATCH',
              STATE,
              { targets: [{ variation: 1, values: [`instance-${n}-${round}`] }] },
              { 'If-Match': String(version) },
            ),
          ),
        );
        outcomes.push(
          results
            .map((r) => `${r.status} ${r.body.error?.code ?? ''}`.trim())
            .sort()
            .join(' / '),
        );
      }
      expect(outcomes).toEqual(Array(ROUNDS).fill('200 / 409 version_conflict'));
    } finally {
      await other.stop();
    }
  });
});
