// The ReDoS corpus (corpus.ts) against a real server: every pattern refused by the admin API with 400, its
// field path and why, or stored and then evaluated over OFREP — with the public client key for client-side
// flags — on contexts up to 100 KB while /healthz keeps answering; segments that client-side flags send to
// browsers; and kill-rule `=~` matchers under an Alertmanager-shaped webhook.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertmanagerBody, amAlert } from '../../server/src/alerts/testing/payloads.js';
import { createKey, startServer, type RunningServer } from '../helpers/server.js';
import { attack, CORPUS, type HostilePattern } from './corpus.js';

const ENV = 'production';
/** What a hostile request may cost the event loop before /healthz, queued behind it, notices. */
const RESPONSIVE_MS = 250;

let server: RunningServer;
let serverKey: string;
let clientKey: string;
let hook: { url: string; secret: string };

const rules = (pattern: string) => [
  { id: 'r', clauses: [{ attribute: 'bio', op: 'matches', values: [pattern] }], serve: { variation: 1 } },
];
const setRules = (flag: string, body: unknown[]) =>
  server.api('PATCH', `/api/v1/flags/${flag}/environments/${ENV}`, { on: true, rules: body, fallthrough: { variation: 0 } });

function ofrep(flag: string, bio: string, key: string) {
  return server.api(
    'POST',
    `/ofrep/v1/evaluate/flags/${flag}`,
    { context: { targetingKey: 'u1', bio } },
    { Authorization: `Bearer ${key}` },
  );
}

/** Runs `hostile` while timing /healthz requests sent one after another until it settles. */
async function whileHealthz<T>(hostile: () => Promise<T>): Promise<{ result: T; slowestHealthzMs: number }> {
  let done = false;
  let slowest = 0;
  const probe = (async () => {
    while (!done) {
      const start = performance.now();
      const res = await fetch(`${server.url}/healthz`);
      expect(res.status).toBe(200);
      slowest = Math.max(slowest, performance.now() - start);
    }
  })();
  const result = await hostile().finally(() => (done = true));
  await probe;
  return { result, slowestHealthzMs: slowest };
}

beforeAll(async () => {
  server = await startServer({ env: { FLAGSTAFF_RATE_LIMIT: '0' } });
  serverKey = (await createKey(server, { kind: 'server', env: ENV })).key;
  clientKey = (await createKey(server, { kind: 'client', env: ENV })).key;
  expect((await server.api('POST', '/api/v1/flags', { key: 'redos-server' })).status).toBe(201);
  expect((await server.api('POST', '/api/v1/flags', { key: 'redos-client', clientSide: true })).status).toBe(201);
  expect((await server.api('POST', '/api/v1/flags', { key: 'killable' })).status).toBe(201);
  const created = await server.api('POST', `/api/v1/environments/${ENV}/hooks`, { provider: 'alertmanager' });
  expect(created.status).toBe(201);
  hook = created.body;
});

afterAll(() => server?.stop());

const refusedForServers = (e: HostilePattern) => e.family === 'backreference' || e.family === 'lookaround';

describe('write time: the admin API refuses with 400, the field path and why', () => {
  it.each(CORPUS.map((e) => [e.pattern, e] as const))('%s', async (_, entry) => {
    const asServer = await setRules('redos-server', rules(entry.pattern));
    if (refusedForServers(entry)) {
      expect(asServer.status).toBe(400);
      expect(asServer.body.error.code).toBe('validation_failed');
      expect(asServer.body.error.details.issues).toEqual([
        { path: 'rules[0].clauses[0].values[0]', message: expect.stringMatching(/backreferences and lookaround/) },
      ]);
    } else if (asServer.status !== 200) {
      expect(asServer.status).toBe(400);
      expect(asServer.body.error.details.issues).toEqual([
        { path: 'rules[0].clauses[0].values[0]', message: expect.stringMatching(/nested quantifiers|too large/) },
      ]);
    }
    const asClient = await setRules('redos-client', rules(entry.pattern));
    if (entry.family === 'benign') {
      expect(asClient.status).toBe(200);
    } else {
      expect(asClient.status).toBe(400);
      // What no flag may hold is refused in the same words; the rest for browsers' sake.
      const why =
        asServer.status === 200
          ? /^not allowed in a client-side flag, which browsers evaluate: /
          : /nested quantifiers|too large|backreferences/;
      expect(asClient.body.error.details.issues).toEqual([{ path: 'rules[0].clauses[0].values[0]', message: expect.stringMatching(why) }]);
    }
  });

  it('refuses a client-side flag naming a segment whose pattern browsers cannot run, and the segment change that would add one', async () => {
    const hostile = { key: 'hostile-bios', rules: [{ clauses: [{ attribute: 'bio', op: 'matches', values: ['^(a|aa)+$'] }] }] };
    expect((await server.api('POST', `/api/v1/environments/${ENV}/segments`, hostile)).status).toBe(201); // no browser sees it yet
    const naming = await setRules('redos-client', [
      { id: 's', clauses: [{ attribute: '', op: 'segmentMatch', values: ['hostile-bios'] }], serve: { variation: 1 } },
    ]);
    expect(naming.status).toBe(400);
    expect(naming.body.error.details.issues).toEqual([
      {
        path: 'rules[0].clauses[0].values[0]',
        message: expect.stringMatching(/segment "hostile-bios" goes to browsers.*its rules\[0\]\.clauses\[0\]\.values\[0\].*exponential/),
      },
    ]);

    const benign = { key: 'fine-bios', rules: [{ clauses: [{ attribute: 'bio', op: 'matches', values: ['^needle'] }] }] };
    expect((await server.api('POST', `/api/v1/environments/${ENV}/segments`, benign)).status).toBe(201);
    expect(
      (
        await setRules('redos-client', [
          { id: 's', clauses: [{ attribute: '', op: 'segmentMatch', values: ['fine-bios'] }], serve: { variation: 1 } },
        ])
      ).status,
    ).toBe(200);
    const worse = await server.api(
      'PUT',
      `/api/v1/environments/${ENV}/segments/fine-bios`,
      { rules: hostile.rules },
      { 'If-Match': '"1"' },
    );
    expect(worse.status).toBe(400);
    expect(worse.body.error.details.issues).toEqual([
      {
        path: 'rules[0].clauses[0].values[0]',
        message: expect.stringMatching(/exponential.*client-side flag "redos-client" names this segment/),
      },
    ]);
    expect((await server.api('GET', `/api/v1/environments/${ENV}/segments/fine-bios`)).body.rules).toEqual(benign.rules);
  });

  it('refuses making a flag client-side while one of its patterns is not fit for browsers', async () => {
    expect((await setRules('redos-server', rules('^(a|aa)+$'))).status).toBe(200);
    const res = await server.api('PATCH', '/api/v1/flags/redos-server', { clientSide: true });
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues).toEqual([
      { path: `environments.${ENV}.rules[0].clauses[0].values[0]`, message: expect.stringMatching(/exponential/) },
    ]);
  });
});

