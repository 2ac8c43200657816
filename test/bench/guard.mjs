// `npm run bench:guard` (CI, .ci/run): the evaluation hot path checked on every change, so that the V8
// idioms in core's evaluator are protected by a failing check and not only by a comment. It runs shortened
// forms of eval.bench.mjs (core's isEnabled) and sdk-node.bench.mjs (the Node SDK's isEnabled), and fails
// only when a budgeted median exceeds TWICE its DESIGN.md budget: a margin no load on a shared 2-core
// machine produces, and that a real regression (an allocation per call, a megamorphic call site) crosses.
// The budgets themselves are judged by `npm run bench` on a quiet machine.
//
// Noise only ever slows a run down, so each figure is the best of up to RUNS runs (each its own process,
// with its own JIT decisions; each figure in it is already the median of several rounds): a run with every
// figure within its budget ends the guard early; otherwise it runs again, and fails only when a figure is
// past its threshold in every run.
//
//   npx tsc -b && node test/bench/guard.mjs [--runs 3]
// (Not a *.bench.mjs: `npm run bench` does not run it.)
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const RUNS = Number(values.runs);
const MARGIN = 2;
/** Each bench, shortened: ~2–3 s a run on the 2-core machine. */
const BENCHES = [
  { file: 'eval.bench.mjs', args: ['--rounds', '7', '--round-ms', '30'] },
  { file: 'sdk-node.bench.mjs', args: ['--batches', '7', '--batch-ms', '30'] },
];

/** A bench's JSON result line (its last line starting with `{"bench"`); rejects when there is none. */
function runBench({ file, args }) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL(file, import.meta.url)), ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const line = out.split('\n').findLast((l) => l.startsWith('{"bench"'));
      if (line === undefined) reject(new Error(`${file} printed no results (exit ${code ?? signal}):\n${out}`));
      else resolve(JSON.parse(line));
    });
  });
}

/** Best (lowest) median so far of every budgeted figure, by `bench: name`. */
const best = new Map();
for (let run = 1; run <= RUNS; run++) {
  for (const bench of BENCHES) {
    const { bench: name, results } = await runBench(bench);
    for (const r of results.filter((r) => r.budgetNs !== null)) {
      const key = `${name}: ${r.name}`;
      const held = best.get(key);
      if (held === undefined || r.medianNs < held.medianNs) best.set(key, { ...r, run });
    }
  }
  if ([...best.values()].every((r) => r.medianNs <= r.budgetNs)) break;
}

console.log(`bench guard: evaluation medians, CPU ns per call, best of up to ${RUNS} runs; fails past ${MARGIN}× the DESIGN.md budget`);
let failed = false;
for (const [key, r] of best) {
  const threshold = r.budgetNs * MARGIN;
  const verdict = r.medianNs <= r.budgetNs ? 'ok' : r.medianNs <= threshold ? 'over budget, within the guard' : 'FAIL';
  if (verdict === 'FAIL') failed = true;
  console.log(
    `  ${key.padEnd(44)} ${r.medianNs.toFixed(1).padStart(6)} ns (run ${r.run})   budget ≤ ${String(r.budgetNs).padStart(3)} ns   guard ≤ ${String(threshold).padStart(3)} ns   ${verdict}`,
  );
}
if (failed) {
  console.error(
    'bench guard: evaluation takes more than twice its budget. Was an idiom of core/src/evaluate.ts or prepare.ts "tidied" (their comments say why each is there)? Measure with `npm run bench -- eval sdk-node`.',
  );
}
process.exitCode = failed ? 1 : 0;
