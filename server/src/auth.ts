// Who is calling. Admin tokens (`fsa_`) unlock /api/v1 within their scopes; SDK keys (`fss_`, `fsc_`)
// unlock one environment's SDK and OFREP routes. Neither works where the other belongs.
import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from './errors.js';
import type { AppEnv } from './http/context.js';
import type { KeyStore } from './store/keys.js';
import type { Actor, Scope } from './store/resources.js';
import { kindOf } from './secrets.js';
import type { Audience } from './snapshot-views.js';

export interface SdkPrincipal {
  keyId: string;
  env: string;
  /** Client keys are public (browsers) and see only `clientSide` flags. */
  audience: Audience;
}

export interface AdminPrincipal {
  keyId: string;
  name: string;
  scopes: Scope[];
}

export type SdkKeyStatus = 'valid' | 'revoked' | 'unknown';

const SCOPE_RANK: Record<Scope, number> = { read: 1, write: 2, admin: 3 };

/** `admin` implies `write` implies `read`. */
export const hasScope = (scopes: readonly Scope[], needed: Scope) => scopes.some((s) => SCOPE_RANK[s] >= SCOPE_RANK[needed]);

export const actorOf = (admin: AdminPrincipal): Actor => ({ kind: 'admin', id: admin.keyId, name: admin.name });

/** The credential of `Authorization: Bearer <key>` or `Authorization: <key>`. */
export function credentialFromHeader(header: string | undefined): string | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  const bearer = /^bearer\s+(.+)$/i.exec(value);
  return (bearer ? bearer[1]! : value).trim();
}

const unauthorized = (message: string) => new ApiError('unauthorized', message);

export class Auth {
  constructor(private readonly keys: KeyStore) {}

  /** Resolves an SDK key to its environment; null for anything else (unknown, revoked, admin token). */
  authenticateSdkKey(rawKey: string): SdkPrincipal | null {
    const found = this.keys.lookup(rawKey);
    if (found.status !== 'valid' || found.key.kind === 'admin' || found.key.env === null) return null;
    this.keys.touch(found.key);
    return { keyId: found.key.id, env: found.key.env, audience: found.key.kind };
  }

  /** Tells a revoked key from an unknown one: the stream answers a revoked key with 204 (stop retrying). */
  sdkKeyStatus(rawKey: string): SdkKeyStatus {
    const found = this.keys.lookup(rawKey);
    if (found.status === 'unknown' || found.key.kind === 'admin') return 'unknown';
    return found.status;
  }

  /** The admin principal of `Authorization`, or the 401/403 that explains why there is none. */
  authenticateAdmin(header: string | undefined): AdminPrincipal {
    const secret = credentialFromHeader(header);
    if (secret === undefined) throw unauthorized('missing credentials: send Authorization: Bearer <admin token>');
    const found = this.keys.lookup(secret);
    if (found.status === 'unknown') throw unauthorized('unknown token');
    if (found.status === 'revoked') throw unauthorized('this token was revoked');
    if (found.key.kind !== 'admin') {
      throw new ApiError('forbidden', 'SDK keys cannot call the admin API: use an admin token (fsa_…)');
    }
    this.keys.touch(found.key);
    return { keyId: found.key.id, name: found.key.name, scopes: found.key.scopes ?? [] };
  }

  /**
   * The SDK principal of a request: the key from `Authorization`, or — for client keys only, since
   * browsers' EventSource cannot send headers — from `?key=`. Server keys never travel in URLs.
   */
  authenticateSdkRequest(c: Context): SdkPrincipal {
    const fromHeader = credentialFromHeader(c.req.header('Authorization'));
    const secret = fromHeader ?? c.req.query('key')?.trim();
    if (!secret) throw unauthorized('missing credentials: send Authorization: <SDK key> (or ?key=<client key> from a browser)');
    // A secret that reached a URL is already in proxy and access logs: refuse it, whatever it is.
    if (fromHeader === undefined && kindOf(secret) !== 'client') {
      throw new ApiError('forbidden', 'only client keys (fsc_…) may be sent in the URL; send other keys in the Authorization header');
    }
    const found = this.keys.lookup(secret);
    if (found.status === 'unknown') throw unauthorized('unknown SDK key');
    if (found.status === 'revoked') throw unauthorized('this SDK key was revoked');
    if (found.key.kind === 'admin') {
      throw new ApiError('forbidden', 'admin tokens cannot read SDK endpoints: use a server (fss_…) or client (fsc_…) key');
    }
    this.keys.touch(found.key);
    return { keyId: found.key.id, env: found.key.env!, audience: found.key.kind };
  }
}

/** /api/v1: an admin token, whatever the route; scopes are checked per route with `requireScope`. */
export const requireAdmin =
  (auth: Auth): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    c.set('admin', auth.authenticateAdmin(c.req.header('Authorization')));
    await next();
  };

export const requireScope =
  (needed: Scope): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const { scopes } = c.get('admin');
    if (!hasScope(scopes, needed)) {
      throw new ApiError('forbidden', `this token has scope ${scopes.join(', ') || 'none'}; this needs ${needed}`);
    }
    await next();
  };

export const requireSdkKey =
  (auth: Auth): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    c.set('sdk', auth.authenticateSdkRequest(c));
    await next();
  };
