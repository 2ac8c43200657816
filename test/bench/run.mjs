// `npm run bench [-- NAME…]`: runs every test/bench/*.bench.mjs (or those whose name contains one of the
// NAMEs) one after another, each in its own Node process so that one bench's JIT state, heap and open
// handles never colour the next. Output passes straight through.
//
// Conventions for a bench (so that `npm run bench` reads as one report):
// - print each figure on one line beside its DESIGN.md budget and a verdict, e.g.
//     simply-on flag    median 18.2 ns/eval   budget ≤ 25 ns    ok
//   (`OVER` when it misses; `no budget` for a figure given for context only);
// - exit 0 when it ran and met its budgets, non-zero when it could not run or missed a budget.
// The runner exits non-zero when any bench did.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('.', import.meta.url));
const SUFFIX = '.bench.mjs';
/** A bench still running after this long has hung: it is stopped and counted as failed. */
const TIMEOUT_MS = Number(process.env.FLAGSTAFF_BENCH_TIMEOUT_MS ?? 15 * 60_000);

const filters = process.argv.slice(2);
const all = readdirSync(DIR)
  .filter((file) => file.endsWith(SUFFIX))
  .sort();
const chosen = all.filter((file) => filters.length === 0 || filters.some((f) => file.slice(0, -SUFFIX.length).includes(f)));

if (chosen.length === 0) {
  console.error(`no bench matches ${filters.join(', ')}; there are: ${all.map((f) => f.slice(0, -SUFFIX.length)).join(', ')}`);
  process.exit(2);
}

/** Runs one bench to its end; resolves with how it ended, never rejects. */
function runOne(file) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [`${DIR}${file}`], { stdio: 'inherit', cwd: process.cwd() });
    const timer = setTimeout(() => {
      console.error(`${file}: still running after ${TIMEOUT_MS / 1000} s, stopping it`);
      child.kill('SIGKILL');
    }, TIMEOUT_MS);
    const done = (outcome) => {
      clearTimeout(timer);
      resolve({ file, seconds: (performance.now() - started) / 1000, ...outcome });
    };
    child.on('error', (error) => done({ code: null, signal: null, error: error.message }));
    child.on('exit', (code, signal) => done({ code, signal }));
  });
}

const results = [];
for (const file of chosen) {
  console.log(`\n━━ ${file.slice(0, -SUFFIX.length)} ━━`);
  results.push(await runOne(file));
}

console.log('\n━━ summary ━━');
for (const r of results) {
  const how = r.error ?? (r.signal ? `killed by ${r.signal}` : r.code === 0 ? 'ok' : `FAILED (exit ${r.code})`);
  console.log(`${r.file.slice(0, -SUFFIX.length).padEnd(28)} ${r.seconds.toFixed(1).padStart(6)} s   ${how}`);
}
process.exitCode = results.every((r) => r.code === 0) ? 0 : 1;
