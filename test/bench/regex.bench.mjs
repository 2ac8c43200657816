// Budget (DESIGN.md): any accepted `matches` pattern or label matcher, any input — linear time, ≤ 1 ms on a
// 100 KB input. Runs the ReDoS corpus (test/redos/corpus.json) at input sizes up to 100 KB through:
// - evaluate() on servers and the Node SDK (RE2, values past MAX_TESTED_LENGTH untested), every pattern
//   RE2 compiles, accepted at write time or not (a pattern stored before validation refused it costs the same);
// - V8's backtracking RegExp (`su`, as browsers compile) for the patterns client-side flags may hold;
// - kill-rule `=~` matchers (RE2, anchored) on label values of those sizes.
// Each figure is the median of ROUNDS timed runs after a warm-up (a process's first evaluations run re2js
// unoptimised, several times slower); the worst case of each engine is printed beside the budget, and the
// exit code says whether every case met it.
//
//   npx tsc -b && node test/bench/regex.bench.mjs [--rounds 21]
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { evaluate, MAX_TESTED_LENGTH, prepareSnapshot, validateFlag } from '@flagstaff/core';
import { compileMatcher } from '../../server/dist/alerts/matchers.js';
import { clientPatternProblem } from '../../server/dist/client-patterns.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '21' } } });
const ROUNDS = Number(values.rounds);
const BUDGET_MS = 1;
const SIZES = [64, 1024, 1025, 10 * 1024, 100 * 1024];

const corpus = JSON.parse(readFileSync(new URL('../redos/corpus.json', import.meta.url), 'utf8'));
const attack = ({ pump, suffix }, size) =>
  pump.repeat(Math.ceil(Math.max(0, size - suffix.length) / pump.length)).slice(0, size - suffix.length) + suffix;

/** The median of ROUNDS runs after WARM_UP: the JIT's steady state, as a long-running server sees it. */
const WARM_UP = 20;
function median(run) {
  for (let i = 0; i < WARM_UP; i++) run();
  const times = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[ROUNDS >> 1];
}

const flag = (pattern, clientSide) => ({
  key: 'redos',
  version: 1,
  kind: 'boolean',
  on: true,
  variations: [false, true],
  offVariation: 0,
  targets: [],
  rules: [{ id: 'r', clauses: [{ attribute: 'bio', op: 'matches', values: [pattern] }], serve: { variation: 1 } }],
  fallthrough: { variation: 0 },
  clientSide,
});

/** Each engine's slowest case: [ms, pattern, size, note]. */
const worst = { server: [0], browser: [0], matcher: [0], rawBrowser: [0] };
const note = (engine, ms, pattern, size, why) => {
  if (ms > worst[engine][0]) worst[engine] = [ms, pattern, size, why];
};

for (const entry of corpus) {
  const accepted = validateFlag(flag(entry.pattern, false)).ok;
  const state = prepareSnapshot({ version: 1, flags: { redos: flag(entry.pattern, false) }, segments: {} });
  const browserSafe = clientPatternProblem(entry.pattern) === null;
  const native = browserSafe ? new RegExp(entry.pattern, 'su') : null;
  let matcher = null;
  try {
    matcher = compileMatcher({ label: 'team', op: '=~', value: entry.pattern });
  } catch {} // RE2 cannot compile it: refused at write time
  for (const size of SIZES) {
    const text = attack(entry, size);
    const context = { key: 'u', bio: text };
    note(
      'server',
      median(() => evaluate(state, 'redos', context, false)),
      entry.pattern,
      size,
      accepted ? 'accepted' : 'refused at write time, stored anyway',
    );
    // Browsers evaluate values up to MAX_TESTED_LENGTH; past it, the raw engine's figure is for context.
    if (native)
      note(
        size <= MAX_TESTED_LENGTH ? 'browser' : 'rawBrowser',
        median(() => native.test(text)),
        entry.pattern,
        size,
        'client-side',
      );
    if (matcher) {
      const labels = { team: text };
      note(
        'matcher',
        median(() => matcher(labels)),
        entry.pattern,
        size,
        '=~',
      );
    }
  }
}

const fmt = (ms) => (ms < 0.01 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(3)} ms`);
const NAMES = {
  server: 'matches, server / Node SDK (RE2)',
  browser: 'matches, browser subset (V8 RegExp)',
  matcher: 'kill-rule =~ matcher (RE2)',
  rawBrowser: 'V8 RegExp on the subset, past the bound',
};
console.log(
  `${corpus.length} patterns × ${SIZES.length} sizes up to ${SIZES.at(-1) / 1024} KB; values past ${MAX_TESTED_LENGTH} characters untested; load ${loadavg()[0].toFixed(1)}`,
);
let over = false;
for (const [engine, [ms, pattern, size, why]] of Object.entries(worst)) {
  const budgeted = engine !== 'rawBrowser';
  const ok = ms <= BUDGET_MS;
  if (budgeted) over ||= !ok;
  const verdict = budgeted ? `budget ≤ ${BUDGET_MS} ms   ${ok ? 'ok' : 'OVER'}` : 'no budget        ';
  console.log(
    `${NAMES[engine].padEnd(40)} worst median ${fmt(ms).padStart(9)}   ${verdict}   ${JSON.stringify(pattern)} on ${size} characters (${why})`,
  );
}
process.exitCode = over ? 1 : 0;
