// Writing SSE frames to an HTTP response for the price of one socket write each. `ServerResponse.write` on a
// chunked response frames every call itself (size line, data, CRLF: four writes, a cork and a next-tick
// uncork per client), which measured about 1.6 times the time of one plain socket write. Each frame is a Buffer
// shared by every client of an audience, so its chunk framing is built once, next to it, and the same bytes
// go straight to each socket. The wire format is exactly what `ServerResponse` would have written.
// Why it is written this way, and what must not be "tidied": docs/decisions/004-sse-frames-to-the-socket.md.
import type { ServerResponse } from 'node:http';
import type { SseOutput } from './subscriber.js';

const CRLF = Buffer.from('\r\n');
/** Frame → the same bytes as one HTTP/1.1 chunk; entries go when the frame does. */
const chunks = new WeakMap<Buffer, Buffer>();

export function asChunk(frame: Buffer): Buffer {
  let chunk = chunks.get(frame);
  if (chunk === undefined) {
    chunk = Buffer.concat([Buffer.from(`${frame.length.toString(16)}\r\n`), frame, CRLF]);
    chunks.set(frame, chunk);
  }
  return chunk;
}

/**
 * An SseOutput over `out`. Frames bypass `out` only while that is exactly equivalent: once the headers are
 * out, on a chunked response that owns its socket and has nothing of its own queued. Anything else — the
 * first write (it carries the headers), a pipelined response waiting for its turn, an HTTP/1.0 client
 * without chunking — goes through `out` as usual. A class, so that each connection costs one small object.
 */
class SocketOutput implements SseOutput {
  constructor(private readonly out: ServerResponse) {}

  get writableLength(): number {
    return this.out.writableLength;
  }

  write(frame: Buffer): boolean {
    const { out } = this;
    const socket = out.socket;
    const direct = socket !== null && out.headersSent && out.chunkedEncoding && out.writableLength === socket.writableLength;
    return direct ? socket.write(asChunk(frame)) : out.write(frame);
  }

  end(frame?: Buffer): void {
    this.out.end(frame);
  }

  destroy(): void {
    this.out.destroy();
  }
}

export function socketOutput(out: ServerResponse): SseOutput {
  return new SocketOutput(out);
}
