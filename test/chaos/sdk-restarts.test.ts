// Chaos: 50 Node SDKs stay current across kill -9 restarts of the server. DESIGN.md's budget is "every SDK
// current after a server restart: p99 ≤ 2 s" — a kill switch that reaches the fleet 12 s after a deploy of
// the flag server is not a kill switch.
//
// A real server process on a real SQLite file takes 1,000 flips of one flag, paced like a busy team's
// automation (one every 10 ms), and is killed with SIGKILL and started again before flips 250, 500, 750
// and 1000 — so the last write lands right after the last restart, and how soon the fleet holds it is how
// soon it came back. The SDKs (defaults, as an application runs them) live in a child process
// (sdk-fleet.mjs): in this process their timers would queue behind the writes and the restarts, and their
// 50,000 events would slow the writer. Both processes stamp times with performance.timeOrigin +
// performance.now(), one clock.
//
// Asserted: p99 of convergence after the last write ≤ 2 s. Printed: that convergence (p50, p99, max over the
// 50 SDKs); over all four restarts, how long after the server was ready again each SDK was streaming; and
// the slowest reconnection's log. Percentiles are nearest-rank: with 50 SDKs, p99 is the slowest one.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server.js';

const FLEET = fileURLToPath(new URL('./sdk-fleet.mjs', import.meta.url));
const SDKS = 50;
const FLIPS = 1_000;
const RESTART_BEFORE = new Set([250, 500, 750, 1_000]);
const PACE_MS = 10;
const BUDGET_MS = 2_000;
const FLAG = 'kill-switch';

const now = () => performance.timeOrigin + performance.now();

let server: RunningServer;
let sdkKey: string;
let fleet: ChildProcess;
let fleetOutput = '';

/** Sends a message to the fleet and resolves with its answer of type `reply`. */
function ask<T>(message: object, reply: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the SDK fleet did not answer ${reply} within ${timeoutMs} ms:\n${fleetOutput}`)),
      timeoutMs,
    );
    const listen = (answer: { type: string }) => {
      if (answer.type !== reply) return;
      clearTimeout(timer);
      fleet.off('message', listen);
      resolve(answer as T);
    };
    fleet.on('message', listen);
    fleet.send(message);
  });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

const figures = (values: number[]) =>
  values.length === 0
    ? 'none'
    : `p50 ${percentile(values, 0.5).toFixed(0)} ms, p99 ${percentile(values, 0.99).toFixed(0)} ms, max ${Math.max(...values).toFixed(0)} ms`;

beforeAll(async () => {
  server = await startServer({ env: { FLAGSTAFF_RATE_LIMIT: '0' } });
  expect((await server.api('POST', '/api/v1/flags', { key: FLAG })).status).toBe(201);
  const key = await server.api('POST', '/api/v1/keys', { kind: 'server', env: 'production', name: 'chaos' });
  expect(key.status).toBe(201);
  sdkKey = key.body.key;
  fleet = fork(FLEET, [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  fleet.stdout!.setEncoding('utf8').on('data', (chunk: string) => (fleetOutput += chunk));
  fleet.stderr!.setEncoding('utf8').on('data', (chunk: string) => (fleetOutput += chunk));
});

afterAll(async () => {
  if (fleet?.connected) await ask({ type: 'close' }, 'closed', 10_000).catch(() => fleet.kill('SIGKILL'));
  await server?.stop();
});

describe('50 Node SDKs through 4 kill -9 restarts during 1,000 flips', () => {
  it(`are all current within ${BUDGET_MS} ms (p99) of the last write`, { timeout: 120_000 }, async () => {
    const started = await ask<{ versions: (number | null)[] }>({ type: 'start', url: server.url, sdkKey, count: SDKS }, 'started', 30_000);
    expect(started.versions.every((v) => v !== null)).toBe(true);

    const restarts: { killedAt: number; readyAt: number }[] = [];
    let lastWriteAt = 0;
    const firstWriteAt = now();
    let on = false;
    for (let flip = 1; flip <= FLIPS; flip++) {
      if (RESTART_BEFORE.has(flip)) {
        const killedAt = now();
        await server.kill();
        await server.restart();
        restarts.push({ killedAt, readyAt: now() });
      } else {
        // Pacing the writer (not waiting for the SDKs): one flip every PACE_MS at most.
        const due = lastWriteAt + PACE_MS - now();
        if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
      }
      on = !on;
      lastWriteAt = now();
      const res = await server.api('PATCH', `/api/v1/flags/${FLAG}/environments/production`, { on });
      expect(res.status).toBe(200);
    }
    const snapshot = await (await fetch(`${server.url}/sdk/v1/flags`, { headers: { Authorization: sdkKey } })).json();
    const target = snapshot.version as number;

    const result = await ask<{ reached: (number | null)[]; values: boolean[]; states: [string, number][][]; logs: [number, string][][] }>(
      { type: 'converge', version: target, timeoutMs: 30_000 },
      'converged',
      40_000,
    );
    // An SDK that never held the last version counts as the whole wait: the assertions below fail on it.
    const convergence = result.reached.map((t) => (t === null ? Infinity : Math.max(0, t - lastWriteAt)));

    // Each SDK lost the server at every kill (it was streaming then), and was streaming again after it.
    const reconnects: number[] = [];
    let slowest = { ms: -1, sdk: 0, restart: 0 };
    let notStreamingAtKill = 0;
    let neverBack = 0;
    result.states.forEach((states, sdk) => {
      restarts.forEach(({ killedAt, readyAt }, restart) => {
        if (!states.some(([state, at]) => state === 'stale' && at >= killedAt && at <= readyAt)) notStreamingAtKill++;
        const back = states.find(([state, at]) => state === 'ready' && at > killedAt);
        if (back === undefined) return void neverBack++;
        const ms = Math.max(0, back[1] - readyAt);
        reconnects.push(ms);
        if (ms > slowest.ms) slowest = { ms, sdk, restart };
      });
    });
    // The slowest reconnection, told by its SDK's log (times from the kill), to explain a figure over budget.
    const { killedAt, readyAt } = restarts[slowest.restart]!;
    const story = result.logs[slowest.sdk]!.filter(([at]) => at >= killedAt && at <= readyAt + slowest.ms + 100).map(
      ([at, message]) => `    +${(at - killedAt).toFixed(0)} ms ${message}`,
    );

    const downtime = restarts.map((r) => (r.readyAt - r.killedAt).toFixed(0)).join(', ');
    console.log(
      `chaos: ${SDKS} SDKs, ${FLIPS} flips in ${((lastWriteAt - firstWriteAt) / 1000).toFixed(1)} s, ` +
        `${restarts.length} kill -9 restarts (server down ${downtime} ms)\n` +
        `  convergence after the last write: ${figures(convergence)}\n` +
        `  streaming again after the server was ready (${reconnects.length} reconnections): ${figures(reconnects)}\n` +
        `  slowest: SDK ${slowest.sdk} after restart ${slowest.restart + 1} (server ready at +${(readyAt - killedAt).toFixed(0)} ms):\n${story.join('\n')}`,
    );

    expect(notStreamingAtKill, 'SDKs not streaming when the server was killed (still away from the restart before)').toBe(0);
    expect(neverBack, 'SDKs that never came back after a restart').toBe(0);
    expect(result.values.every((value) => value === on)).toBe(true);
    expect(percentile(convergence, 0.99)).toBeLessThanOrEqual(BUDGET_MS);
    // The reconnections after restarts 1-3 are printed, not asserted: on a machine loaded far past its cores,
    // a freshly started server can take over a second to answer one stream request, which no SDK controls.
  });
});
