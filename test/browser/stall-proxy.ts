// A TCP proxy between the page and the server that can fail the ways a network fails: `cut()` drops every
// connection and refuses new ones (a clean outage); `stall()` leaves the open connections up but silently
// stops passing the server's bytes, like a NAT or proxy that forgot them — only a missing heartbeat shows it.
import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface StallProxy {
  url: string;
  cut(): void;
  /** Freezes the connections open now; new ones pass. */
  stall(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startStallProxy(targetPort: number): Promise<StallProxy> {
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  const stalled: Socket[] = [];
  let refusing = false;
  const server = createServer((client) => {
    if (refusing) return void client.destroy();
    const upstream = connect(targetPort, '127.0.0.1');
    const pair = { client, upstream };
    pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) socket.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut() {
      refusing = true;
      for (const { client } of pairs) client.destroy();
    },
    stall() {
      for (const pair of pairs) {
        pair.upstream.unpipe(pair.client);
        pair.upstream.pause();
        pairs.delete(pair);
        stalled.push(pair.client, pair.upstream);
      }
    },
    resume() {
      refusing = false;
    },
    close() {
      for (const { client } of pairs) client.destroy();
      for (const socket of stalled) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
