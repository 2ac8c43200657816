// One outbound POST (docs/notifications.md, "Outbound requests"): a timeout, a cap on what is sent and on
// what is read back, no redirects followed, and no connection to an address the server should not reach
// from a URL an admin typed (SSRF): loopback, link-local (cloud metadata at 169.254.169.254, fd00:ec2::254),
// private and unspecified ranges, metadata host names. The check runs on the addresses DNS returned, in the
// socket's own lookup, so a name that resolves elsewhere on the second lookup (DNS rebinding) is caught too.
// FLAGSTAFF_NOTIFY_ALLOW_PRIVATE=1 lifts it (receivers on the internal network; the tests' loopback ones).
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

export interface SendOptions {
  timeoutMs: number;
  allowPrivate: boolean;
  /** Aborts the request (shutdown). */
  signal?: AbortSignal;
}

export type SendResult =
  | { ok: true; status: number; latencyMs: number }
  | { ok: false; status: number | null; error: string; latencyMs: number; retryAfterMs?: number; retryable: boolean };

/** Largest body sent; an event summary is a few KiB. */
export const MAX_REQUEST_BYTES = 64 * 1024;
/** What is read of an answer before the connection is dropped: nobody needs more than a status. */
export const MAX_RESPONSE_BYTES = 16 * 1024;

const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fe80::', 10],
  ['fc00::', 7],
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv6');
}
const BLOCKED_NAMES = new Set(['localhost', 'metadata.google.internal', 'metadata', 'instance-data', 'metadata.azure.internal']);

/** Why an address may not be connected to, or null. fd00:ec2::254 is inside fc00::/7. */
export function refusedAddress(address: string): string | null {
  const family = isIP(address);
  if (family === 0) return null;
  // An IPv4-mapped IPv6 address (::ffff:169.254.169.254) is checked as the IPv4 address it carries.
  const mapped = family === 6 ? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] : undefined;
  const blocked = mapped ? BLOCKED.check(mapped, 'ipv4') : BLOCKED.check(address, family === 4 ? 'ipv4' : 'ipv6');
  return blocked ? `${address} is a private, loopback or link-local address` : null;
}

/** Why a URL may not be posted to before any lookup (scheme, literal address, metadata name), or null. */
export function refusedUrl(raw: string, allowPrivate: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'only http and https URLs are posted to';
  if (url.username || url.password) return 'a URL with credentials in it is refused';
  if (allowPrivate) return null;
  const host = url.hostname
    .replace(/^\[|\]$/g, '')
    .toLowerCase()
    .replace(/\.$/, '');
  if (BLOCKED_NAMES.has(host) || host.endsWith('.localhost')) return `${host} is a local or metadata host name`;
  return refusedAddress(host);
}

/** dns.lookup, refusing what resolves to a blocked address. */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 0);
    const list = addresses as LookupAddress[];
    const refused = list.map((a) => refusedAddress(a.address)).find((why) => why !== null);
    if (refused) return callback(Object.assign(new Error(`${hostname} resolves to ${refused}`), { code: 'EREFUSED_ADDRESS' }), '', 0);
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
    const first = list[0]!;
    callback(null, first.address, first.family);
  });
};

/** Parses Retry-After (seconds or an HTTP date) into milliseconds from now. */
export function retryAfterMs(header: string | string[] | undefined, now: number): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** POSTs `body` as JSON; never throws. */
export function post(url: string, body: string, headers: Record<string, string>, options: SendOptions): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const refused = refusedUrl(url, options.allowPrivate);
  if (refused !== null) return Promise.resolve({ ok: false, status: null, error: `refused: ${refused}`, latencyMs: 0, retryable: false });
  if (Buffer.byteLength(body) > MAX_REQUEST_BYTES) {
    return Promise.resolve({
      ok: false,
      status: null,
      error: `message larger than ${MAX_REQUEST_BYTES} bytes`,
      latencyMs: 0,
      retryable: false,
    });
  }
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const req = send(target, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'Content-Length': String(Buffer.byteLength(body)),
        'User-Agent': 'flagstaff-notify',
        ...headers,
      },
      ...(options.allowPrivate ? {} : { lookup: guardedLookup }),
    });
    const timer = setTimeout(() => {
      req.destroy();
      finish({ ok: false, status: null, error: `no answer within ${options.timeoutMs} ms`, latencyMs: elapsed(), retryable: true });
    }, options.timeoutMs);
    const onAbort = () => {
      req.destroy();
      finish({ ok: false, status: null, error: 'the server is shutting down', latencyMs: elapsed(), retryable: true });
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error: NodeJS.ErrnoException) => {
      const refusedAddr = error.code === 'EREFUSED_ADDRESS';
      finish({
        ok: false,
        status: null,
        error: refusedAddr ? `refused: ${error.message}` : error.message,
        latencyMs: elapsed(),
        retryable: !refusedAddr,
      });
    });
    req.on('response', (res) => {
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_RESPONSE_BYTES) res.destroy();
      });
      const status = res.statusCode ?? 0;
      const done = () => {
        if (status >= 200 && status < 300) return finish({ ok: true, status, latencyMs: elapsed() });
        // A redirect is not followed: the receiver's URL is what the admin configured, and a redirect could
        // point anywhere (metadata addresses included).
        const retryable = status === 429 || status === 408 || status >= 500;
        const after = retryAfterMs(res.headers['retry-after'], Date.now());
        finish({
          ok: false,
          status,
          error: status >= 300 && status < 400 ? `redirect to elsewhere not followed (${status})` : `answered ${status}`,
          latencyMs: elapsed(),
          retryable,
          ...(after !== undefined ? { retryAfterMs: after } : {}),
        });
      };
      res.on('end', done);
      res.on('close', done);
      res.on('error', done);
    });
    req.end(body);
  });
}
