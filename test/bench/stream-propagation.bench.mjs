// Budgets (DESIGN.md): a change committed → seen by 10,000 SSE clients on one instance, p99 ≤ 250 ms; an
// idle SSE connection held by the server ≤ 16 KiB of memory.
//
// Starts a real server (`flagstaff-server`, its own SQLite file, no Redis) with a probe loaded
// (stream-server-probe.mjs: GC + memory on SIGUSR2), connects N clients from separate processes
// (stream-clients.mjs, raw sockets), then makes changes one at a time through the admin API and times each
// client's receipt of each change:
//   - from the write returning (the PATCH response received), as the issue defines it — but the server writes
//     a change to every stream inside the commit, before it answers, so this is mostly negative;
//   - from the write being sent, which bounds "committed → seen" from above: the budget is judged on it.
// Memory per idle connection = (server memory with N idle streams − before) / N, both after a full GC;
// judged on the larger of heap (+ external) and RSS. Budgets are judged at 10,000 clients; smaller runs are
// context. Exits non-zero when a budget is missed or a run could not happen (test/bench/run.mjs).
//
//   npx tsc -b && node test/bench/stream-propagation.bench.mjs [--clients 1000,10000] [--changes 20] [--procs N]
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startBenchServer } from './server-process.mjs';

const BUDGET_P99_MS = 250;
const BUDGET_KIB_PER_CONNECTION = 16;
const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000,10000' },
    changes: { type: 'string', default: '20' },
    procs: { type: 'string' },
  },
});
const COUNTS = values.clients.split(',').map(Number);
const CHANGES = Number(values.changes);
const PROBE = fileURLToPath(new URL('./stream-server-probe.mjs', import.meta.url));
const CLIENTS = fileURLToPath(new URL('./stream-clients.mjs', import.meta.url));
const TOKEN = `fsa_${randomBytes(24).toString('base64url')}`;
const now = () => performance.timeOrigin + performance.now();

/** The server, with every file descriptor the hard limit allows (each stream is a socket). */
async function startServer(dir) {
  // BENCH_SERVER_NODE_ARGS: more node flags for the server, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const server = await startBenchServer({
    dir,
    token: TOKEN,
    nodeArgs,
    raiseFileLimit: true,
    env: {
      FLAGSTAFF_STREAM_MAX_CLIENTS: '1000000',
      FLAGSTAFF_STREAM_MAX_NEW_PER_SEC: '1000000',
      NODE_OPTIONS: `--expose-gc --import=${PROBE}`,
    },
  });
  return {
    ...server,
    /** GC, then the server's memory (stream-server-probe.mjs). */
    async memory() {
      const seen = server.stderr().split('flagstaff-probe ').length;
      server.proc.kill('SIGUSR2');
      const probed = () => server.stderr().split('flagstaff-probe ');
      while (probed().length === seen || !probed()[seen].includes('\n')) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return JSON.parse(probed()[seen].split('\n')[0]);
    },
  };
}

