// GET /sdk/v1/stream (docs/protocol.md). The response is written straight to node's ServerResponse and
// handed to the hub: a long-lived stream costs one socket and one small Subscriber, with no per-client
// promise chain or ReadableStream, which is what keeps 10,000 idle clients within the memory budget.
// Why it is written this way, and what must not be "tidied": docs/decisions/004-sse-frames-to-the-socket.md.
import type { ServerResponse } from 'node:http';
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { HEARTBEAT_PREFIX, KEY_PREFIX } from '@flagstaff/core';
import type { SdkStreamIdentity } from '@flagstaff/core/admin';
import { Hono, type Context } from 'hono';
import { ApiError } from '../errors.js';
import type { AppEnv } from '../http/context.js';
import type { Admission } from './admission.js';
import type { Audience } from '../snapshot-views.js';
import type { StreamHub } from './hub.js';
import { socketOutput } from './socket-output.js';
import type { SseOutput } from './subscriber.js';

/** Who an SDK key belongs to, as far as streaming cares. */
export interface StreamKey {
  keyId: string;
  env: string;
  audience: Audience;
}

/**
 * Resolves a raw key: its owner, `'revoked'` for a key that was revoked, `'unavailable'` when it cannot be
 * checked right now (a relay whose Redis is away), null for anything unknown.
 */
export type StreamKeyAnswer = StreamKey | 'revoked' | 'unavailable' | null;
export type StreamKeyLookup = (rawKey: string) => StreamKeyAnswer | Promise<StreamKeyAnswer>;

export interface SdkStreamDeps {
  hub: StreamHub;
  authenticate: StreamKeyLookup;
  admission: Admission;
  /**
   * What a key's environment missing from the hub means: deleted (`gone`: 204, stop retrying), or not
   * loaded yet (`unavailable`: 503, retry), as on a relay still waiting for its state from Redis.
   */
  missingEnv?: 'gone' | 'unavailable';
}

type Env = AppEnv & { Bindings: HttpBindings };

const SSE_HEADERS: Record<string, string> = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  // nginx buffers proxied responses unless told otherwise, which would hold events back.
  'X-Accel-Buffering': 'no',
  // Set here: the stream's headers go straight to the socket, past app.ts's securityHeaders.
  'X-Content-Type-Options': 'nosniff',
};

const CORS_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET',
  'Access-Control-Allow-Headers': 'Last-Event-ID, Cache-Control, X-Flagstaff-Instance, X-Flagstaff-SDK',
  'Access-Control-Max-Age': '86400',
  // Not a CORS-safelisted response header: without this, a browser hides it from a shed client.
  'Access-Control-Expose-Headers': 'Retry-After',
};

/** A request from a browser: a client key in the URL (the only way EventSource can send one). */
const fromBrowser = (c: Context) => c.req.query('key')?.trim().startsWith(KEY_PREFIX.client) === true;

/** Errors to browsers carry CORS too, so that a fetch-based client can read the status and Retry-After. */
function errorResponse(c: Context, error: ApiError, headers: Record<string, string> = {}): Response {
  return c.json(error.toBody(), error.status, fromBrowser(c) ? { ...CORS_HEADERS, ...headers } : headers);
}

/** `Authorization: <key>` or `Authorization: Bearer <key>`; browsers, which cannot set headers, use `?key=`. */
function presentedKey(c: Context): { raw: string | null; inUrl: boolean } {
  const header = c.req.header('authorization')?.trim();
  if (header) return { raw: header.replace(/^Bearer\s+/i, '').trim(), inUrl: false };
  const query = c.req.query('key')?.trim();
  return { raw: query || null, inUrl: Boolean(query) };
}

/**
 * Only plain version numbers resume; anything else (absent, garbled) gets a fresh `put`. A browser SDK
 * reconnecting with a fresh EventSource cannot set Last-Event-ID, so `?lastEventId=` stands in for it.
 */
function lastEventId(c: Context): number | null {
  const raw = (c.req.header('last-event-id') ?? c.req.query('lastEventId'))?.trim();
  if (raw === undefined || !/^\d{1,15}$/.test(raw)) return null;
  return Number(raw);
}

/** A header, or for browsers (EventSource sends none) a query parameter, trimmed and bounded; null when absent. */
function announced(c: Context, header: string, query: string, max: number): string | null {
  const raw = (c.req.header(header) ?? c.req.query(query))?.trim();
  return raw ? raw.slice(0, max) : null;
}

/** What the SDK says it is (`X-Flagstaff-Instance`, `X-Flagstaff-SDK`) and where it connects from. */
function identityOf(c: Context<Env>): SdkStreamIdentity {
  return {
    instance: announced(c, 'x-flagstaff-instance', 'instance', 200),
    sdk: announced(c, 'x-flagstaff-sdk', 'sdk', 100),
    // An IPv4 client on a dual-stack socket shows as ::ffff:10.0.4.17: reported as the address it is.
    address: c.env?.incoming?.socket?.remoteAddress?.replace(/^::ffff:(?=\d+\.)/, '') ?? null,
  };
}

