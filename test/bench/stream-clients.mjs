// The client side of stream-propagation.bench.mjs, in a process of its own so that the server's event loop
// measures only the server. Holds many SSE connections over raw sockets (EventSource costs too much per
// connection at 10,000) and records, per connection, when each event id first arrived.
//
// Driven over IPC by the benchmark:
//   → { type: 'open', url, key, count }   ← { type: 'opened', count, refused }  (every connection has its put)
//   ← { type: 'received', version, times } once every connection has an event with id `version`; `times`
//     are epoch milliseconds with sub-millisecond precision (performance.timeOrigin + performance.now())
//   ← { type: 'lost', count }               connections the server ended
import { connect } from 'node:net';

const now = () => performance.timeOrigin + performance.now();
const ID_LINE = /(?:^|\n)id: (\d+)\n/g;

/** version → arrival time per connection, until all have it. */
const arrivals = new Map();
const connections = [];
let lost = 0;

function arrived(index, version) {
  let entry = arrivals.get(version);
  if (entry === undefined) arrivals.set(version, (entry = { times: new Float64Array(connections.length), count: 0 }));
  entry.times[index] = now();
  if (++entry.count === connections.length) {
    arrivals.delete(version);
    process.send({ type: 'received', version, times: Array.from(entry.times) });
  }
}

/** One stream; resolves with true once its put arrived, false if the server refused it (503: shed). */
function open(index, host, port, key) {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    const connection = { socket, last: -1, tail: '', status: 0 };
    socket.setNoDelay(true);
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      socket.write(`GET /sdk/v1/stream HTTP/1.1\r\nHost: ${host}:${port}\r\nAuthorization: ${key}\r\nAccept: text/event-stream\r\n\r\n`);
    });
    socket.on('data', (chunk) => {
      if (connection.status === 0) {
        connection.status = Number(chunk.slice(9, 12));
        if (connection.status !== 200) {
          socket.destroy();
          return resolve(false);
        }
      }
      // Frames are written whole, but a TCP segment may still split an `id:` line: keep a short tail.
      const text = connection.tail + chunk;
      connection.tail = text.slice(-32);
      for (const match of text.matchAll(ID_LINE)) {
        const id = Number(match[1]);
        if (id <= connection.last) continue;
        const first = connection.last === -1;
        connection.last = id;
        if (first) resolve(true);
        else arrived(index, id);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      if (connection.status === 200 && connection.last !== -1) lost++;
      resolve(false);
    });
    connections[index] = connection;
  });
}

async function openAll(url, key, count) {
  const { hostname, port } = new URL(url);
  let refused = 0;
  // In waves, so that the listen backlog never overflows into SYN retransmits (a 1 s stall each).
  const wave = 250;
  for (let start = 0; start < count; start += wave) {
    const indexes = Array.from({ length: Math.min(wave, count - start) }, (_, i) => start + i);
    for (let pending = indexes; pending.length > 0; ) {
      const results = await Promise.all(pending.map((i) => open(i, hostname, Number(port), key)));
      pending = pending.filter((_, j) => !results[j]);
      refused += pending.length;
      if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  return refused;
}

process.on('message', async (message) => {
  if (message.type === 'open') {
    const refused = await openAll(message.url, message.key, message.count);
    process.send({ type: 'opened', count: connections.length, refused });
  }
});
process.on('disconnect', () => process.exit(0));
setInterval(() => {
  if (lost > 0) process.send({ type: 'lost', count: lost });
  lost = 0;
}, 1000).unref();