async function api(server, method, path, body) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function openStreams(server) {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return [...text.matchAll(/^flagstaff_stream_clients\{[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

/** The server's own time spent handing changes to every stream (flagstaff_stream_fanout_seconds). */
async function fanout(server) {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const read = (name) => Number(new RegExp(`^${name}\\{env="production"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return { seconds: read('flagstaff_stream_fanout_seconds_sum'), count: read('flagstaff_stream_fanout_seconds_count') };
}

/** A client process holding `count` streams; `received(version)` resolves with every arrival time. */
function clientProcess(url, key, count) {
  const child = spawn('sh', ['-c', 'ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"', process.execPath, CLIENTS], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map();
  const early = new Map();
  let opened;
  child.on('message', (message) => {
    if (message.type === 'opened') opened(message);
    if (message.type === 'lost') console.warn(`  ! the server ended ${message.count} streams`);
    if (message.type === 'received') {
      const resolve = waiting.get(message.version);
      if (resolve) resolve(message.times);
      else early.set(message.version, message.times);
    }
  });
  return {
    open: () =>
      new Promise((resolve) => {
        opened = resolve;
        child.send({ type: 'open', url, key, count });
      }),
    received: (version) =>
      early.has(version) ? Promise.resolve(early.get(version)) : new Promise((resolve) => waiting.set(version, resolve)),
    stop: () => {
      child.kill('SIGKILL');
      return new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
    },
  };
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function run(server, key, count, seq) {
  const procs = Number(values.procs ?? Math.max(1, Math.ceil(count / 5000)));
  while ((await openStreams(server)) > 0) await new Promise((resolve) => setTimeout(resolve, 100));
  const before = await server.memory();

  const shares = Array.from({ length: procs }, (_, i) => Math.floor(count / procs) + (i < count % procs ? 1 : 0));
  const clients = shares.map((share) => clientProcess(server.url, key, share));
  const connectStarted = now();
  const opened = await Promise.all(clients.map((c) => c.open()));
  const connectMs = now() - connectStarted;
  const refused = opened.reduce((sum, o) => sum + o.refused, 0);
  if ((await openStreams(server)) !== count) throw new Error(`expected ${count} open streams`);
  const idle = await server.memory();

  const fanoutBefore = await fanout(server);
  const cpuBefore = (await server.memory()).cpuMicros;
  const fromReturn = [];
  const fromSend = [];
  const writes = [];
  for (let i = 0; i < CHANGES; i++) {
    const sent = now();
    await api(server, 'PATCH', '/api/v1/flags/checkout/environments/production', {
      targets: [{ variation: 1, values: [`bench-${seq}-${i}`] }],
    });
    const returned = now();
    writes.push(returned - sent);
    // The event id is the environment's version (the PATCH answers with the flag's own).
    const { version } = await api(server, 'GET', '/api/v1/environments/production');
    const times = (await Promise.all(clients.map((c) => c.received(version)))).flat();
    for (const t of times) {
      fromReturn.push(t - returned);
      fromSend.push(t - sent);
    }
  }
  const cpuAfter = (await server.memory()).cpuMicros;
  const fanoutAfter = await fanout(server);
  await Promise.all(clients.map((c) => c.stop()));

  fromReturn.sort((a, b) => a - b);
  fromSend.sort((a, b) => a - b);
  writes.sort((a, b) => a - b);
  return {
    count,
    procs,
    connectMs,
    refused,
    fromReturn: { p50: percentile(fromReturn, 50), p99: percentile(fromReturn, 99), max: fromReturn.at(-1) },
    fromSend: { p50: percentile(fromSend, 50), p99: percentile(fromSend, 99), max: fromSend.at(-1) },
    writeP50: percentile(writes, 50),
    // CPU rather than wall time: what a change costs the server with a core to itself, whatever else runs.
    cpuMsPerChange: (cpuAfter - cpuBefore) / 1000 / CHANGES,
    fanoutMs: ((fanoutAfter.seconds - fanoutBefore.seconds) * 1000) / (fanoutAfter.count - fanoutBefore.count),
    heapKiB: (idle.heapUsed - before.heapUsed) / count / 1024,
    nativeKiB: (idle.external - before.external) / count / 1024,
    rssKiB: (idle.rss - before.rss) / count / 1024,
  };
}

/** The hard limit on open files: each stream is a socket in the server and one in a client process. */
const fdLimit = Number(execFileSync('sh', ['-c', 'ulimit -Hn']).toString().trim()) || Infinity;
const runnable = COUNTS.filter((count) => count + 1000 <= fdLimit);
for (const count of COUNTS.filter((c) => !runnable.includes(c))) {
  console.log(`${count} clients: cannot run, ulimit -Hn is ${fdLimit} (raise it above ${count + 1000})`);
}

const line = (label, figure, budget, ok) =>
  console.log(`${label.padEnd(44)} ${figure.padEnd(40)} ${budget.padEnd(22)} ${ok === null ? '' : ok ? 'ok' : 'OVER'}`);
const dir = mkdtempSync(join(tmpdir(), 'flagstaff-bench-'));
const server = await startServer(dir);
let met = runnable.length === COUNTS.length;
try {
  const { key } = await api(server, 'POST', '/api/v1/keys', { kind: 'server', env: 'production' });
  await api(server, 'POST', '/api/v1/flags', { key: 'checkout' });
  // Warm-up: the environment's channel, JIT and socket machinery, so the first measured run is not the odd one.
  await run(server, key, 200, 'warm-up');

  console.log(`change → each client, ${CHANGES} changes per run; clients in separate processes\n`);
  for (const [seq, count] of runnable.entries()) {
    const r = await run(server, key, count, seq);
    const n = count.toLocaleString('en');
    console.log(
      `${n} clients in ${r.procs} process(es), connected in ${(r.connectMs / 1000).toFixed(1)} s${r.refused ? ` (${r.refused} shed and retried)` : ''}; ` +
        `write answered in ${r.writeP50.toFixed(1)} ms (p50); server busy ${r.fanoutMs.toFixed(1)} ms per change writing to every socket, ` +
        `${r.cpuMsPerChange.toFixed(1)} ms of its CPU per change in all`,
    );
    const judged = count >= 10_000;
    const latency = (label, { p50, p99, max }, judge) => {
      const ok = judge ? p99 <= BUDGET_P99_MS : null;
      line(
        `  ${label}`,
        `p50 ${p50.toFixed(1)}  p99 ${p99.toFixed(1)}  max ${max.toFixed(1)} ms`,
        judge ? `budget p99 ≤ ${BUDGET_P99_MS} ms` : 'no budget',
        ok,
      );
      return ok !== false;
    };
    // The fan-out runs inside the commit, before the API answers: clients mostly hear of a change before
    // the writer does, so "returning" goes negative. "Sent" bounds commit → seen from above: it is judged.
    latency('from the write returning', r.fromReturn, false);
    met = latency('from the write sent', r.fromSend, judged) && met;
    // Judged at scale only: at 1,000 the RSS difference still carries fixed costs (V8's young generation
    // grows by megabytes under the connection burst), which 10,000 connections amortise.
    const kib = Math.max(r.heapKiB + r.nativeKiB, r.rssKiB);
    const memoryOk = judged ? kib <= BUDGET_KIB_PER_CONNECTION : null;
    line(
      '  server memory per idle connection',
      `heap ${(r.heapKiB + r.nativeKiB).toFixed(2)}  rss ${r.rssKiB.toFixed(2)} KiB`,
      judged ? `budget ≤ ${BUDGET_KIB_PER_CONNECTION} KiB` : 'no budget',
      memoryOk,
    );
    met = memoryOk !== false && met;
  }
  const os = await import('node:os');
  console.log(
    `\n(${os.cpus().length} cores; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} at the end: others' work inflates latency)`,
  );
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exitCode = met ? 0 : 1;
