// The shared evaluation vectors (test/vectors/README.md) through @flagstaff/node's public API, on flags
// that went the way production flags go: into a real server through its admin API, out to the SDK over the
// stream. Then the same cases from a bootstrap file in offline mode, and through the OpenFeature provider —
// and every flag of every file fed garbage contexts, which must never throw.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, OpenFeature, StandardResolutionReasons, type Client as OpenFeatureClient } from '@openfeature/server-sdk';
import type { Flag, Reason, Segment, Snapshot } from '@flagstaff/core';
import { createClient, type FlagsClient } from '@flagstaff/node';
import { FlagstaffProvider } from '@flagstaff/node/openfeature';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADVERSARIAL_CONTEXTS, ADVERSARIAL_KEYS } from '../../sdk-node/src/testing/adversarial.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { loadVectorFiles, type VectorCase } from '../vectors/load.js';

const ENV = 'production';
const files = loadVectorFiles();
const cases = files.flatMap((file) => file.cases.map((c) => [`${file.file} › ${c.name}`, c] as const));

let server: RunningServer;
let streamed: FlagsClient;
let offline: FlagsClient;

/** Puts a vector snapshot into the server as an operator would: segments, flag definitions, then states. */
async function load(snapshot: Snapshot): Promise<void> {
  const ok = (what: string, res: { status: number; body: unknown }, expected: number) => {
    if (res.status !== expected) throw new Error(`${what}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  };
  for (const segment of Object.values(snapshot.segments) as Segment[]) {
    const { key, included, excluded, rules } = segment;
    ok(`segment ${key}`, await server.api('POST', `/api/v1/environments/${ENV}/segments`, { key, included, excluded, rules }), 201);
  }
  for (const flag of Object.values(snapshot.flags) as Flag[]) {
    const { key, kind, variations, seed, clientSide, on, offVariation, targets, rules, fallthrough } = flag;
    ok(
      `flag ${key}`,
      await server.api('POST', '/api/v1/flags', { key, kind, variations, clientSide, ...(seed === undefined ? {} : { seed }) }),
      201,
    );
    ok(
      `state of ${key}`,
      await server.api('PATCH', `/api/v1/flags/${key}/environments/${ENV}`, { on, offVariation, targets, rules, fallthrough }),
      200,
    );
  }
}

beforeAll(async () => {
  server = await startServer({ env: { FLAGSTAFF_RATE_LIMIT: '0' } });
  for (const file of files) await load(file.snapshot);
  const key = await server.api('POST', '/api/v1/keys', { kind: 'server', env: ENV, name: 'vectors' });
  streamed = createClient({ url: server.url, sdkKey: key.body.key, usage: false });
  expect(await streamed.ready({ timeoutMs: 10_000 })).toMatchObject({ state: 'ready', source: 'server', connection: 'streaming' });

  // The bootstrap file is what `GET /sdk/v1/flags` answered: what an application would save for offline use.
  const saved = await fetch(`${server.url}/sdk/v1/flags`, { headers: { Authorization: key.body.key } });
  const path = join(mkdtempSync(join(tmpdir(), 'flagstaff-vectors-')), 'flags.json');
  writeFileSync(path, await saved.text());
  offline = createClient({ offline: true, bootstrap: path });
  expect(await offline.ready()).toMatchObject({ state: 'ready', source: 'bootstrap', connection: 'offline' });
}, 120_000);

afterAll(async () => {
  await streamed?.close();
  await offline?.close();
  await OpenFeature.clearProviders();
  await server?.stop();
});

function expectCase(flags: FlagsClient, c: VectorCase, source: 'server' | 'bootstrap'): void {
  expect(flags.variationDetail(c.flag, c.context, c.default)).toEqual({
    value: c.expect.value,
    variationIndex: c.expect.variationIndex,
    reason: c.expect.reason,
    source,
  });
  expect(flags.variation(c.flag, c.context, c.default)).toEqual(c.expect.value);
  if (c.call === 'boolean' && c.default === false) expect(flags.isEnabled(c.flag, c.context)).toBe(c.expect.value);
}

describe(`the shared vectors (${files.length} files, ${cases.length} cases) through @flagstaff/node`, () => {
  it('has vectors to run', () => {
    expect(files.length).toBeGreaterThan(0);
    expect(cases.length).toBeGreaterThan(0);
  });

  describe('streamed from a real server', () => {
    it.each(cases)('%s', (_, c) => expectCase(streamed, c, 'server'));
  });

  describe('from a bootstrap file, offline', () => {
    it.each(cases)('%s', (_, c) => expectCase(offline, c, 'bootstrap'));
  });
});

/** The provider's mapping, as OpenFeature users read it (docs/sdk-node.md, "OpenFeature"). */
function openFeatureReason(reason: Reason): string {
  if (reason.kind === 'ERROR') return StandardResolutionReasons.ERROR;
  if (reason.inRollout === true) return StandardResolutionReasons.SPLIT;
  const reasons: Record<string, string> = {
    OFF: StandardResolutionReasons.DISABLED,
    TARGET_MATCH: StandardResolutionReasons.TARGETING_MATCH,
    RULE_MATCH: StandardResolutionReasons.TARGETING_MATCH,
    FALLTHROUGH: StandardResolutionReasons.DEFAULT,
  };
  return reasons[reason.kind]!;
}

const ERROR_CODES: Record<string, ErrorCode> = { FLAG_NOT_FOUND: ErrorCode.FLAG_NOT_FOUND, WRONG_TYPE: ErrorCode.TYPE_MISMATCH };

describe('the shared vectors through the OpenFeature provider', () => {
  let client: OpenFeatureClient;
  beforeAll(async () => {
    await OpenFeature.setProviderAndWait(new FlagstaffProvider(streamed));
    client = OpenFeature.getClient();
  });

  // OpenFeature has no untyped call: the `any` cases have no OpenFeature counterpart.
  const typed = cases.filter(([, c]) => c.call !== 'any');
  it.each(typed)('%s', async (_, c) => {
    const { targetingKey: _ignored, ...attributes } = c.context as Record<string, never>;
    const context = c.context.key === undefined ? attributes : { ...attributes, targetingKey: c.context.key };
    const resolve = {
      boolean: () => client.getBooleanDetails(c.flag, c.default as boolean, context),
      string: () => client.getStringDetails(c.flag, c.default as string, context),
      number: () => client.getNumberDetails(c.flag, c.default as number, context),
      json: () => client.getObjectDetails(c.flag, c.default as never, context),
    }[c.call as 'boolean' | 'string' | 'number' | 'json'];
    const details = await resolve();
    expect(details.value).toEqual(c.expect.value);
    expect(details.variant).toBe(c.expect.variationIndex === null ? undefined : String(c.expect.variationIndex));
    expect(details.reason).toBe(openFeatureReason(c.expect.reason));
    expect(details.errorCode).toBe(c.expect.reason.kind === 'ERROR' ? ERROR_CODES[c.expect.reason.errorKind!] : undefined);
    if (c.expect.reason.ruleId !== undefined) expect(details.flagMetadata.ruleId).toBe(c.expect.reason.ruleId);
  });
});

describe('garbage and adversarial input against the real flags', () => {
  const flagKeys = files.flatMap((file) => Object.keys(file.snapshot.flags));

  it.each(ADVERSARIAL_CONTEXTS)('never throws with %s as the context, on any flag', (_, context) => {
    const ctx = context as never;
    for (const key of [...flagKeys, ...(ADVERSARIAL_KEYS as string[])]) {
      expect(typeof streamed.isEnabled(key, ctx)).toBe('boolean');
      for (const fallback of [false, 'd', 0, { d: 1 }, null]) {
        const detail = streamed.variationDetail(key, ctx, fallback);
        expect(['OFF', 'TARGET_MATCH', 'RULE_MATCH', 'FALLTHROUGH', 'ERROR']).toContain(detail.reason.kind);
        if (detail.reason.kind === 'ERROR') expect(detail.value).toBe(fallback);
      }
    }
    expect(Object.keys(streamed.allFlags(ctx)).sort()).toEqual([...flagKeys].sort());
    expect(streamed.status().state).toBe('ready');
  });
});
