import { createServer, get, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { asChunk, socketOutput } from './socket-output.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const FRAMES = [
  'retry: 1500\n\n',
  'event: put\nid: 3\ndata: {"version":3}\n\n',
  'event: patch\nid: 4\ndata: {"version":4,"ü":"ß"}\n\n',
].map((f) => Buffer.from(f));

/** A server whose every request on `/sse` gets FRAMES through socketOutput, then the end; `/slow` answers late. */
async function start(): Promise<number> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/slow') return void setTimeout(() => res.end('slow answer'), 50);
    res.setHeader('Content-Type', 'text/event-stream');
    const output = socketOutput(res);
    for (const frame of FRAMES) output.write(frame);
    setTimeout(() => output.end(Buffer.from(': bye\n\n')), 20);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Everything the server sends on one connection after `request`, until it closes or `enough` holds. */
function raw(port: number, request: string, enough: (text: string) => boolean = () => false): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      if (enough(text)) socket.destroy();
    });
    socket.on('close', () => resolve(text));
  });
}

const expectedBody = Buffer.concat([...FRAMES, Buffer.from(': bye\n\n')]).toString();

describe('socketOutput', () => {
  it('sends what ServerResponse would: the body decodes to the frames, in order, and ends cleanly', async () => {
    const port = await start();
    const body = await new Promise<string>((resolve, reject) => {
      get({ port, host: '127.0.0.1', path: '/sse', agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(text));
        res.on('error', reject);
      }).on('error', reject);
    });
    expect(body).toBe(expectedBody);
  });

  it('frames each write as one HTTP chunk, and ends with the last chunk', async () => {
    const port = await start();
    const text = await raw(port, 'GET /sse HTTP/1.1\r\nHost: x\r\n\r\n', (t) => t.endsWith('0\r\n\r\n'));
    const body = text.slice(text.indexOf('\r\n\r\n') + 4);
    const chunk = (frame: Buffer) => `${frame.length.toString(16)}\r\n${frame.toString('latin1')}\r\n`;
    expect(body).toBe(`${[...FRAMES, Buffer.from(': bye\n\n')].map(chunk).join('')}0\r\n\r\n`);
  });

  it('hands every frame after the first (which carries the headers) to the socket in one write', async () => {
    let calls: { response: number; socket: Buffer[] } = { response: 0, socket: [] };
    let seen = calls;
    const server = createServer((_req, res) => {
      const write = res.write.bind(res);
      res.write = ((...args: Parameters<typeof write>) => (calls.response++, write(...args))) as typeof res.write;
      const socketWrite = res.socket!.write.bind(res.socket!);
      res.socket!.write = ((chunk: Buffer, ...rest: any[]) => (calls.socket.push(chunk), socketWrite(chunk, ...rest))) as any;
      const output = socketOutput(res);
      calls = { response: 0, socket: [] };
      for (const frame of FRAMES) output.write(frame);
      seen = { response: calls.response, socket: [...calls.socket] };
      res.end();
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    await raw((server.address() as AddressInfo).port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', (t) => t.endsWith('0\r\n\r\n'));
    expect(seen.response).toBe(1);
    expect(seen.socket.slice(-2)).toEqual([asChunk(FRAMES[1]!), asChunk(FRAMES[2]!)]);
    expect(seen.socket.at(-1)).toBe(asChunk(FRAMES[2]!));
  });

  it('builds the chunk of a shared frame once', () => {
    const frame = Buffer.from('event: patch\ndata: {}\n\n');
    expect(asChunk(frame)).toBe(asChunk(frame));
    expect(asChunk(frame).toString()).toBe(`17\r\n${frame}\r\n`);
  });

  it('waits its turn behind a pipelined response instead of writing into it', async () => {
    const port = await start();
    const text = await raw(port, 'GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /sse HTTP/1.1\r\nHost: x\r\n\r\n', (t) =>
      t.endsWith('0\r\n\r\n'),
    );
    const second = text.indexOf('HTTP/1.1 200', 1);
    expect(text.slice(0, second)).toMatch(/slow answer$/);
    expect(text.slice(second)).toContain(`${FRAMES[0]!.length.toString(16)}\r\n${FRAMES[0]}\r\n`);
  });

  it('writes plain frames to an HTTP/1.0 client, which knows no chunks', async () => {
    const port = await start();
    const text = await raw(port, 'GET /sse HTTP/1.0\r\n\r\n');
    expect(Buffer.from(text.slice(text.indexOf('\r\n\r\n') + 4), 'latin1').toString()).toBe(expectedBody);
  });
});
