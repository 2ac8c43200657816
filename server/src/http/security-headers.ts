// Headers that tell a browser how to treat whatever this server answers (docs/operations.md, "Security
// headers and CORS"). Every response is JSON, an event stream or metrics text that nothing should render,
// frame or sniff; the admin API's answers also must not be stored by a cache (they carry keys, hooks'
// URLs, audit entries). Routes that need otherwise set their own value and it is kept.
import type { MiddlewareHandler } from 'hono';

/** Nothing this server answers is a page: no scripts, styles, frames or plugins, and no framing by others. */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

const EVERY_RESPONSE: ReadonlyArray<[name: string, value: string]> = [
  ['X-Content-Type-Options', 'nosniff'],
  ['Content-Security-Policy', CONTENT_SECURITY_POLICY],
  // frame-ancestors' older spelling, for browsers and scanners that only read this one.
  ['X-Frame-Options', 'DENY'],
  ['Referrer-Policy', 'no-referrer'],
];

export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const headers = c.res.headers;
    for (const [name, value] of EVERY_RESPONSE) if (!headers.has(name)) c.header(name, value);
    if (c.req.path.startsWith('/api/') && !headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
  };
}
