// CORS for the SDK read routes, which a primary (routes/sdk.ts) and a relay (stream/relay-app.ts) both
// serve: open to client keys, closed to everything else.
import type { Context, MiddlewareHandler } from 'hono';
import { credentialFromHeader } from '../auth.js';
import { kindOf } from '../secrets.js';

const presentedSecret = (c: Context) => credentialFromHeader(c.req.header('Authorization')) ?? c.req.query('key')?.trim();

/**
 * Browsers call these routes with client keys, which are public: CORS `*` for them, on errors too so that
 * a 401 is readable. Only for them: a page on another origin must not read what a server key returns
 * (docs/operations.md, "Security headers and CORS"). A preflight carries no credentials, so it is
 * answered unless its URL holds a key that is not a client key; the request itself is then checked.
 */
export const publicCors: MiddlewareHandler = async (c, next) => {
  await next();
  const secret = presentedSecret(c);
  const isClientKey = secret !== undefined && kindOf(secret) === 'client';
  if (c.req.method === 'OPTIONS' ? secret !== undefined && !isClientKey : !isClientKey) return;
  c.header('Access-Control-Allow-Origin', '*');
  if (c.req.method === 'OPTIONS') {
    c.header('Access-Control-Allow-Methods', 'GET, OPTIONS');
    c.header('Access-Control-Allow-Headers', 'Authorization, If-None-Match');
    c.header('Access-Control-Max-Age', '86400');
  } else {
    c.header('Access-Control-Expose-Headers', 'ETag, X-Request-Id');
  }
};
