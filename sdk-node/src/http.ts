// The SDK's HTTP plumbing: how requests to /sdk/v1 are authorised and bounded, and how a failed response
// becomes a SyncError with a code the application can act on.
import type { SyncError } from '@flagstaff/core/sync';

export const SDK_NAME = '@flagstaff/node';
export const SDK_VERSION = '0.1.0';

export class SdkHttp {
  constructor(
    readonly baseUrl: string,
    private readonly sdkKey: string,
    readonly timeoutMs: number,
    /** Sent on every request, so that the server can name this process in propagation reports. */
    readonly instanceId?: string,
  ) {}

  /** Server keys travel only in this header, never in a URL (they would end up in proxy logs). */
  headers(extra: Record<string, string> = {}): Record<string, string> {
    const identity: Record<string, string> =
      this.instanceId === undefined ? {} : { 'X-Flagstaff-Instance': this.instanceId, 'X-Flagstaff-SDK': `node/${SDK_VERSION}` };
    return { Authorization: this.sdkKey, 'User-Agent': `FlagstaffNode/${SDK_VERSION}`, ...identity, ...extra };
  }

  url(path: string): string {
    return this.baseUrl + path;
  }

  /** A bounded request; rejects on network failure or timeout (see networkFailure). */
  request(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(this.url(path), {
      ...init,
      headers: this.headers(init.headers as Record<string, string> | undefined),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
  }
}

const CODES: Record<number, string> = {
  204: 'revoked',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  429: 'rate_limited',
  503: 'unavailable',
};

/** 204 on the stream means "stop": the key was revoked or its environment deleted. 401/403 refuse the key. */
export const isRefusal = (status: number | undefined) => status === 204 || status === 401 || status === 403;

/** The failure a non-successful response stands for, with the server's own message when it sent one. */
export async function responseFailure(response: Response): Promise<SyncError> {
  const { status } = response;
  let message = `HTTP ${status} from ${new URL(response.url || 'http://server').pathname}`;
  try {
    const body = (await response.json()) as { error?: { message?: unknown } };
    if (typeof body?.error?.message === 'string') message = `${message}: ${body.error.message}`;
  } catch {
    // No JSON body (a proxy's HTML page, a 204): the status says enough.
  }
  return { code: CODES[status] ?? (status >= 500 ? 'server_error' : `http_${status}`), message, status };
}

export function networkFailure(error: unknown): SyncError {
  const name = (error as Error | undefined)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return { code: 'timeout', message: 'the server did not answer in time' };
  const cause = (error as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  return { code: 'network', message: cause?.code ?? cause?.message ?? (error as Error | undefined)?.message ?? String(error) };
}

/** Retry-After as milliseconds (delta-seconds or an HTTP date); null when absent or unreadable. */
export function retryAfterMs(response: Response, now = Date.now()): number | null {
  const value = response.headers.get('retry-after');
  if (value === null || value.trim() === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
