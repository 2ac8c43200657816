// `flagstaff audit` against a real server: what the CHANGE column says for entries that are not a change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerCli, startServerCli } from '../testing/server.js';

let harness: ServerCli;

beforeAll(async () => {
  harness = await startServerCli();
});

afterAll(async () => {
  await harness?.stop();
});

describe('audit', () => {
  it('shows a refused webhook request as "rejected STATUS: why", and a created hook as created', async () => {
    const created = await harness.cli(['hooks', 'create', '--provider', 'generic', '--env', 'staging', '--json']);
    expect(created.code, created.err).toBe(0);
    const { url } = JSON.parse(created.out) as { url: string };
    const refused = await fetch(url, {
      method: 'POST',
      headers: { authorization: 'Bearer fsh_wrong', 'content-type': 'application/json' },
      body: JSON.stringify({ alerts: [] }),
    });
    expect(refused.status).toBe(401);

    const result = await harness.cli(['audit', '--action', 'hook.*']);
    expect(result.code, result.err).toBe(0);
    const rows = result.out.trimEnd().split('\n').slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/hook\.rejected .* rejected 401: wrong hook secret\s*$/);
    expect(rows[0]).not.toContain('created');
    expect(rows[1]).toMatch(/hook\.create .* created\s*$/);
  });
});