describe('evaluation: OFREP answers hostile contexts without blocking the server', () => {
  it.each([39, 1024, 100 * 1024])('a server-side flag holding ^(a|aa)+$, a %i-character context (server key)', async (size) => {
    expect((await setRules('redos-server', rules('^(a|aa)+$'))).status).toBe(200);
    const bio = attack(CORPUS[0]!, size);
    const { result, slowestHealthzMs } = await whileHealthz(() =>
      Promise.all(Array.from({ length: 8 }, () => ofrep('redos-server', bio, serverKey))),
    );
    for (const res of result) expect(res).toMatchObject({ status: 200, body: { value: false, reason: 'DEFAULT' } });
    if (size > 1024) expect(result[0]!.body.metadata.valueTooLong).toBe(true);
    expect(slowestHealthzMs).toBeLessThan(RESPONSIVE_MS);
  });

  it.each(CORPUS.filter((e) => e.family === 'benign').map((e) => [e.pattern, e] as const))(
    'the client-side flag holding %s, with the public client key, up to 100 KB',
    async (_, entry) => {
      expect((await setRules('redos-client', rules(entry.pattern))).status).toBe(200);
      const { result, slowestHealthzMs } = await whileHealthz(() =>
        Promise.all([64, 1024, 1025, 100 * 1024].map((size) => ofrep('redos-client', attack(entry, size), clientKey))),
      );
      for (const res of result) expect(res.status).toBe(200);
      expect(slowestHealthzMs).toBeLessThan(RESPONSIVE_MS);
    },
  );
});

describe('kill rules: =~ matchers run on RE2 under an Alertmanager webhook', () => {
  it('refuses a backreference with 400 at matchers[0].value', async () => {
    const res = await server.api('POST', `/api/v1/environments/${ENV}/kill-rules`, {
      alert: 'Hostile',
      matchers: [{ label: 'team', op: '=~', value: '(a+)\\1' }],
      flag: 'killable',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues).toEqual([
      { path: 'matchers[0].value', message: expect.stringMatching(/not a regular expression \(RE2 syntax/) },
    ]);
  });

  it('answers a notification whose labels attack (a|aa)+ at once, /healthz still answering, and still kills on a match', async () => {
    const rule = await server.api('POST', `/api/v1/environments/${ENV}/kill-rules`, {
      alert: 'Hostile',
      matchers: [{ label: 'team', op: '=~', value: '(a|aa)+' }],
      flag: 'killable',
    });
    expect(rule.status).toBe(201);
    expect((await server.api('PATCH', `/api/v1/flags/killable/environments/${ENV}`, { on: true })).status).toBe(200);
    const hostile = alertmanagerBody(
      [40, 1024, 100 * 1024].map((size) =>
        amAlert({ status: 'firing', labels: { alertname: 'Hostile', team: `${'a'.repeat(size - 1)}!` } }),
      ),
    );
    const post = (body: unknown) =>
      fetch(hook.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${hook.secret}` },
        body: JSON.stringify(body),
      });
    const { result, slowestHealthzMs } = await whileHealthz(() => post(hostile));
    expect(result.status).toBe(200);
    expect(slowestHealthzMs).toBeLessThan(RESPONSIVE_MS);
    expect((await server.api('GET', `/api/v1/flags/killable/environments/${ENV}`)).body.on).toBe(true);

    const matching = await post(alertmanagerBody([amAlert({ status: 'firing', labels: { alertname: 'Hostile', team: 'aaaa' } })]));
    expect(matching.status).toBe(200);
    expect((await server.api('GET', `/api/v1/flags/killable/environments/${ENV}`)).body.on).toBe(false);
  });
});
