// A small stand-in for the Flagstaff server's SDK endpoints, for the SDK's unit tests: it speaks the
// wire protocol (DESIGN.md) over real HTTP, and lets a test misbehave on purpose — refuse, shed, go
// silent, send garbage, drift — which the real server will not do on demand.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { snapshotChecksum } from '@flagstaff/core/evaluate';
import type { Flag, Snapshot } from '@flagstaff/core/evaluate';

export const SDK_KEY = 'fss_test_key';

/**
 * How one request is answered instead of normally: a status with headers and body (sent at once, the
 * response ended `holdMs` later), or silence.
 */
export type Misbehaviour = { status: number; headers?: Record<string, string>; body?: string; holdMs?: number } | 'silent' | 'destroy';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export class FakeServer {
  /** Whether POST /sdk/v1/ack is taken (202) or, as by an older server, a 404. */
  acks = true;
  snapshot: Snapshot = { version: 1, flags: {}, segments: {} };
  readonly requests: RecordedRequest[] = [];
  /** Misbehaviours for the next stream / flags requests, first in first out. */
  readonly streamPlan: Misbehaviour[] = [];
  readonly flagsPlan: Misbehaviour[] = [];
  /** Every request is dropped while down, as if the process were gone. */
  down = false;
  readonly #streams = new Set<ServerResponse>();
  readonly #sockets = new Set<Socket>();
  /** Frames of past changes by version, for Last-Event-ID replay. */
  readonly #log = new Map<number, string>();
  readonly #http = createServer((req, res) => void this.#handle(req, res));
  url = '';

  static async start(flags: Flag[] = []): Promise<FakeServer> {
    const server = new FakeServer();
    for (const flag of flags) server.snapshot.flags[flag.key] = flag;
    server.#http.on('connection', (socket) => {
      server.#sockets.add(socket);
      socket.on('close', () => server.#sockets.delete(socket));
    });
    server.#http.listen(0, '127.0.0.1');
    await once(server.#http, 'listening');
    server.url = `http://127.0.0.1:${(server.#http.address() as AddressInfo).port}`;
    return server;
  }

  get openStreams(): number {
    return this.#streams.size;
  }

  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** Commits a flag change: bumps versions and streams a patch to every open connection. */
  setFlag(flag: Flag): number {
    const held = this.snapshot.flags[flag.key];
    const version = this.snapshot.version + 1;
    const value = { ...flag, version: (held?.version ?? 0) + 1 };
    this.snapshot = { ...this.snapshot, version, flags: { ...this.snapshot.flags, [flag.key]: value } };
    this.broadcast(this.#frame('patch', { version, kind: 'flag', key: flag.key, value }, version));
    return version;
  }

  /** Changes a flag without telling anyone: the drift a heartbeat must reveal. */
  setFlagSilently(flag: Flag): void {
    const held = this.snapshot.flags[flag.key];
    this.snapshot = { ...this.snapshot, flags: { ...this.snapshot.flags, [flag.key]: { ...flag, version: (held?.version ?? 0) + 1 } } };
  }

  heartbeat(checksum = snapshotChecksum(this.snapshot)): void {
    this.broadcast(`: hb ${this.snapshot.version} ${checksum}\n\n`);
  }

  broadcast(text: string): void {
    for (const stream of this.#streams) stream.write(text);
  }

  /** Cuts every open stream, as a crash or a proxy would. */
  dropStreams(): void {
    for (const stream of this.#streams) stream.destroy();
    this.#streams.clear();
  }

  async close(): Promise<void> {
    this.dropStreams();
    for (const socket of this.#sockets) socket.destroy();
    this.#http.close();
    await once(this.#http, 'close');
  }

  #frame(type: string, data: unknown, version: number): string {
    const text = `event: ${type}\nid: ${version}\ndata: ${JSON.stringify(data)}\n\n`;
    if (type !== 'put') this.#log.set(version, text);
    return text;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += chunk;
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    this.requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body });
    if (this.down) return void req.socket.destroy();
    const auth = req.headers.authorization?.replace(/^Bearer /, '');
    if (auth !== SDK_KEY) return json(res, 401, { error: { code: 'unauthorized', message: 'unknown SDK key' } });

    const plan = path === '/sdk/v1/stream' ? this.streamPlan : path === '/sdk/v1/flags' ? this.flagsPlan : [];
    const misbehaviour = plan.shift();
    if (misbehaviour === 'silent') return;
    if (misbehaviour === 'destroy') return void req.socket.destroy();
    if (misbehaviour !== undefined) {
      res.writeHead(misbehaviour.status, misbehaviour.headers ?? {});
      if (misbehaviour.holdMs === undefined) return void res.end(misbehaviour.body);
      res.write(misbehaviour.body ?? '');
      const timer = setTimeout(() => res.end(), misbehaviour.holdMs);
      res.on('close', () => clearTimeout(timer));
      return;
    }

    if (path === '/sdk/v1/stream') return this.#stream(req, res);
    if (path === '/sdk/v1/flags') {
      const etag = `"${this.snapshot.version}"`;
      if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { ETag: etag }).end();
      return json(res, 200, this.snapshot, { ETag: etag });
    }
    if (path === '/sdk/v1/usage' && req.method === 'POST') return void res.writeHead(202).end();
    if (path === '/sdk/v1/ack' && req.method === 'POST' && this.acks) return void res.writeHead(202).end();
    json(res, 404, { error: { code: 'not_found', message: 'no such route' } });
  }

  #stream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    this.#streams.add(res);
    res.on('close', () => this.#streams.delete(res));
    const last = Number(req.headers['last-event-id']);
    const missed: string[] = [];
    let complete = Number.isInteger(last) && last <= this.snapshot.version;
    for (let v = last + 1; complete && v <= this.snapshot.version; v++) {
      const frame = this.#log.get(v);
      if (frame === undefined) complete = false;
      else missed.push(frame);
    }
    // Replay exactly what was missed when the log has it all; otherwise start over with a put.
    res.write(complete ? missed.join('') : this.#frame('put', this.snapshot, this.snapshot.version));
  }
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
