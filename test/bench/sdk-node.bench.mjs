// Budgets (DESIGN.md): `isEnabled` through the Node SDK, median — ≤ 25 ns on a flag that is simply on,
// ≤ 150 ns on a flag with 2 rules + a rollout. Measures the client as applications run it (streaming from
// a local stand-in server, usage counting on), beside core's own fast path and the client with usage off,
// so that what the SDK adds over core is visible.
//
//   npx tsc -b sdk-node && node test/bench/sdk-node.bench.mjs [--batches 21] [--calls 200000]
import { once } from 'node:events';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { isEnabled as coreIsEnabled, prepareSnapshot } from '@flagstaff/core/evaluate';
import { createClient } from '@flagstaff/node';

const { values } = parseArgs({ options: { batches: { type: 'string', default: '21' }, calls: { type: 'string', default: '200000' } } });
const BATCHES = Number(values.batches);
const CALLS = Number(values.calls);

const flag = (key, state) => ({
  key, version: 1, kind: 'boolean', variations: [false, true], offVariation: 0, targets: [], rules: [], clientSide: false, ...state,
});
// The DESIGN.md example flag: two rules (the second a 50/50 rollout) and a 75/25 fallthrough rollout.
const snapshot = {
  version: 1,
  segments: {},
  flags: {
    'simply-on': flag('simply-on', { on: true, fallthrough: { variation: 1 } }),
    'two-rules-rollout': flag('two-rules-rollout', {
      on: true,
      rules: [
        { id: 'africa', clauses: [{ attribute: 'country', op: 'in', values: ['ZA', 'NG', 'KE'] }], serve: { variation: 1 } },
        { id: 'staff', clauses: [{ attribute: 'email', op: 'endsWith', values: ['@example.com'] }], serve: { rollout: { bucketBy: 'key', weights: [50000, 50000] } } },
      ],
      fallthrough: { rollout: { bucketBy: 'key', weights: [75000, 25000] } },
    }),
  },
};
// Contexts that miss both rules, so every call walks both and buckets: the flag's slowest path.
const contexts = Array.from({ length: 1024 }, (_, i) => ({ key: `user-${i}`, country: 'US', email: `user-${i}@corp.test` }));

/** A stand-in for the server: one put on the stream, then an idle connection; usage reports accepted. */
async function standInServer() {
  const server = createServer((req, res) => {
    if (req.url === '/sdk/v1/stream') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write(`event: put\nid: 1\ndata: ${JSON.stringify(snapshot)}\n\n`);
      return;
    }
    req.resume();
    res.writeHead(req.url === '/sdk/v1/usage' ? 202 : 404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/** Median ns per call over BATCHES batches of CALLS calls, after a warm-up batch. */
function measure(evaluateOnce) {
  let sink = 0;
  const batch = () => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < CALLS; i++) if (evaluateOnce(contexts[i & 1023])) sink++;
    return Number(process.hrtime.bigint() - started) / CALLS;
  };
  batch();
  const results = Array.from({ length: BATCHES }, batch).sort((a, b) => a - b);
  if (sink < 0) console.log(sink);
  return results[Math.floor(BATCHES / 2)];
}

const server = await standInServer();
const url = `http://127.0.0.1:${server.address().port}`;
const withUsage = createClient({ url, sdkKey: 'fss_bench', usage: { intervalMs: 1_000 } });
const withoutUsage = createClient({ url, sdkKey: 'fss_bench', usage: false });
for (const client of [withUsage, withoutUsage]) {
  const status = await client.ready({ timeoutMs: 5_000 });
  if (status.state !== 'ready') throw new Error(`the client is not ready: ${JSON.stringify(status)}`);
}
const prepared = prepareSnapshot(snapshot);

const rows = [];
for (const [key, budget] of [['simply-on', 25], ['two-rules-rollout', 150]]) {
  const core = measure((context) => coreIsEnabled(prepared, key, context));
  const sdk = measure((context) => withUsage.isEnabled(key, context));
  const sdkNoUsage = measure((context) => withoutUsage.isEnabled(key, context));
  rows.push({ flag: key, 'core isEnabled (ns)': core, 'SDK isEnabled (ns)': sdk, 'SDK, usage off (ns)': sdkNoUsage, 'budget (ns)': budget, verdict: sdk <= budget ? 'within' : 'OVER' });
}

console.log(`@flagstaff/node isEnabled, median of ${BATCHES} batches × ${CALLS} calls (node ${process.version})`);
console.table(rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' && !k.startsWith('budget') ? Number(v.toFixed(1)) : v]))));

await withUsage.close();
await withoutUsage.close();
server.closeAllConnections();
server.close();
process.exitCode = rows.every((r) => r.verdict === 'within') ? 0 : 1;