const HEARTBEAT_START = Buffer.from(`: ${HEARTBEAT_PREFIX} `);
let lastBeat: { comment: Buffer; withEvent: Buffer } | null = null;

/**
 * Native EventSource hides comments, so a browser that asks (`?heartbeat=event`) also gets each heartbeat
 * as an `hb` event whose data is the comment's text. Heartbeat frames are shared per audience and version,
 * so the event form is built once per frame, not once per client.
 */
function heartbeatsAsEvents(out: SseOutput): SseOutput {
  const convert = (chunk: Buffer): Buffer => {
    if (!chunk.subarray(0, HEARTBEAT_START.length).equals(HEARTBEAT_START)) return chunk;
    if (lastBeat?.comment !== chunk) {
      const text = chunk.toString().trim().slice(2);
      lastBeat = { comment: chunk, withEvent: Buffer.concat([chunk, Buffer.from(`event: hb\ndata: ${text}\n\n`)]) };
    }
    return lastBeat.withEvent;
  };
  return {
    write: (chunk) => out.write(convert(chunk)),
    end: (chunk) => out.end(chunk),
    destroy: () => out.destroy(),
    get writableLength() {
      return out.writableLength;
    },
  };
}

export function sdkStreamRoute({ hub, authenticate, admission, missingEnv = 'gone' }: SdkStreamDeps): Hono<Env> {
  const route = new Hono<Env>();

  // EventSource does not preflight, but a fetch-based browser client sending Last-Event-ID does.
  route.options('/', (c) => {
    return c.body(null, 204, fromBrowser(c) ? CORS_HEADERS : {});
  });

  route.get('/', async (c) => {
    // A secret that reached a URL is already in proxy and access logs: refuse it whatever else is sent.
    const urlKey = c.req.query('key');
    if (urlKey !== undefined && !urlKey.trim().startsWith(KEY_PREFIX.client)) {
      return errorResponse(
        c,
        new ApiError('forbidden', 'only client keys (fsc_…) may be sent in the URL; send other keys in the Authorization header'),
      );
    }
    const { raw, inUrl } = presentedKey(c);
    if (raw === null) return errorResponse(c, new ApiError('unauthorized', 'an SDK key is required'));
    if (raw.startsWith(KEY_PREFIX.admin)) {
      return errorResponse(
        c,
        new ApiError('forbidden', 'admin tokens cannot read SDK endpoints: use a server (fss_…) or client (fsc_…) key'),
      );
    }

    if (hub.closing) {
      hub.metrics.shed();
      return errorResponse(c, new ApiError('unavailable', 'this instance is shutting down; reconnect'), {
        'Retry-After': String(admission.retryAfter(1)),
      });
    }
    const wait = admission.admit(hub.connectionCount);
    if (wait !== null) {
      hub.metrics.shed();
      return errorResponse(c, new ApiError('unavailable', `too many streaming clients; retry in ${wait} s`), {
        'Retry-After': String(wait),
      });
    }

    const key = await authenticate(raw);
    // 204 is the one answer that tells EventSource to stop for good (REFERENCE.md, "Server-Sent Events").
    if (key === 'revoked') return new Response(null, { status: 204, headers: fromBrowser(c) ? CORS_HEADERS : {} });
    if (key === null) return errorResponse(c, new ApiError('unauthorized', 'unknown SDK key'));
    if (key === 'unavailable') {
      return errorResponse(c, new ApiError('unavailable', 'cannot check SDK keys right now; retry'), {
        'Retry-After': String(admission.retryAfter(2)),
      });
    }
    if (inUrl && key.audience !== 'client') {
      return errorResponse(c, new ApiError('forbidden', 'server keys may not be sent in the URL'));
    }

    c.set('sdk', key);
    const out: ServerResponse | undefined = c.env?.outgoing;
    if (out === undefined) throw new ApiError('internal', 'streaming needs the Node HTTP server');
    out.statusCode = 200;
    for (const [name, value] of Object.entries(SSE_HEADERS)) out.setHeader(name, value);
    if (inUrl) for (const [name, value] of Object.entries(CORS_HEADERS)) out.setHeader(name, value);

    const output = socketOutput(out);
    const sink = inUrl && c.req.query('heartbeat') === 'event' ? heartbeatsAsEvents(output) : output;
    const subscriber = hub.connect(sink, {
      env: key.env,
      audience: key.audience,
      keyId: key.keyId,
      lastEventId: lastEventId(c),
      identity: identityOf(c),
    });
    if (subscriber === null) {
      for (const name of Object.keys({ ...SSE_HEADERS, ...CORS_HEADERS })) out.removeHeader(name);
      if (missingEnv === 'unavailable') {
        return errorResponse(c, new ApiError('unavailable', `no state for environment "${key.env}" yet`), {
          'Retry-After': String(admission.retryAfter(1)),
        });
      }
      // The key's environment is gone: like a revoked key, nothing to come back for.
      return new Response(null, { status: 204, headers: fromBrowser(c) ? CORS_HEADERS : {} });
    }
    out.on('close', () => hub.disconnect(subscriber));
    return RESPONSE_ALREADY_SENT;
  });

  return route;
}
