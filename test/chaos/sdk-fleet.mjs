// The SDK side of sdk-restarts.test.ts: many @flagstaff/node clients (the compiled SDK, as an application
// runs it, with its default reconnection settings) in a process of their own, so that neither the test's
// writes nor its server restarts delay their event loop, and their work does not delay the test's. Each
// client's history is recorded as it happens: when it first held each environment version, and when its
// state moved (stale when it lost the server, ready when it was back).
//
// Driven over IPC:
//   → { type: 'start', url, sdkKey, count }  ← { type: 'started', versions } (every client ready, from the server)
//   → { type: 'converge', version, timeoutMs }
//   ← { type: 'converged', reached, values, states, logs } once every client holds `version` (or at the
//     timeout): `reached[i]` is when client i first held it (null if it never did), `values[i]` what it
//     serves for the flag then, `states[i]` its [state, time] transitions, `logs[i]` its [time, message] log
//     lines about the stream. Times are epoch milliseconds with sub-millisecond precision
//     (performance.timeOrigin + performance.now()), comparable with the test process's.
//   → { type: 'close' }                       ← { type: 'closed' }
import { createClient } from '@flagstaff/node';

const now = () => performance.timeOrigin + performance.now();
const FLAG = 'kill-switch';

/** @type {Array<{ client: import('@flagstaff/node').FlagsClient, versions: Array<[number, number]>, states: Array<[string, number]>, log: Array<[number, string]> }>} */
const fleet = [];
/** Called after every change any client applies: a pending `converge` checks whether it is done. */
let onChange = () => {};

async function start({ url, sdkKey, count }) {
  for (let i = 0; i < count; i++) {
    // Usage reports are off: they are not what is measured, and the last one would go to a stopped server.
    const member = { client: null, versions: [], states: [], log: [] };
    // What the SDK says about its connection, kept to explain a slow SDK (the test prints the slowest one's).
    const keep = (message) => /stream|reconnect/.test(message) && member.log.push([now(), message]);
    const client = createClient({ url, sdkKey, usage: false, logger: { debug: keep, info: keep, warn: keep, error: keep } });
    member.client = client;
    client.on('change', ({ version }) => {
      member.versions.push([version, now()]);
      onChange();
    });
    client.on('status', ({ state }) => member.states.push([state, now()]));
    fleet.push(member);
  }
  const statuses = await Promise.all(fleet.map(({ client }) => client.ready({ timeoutMs: 15_000 })));
  process.send({ type: 'started', versions: statuses.map((s) => (s.state === 'ready' ? s.version : null)) });
}

function converge({ version, timeoutMs }) {
  const reply = () => {
    clearTimeout(timer);
    onChange = () => {};
    process.send({
      type: 'converged',
      reached: fleet.map(({ versions }) => versions.find(([v]) => v >= version)?.[1] ?? null),
      values: fleet.map(({ client }) => client.isEnabled(FLAG, { key: 'chaos' })),
      states: fleet.map(({ states }) => states),
      logs: fleet.map(({ log }) => log),
    });
  };
  const done = () => fleet.every(({ client }) => (client.status().version ?? -1) >= version);
  const timer = setTimeout(reply, timeoutMs);
  onChange = () => done() && reply();
  onChange();
}

process.on('message', async (message) => {
  if (message.type === 'start') await start(message);
  else if (message.type === 'converge') converge(message);
  else if (message.type === 'close') {
    await Promise.all(fleet.map(({ client }) => client.close()));
    process.send({ type: 'closed' }, () => process.exit(0));
  }
});
// The test process went away (it failed, or was killed): nothing here is worth keeping.
process.on('disconnect', () => process.exit(0));
