// Budgets (DESIGN.md): `isEnabled` through the Node SDK, median — ≤ 25 ns on a flag that is simply on,
// ≤ 150 ns on a flag with 2 rules + a rollout. Measures the client as applications run it (streaming from
// a local stand-in server, usage counting on), beside the client with usage off and core's own isEnabled,
// so that what the SDK adds over core is visible. Figures are CPU time per call (process.cpuUsage), with the
// wall clock beside: on a shared machine the wall clock also counts other processes' turns on the CPU.
// Output follows test/bench/run.mjs: one figure a line, with its budget and verdict, then the figures as
// one JSON line; exit 1 when OVER.
//
//   npx tsc -b sdk-node && node test/bench/sdk-node.bench.mjs [--batches 21] [--batch-ms 50]
import { once } from 'node:events';
import { createServer } from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { isEnabled as coreIsEnabled, prepareSnapshot } from '@flagstaff/core/evaluate';
import { createClient } from '@flagstaff/node';

const { values } = parseArgs({ options: { batches: { type: 'string', default: '21' }, 'batch-ms': { type: 'string', default: '50' } } });
const BATCHES = Number(values.batches);
/**
 * How long one batch lasts, about: each variant makes as many calls as fill it. Batches of a few
 * milliseconds measure the CPU clock's granularity and the JIT's background threads (process.cpuUsage
 * counts every thread of the process) more than the SDK.
 */
const BATCH_MS = Number(values['batch-ms']);

const flag = (key, state) => ({
  key,
  version: 1,
  kind: 'boolean',
  variations: [false, true],
  offVariation: 0,
  targets: [],
  rules: [],
  clientSide: false,
  ...state,
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
        {
          id: 'staff',
          clauses: [{ attribute: 'email', op: 'endsWith', values: ['@example.com'] }],
          serve: { rollout: { bucketBy: 'key', weights: [50000, 50000] } },
        },
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

/**
 * A batch runner of its own for one variant: a separately compiled loop (unique source, hence its own type
 * feedback), so that its call is monomorphic and can be inlined, as at an application's call site. One
 * shared loop would see every variant at one call site and measure V8's megamorphic calls instead.
 * Each batch returns ns per call of this process's CPU time, and of wall-clock time: on a machine shared
 * with other work the wall clock also counts the time others held the CPU (on an idle one they agree).
 */
function batchRunner(name, evaluateOnce) {
  const loop = new Function(
    'evaluateOnce',
    'contexts',
    'calls',
    `// ${name}
    let hits = 0;
    for (let i = 0; i < calls; i++) if (evaluateOnce(contexts[i & 1023])) hits++;
    return hits;`,
  );
  // Calibration: 100,000 calls to start the JIT, 100,000 timed, then the calls that fill BATCH_MS.
  loop(evaluateOnce, contexts, 100_000);
  const started = performance.now();
  loop(evaluateOnce, contexts, 100_000);
  const calls = Math.max(1_000, Math.round((BATCH_MS * 100_000) / Math.max(performance.now() - started, 0.01)));
  return () => {
    const cpuBefore = process.cpuUsage();
    const started = process.hrtime.bigint();
    const hits = loop(evaluateOnce, contexts, calls);
    const wall = Number(process.hrtime.bigint() - started) / calls;
    const cpu = process.cpuUsage(cpuBefore);
    if (hits < 0) console.log(hits); // keeps the loop's result alive
    return { cpu: ((cpu.user + cpu.system) * 1_000) / calls, wall };
  };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Each variant's median ns per call (CPU and wall clock) over BATCHES rounds, after a warm-up round. The
 * variants take turns batch by batch, in a rotating order, so that load from elsewhere falls on all alike.
 */
function measure(scenario, variants) {
  const names = Object.keys(variants);
  const runners = Object.fromEntries(names.map((name) => [name, batchRunner(`${scenario}, ${name}`, variants[name])]));
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  for (const name of names) runners[name]();
  for (let round = 0; round < BATCHES; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(round + i) % names.length];
      samples[name].push(runners[name]());
    }
  }
  return Object.fromEntries(
    names.map((name) => [name, { cpu: median(samples[name].map((s) => s.cpu)), wall: median(samples[name].map((s) => s.wall)) }]),
  );
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

const lines = [];
/** The same figures for scripts (test/bench/guard.mjs), as eval.bench.mjs prints them. */
const results = [];
let allWithin = true;
/** One figure per line, as test/bench/run.mjs asks: what, median CPU ns (wall clock beside), budget, verdict. */
const line = (what, { cpu, wall }, budget) => {
  const verdict = budget === undefined ? 'no budget' : cpu <= budget ? 'ok' : 'OVER';
  if (verdict === 'OVER') allWithin = false;
  results.push({
    name: what.trim(),
    medianNs: Number(cpu.toFixed(1)),
    wallMedianNs: Number(wall.toFixed(1)),
    budgetNs: budget ?? null,
    verdict,
  });
  lines.push(
    `${what.padEnd(44)} median ${cpu.toFixed(1).padStart(6)} ns/eval (wall clock ${wall.toFixed(1).padStart(6)})   ` +
      (budget === undefined ? verdict : `budget ≤ ${budget} ns   ${verdict}`),
  );
};
for (const [key, label, budget] of [
  ['simply-on', 'simply-on flag', 25],
  ['two-rules-rollout', '2 rules + rollout', 150],
]) {
  const m = measure(key, {
    core: (context) => coreIsEnabled(prepared, key, context),
    sdk: (context) => withUsage.isEnabled(key, context),
    sdkNoUsage: (context) => withoutUsage.isEnabled(key, context),
  });
  line(`SDK isEnabled, ${label}`, m.sdk, budget);
  line(`  SDK isEnabled, usage off, ${label}`, m.sdkNoUsage);
  line(`  core isEnabled, ${label}`, m.core);
}

console.log(
  `@flagstaff/node: ${BATCHES} batches of ~${BATCH_MS} ms, variants interleaved, CPU time per call (node ${process.version}, load ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores)`,
);
for (const text of lines) console.log(text);
console.log(JSON.stringify({ bench: 'sdk-node', results }));

await withUsage.close();
await withoutUsage.close();
server.closeAllConnections();
server.close();
process.exitCode = allWithin ? 0 : 1;
