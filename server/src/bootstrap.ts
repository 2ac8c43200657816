// The first start: a store without admin tokens gets one, printed once (only its hash is stored), or
// adopts FLAGSTAFF_ADMIN_TOKEN for automation. Without this nobody could ever call the admin API.
import type { Config } from './config.js';
import type { Logger } from './log.js';
import { SYSTEM_ACTOR, type Store } from './store/index.js';

/**
 * Creates the first admin token if the store has none; returns the secret when it must be shown. Several
 * instances first started together on one empty file create exactly one between them: the check that the
 * store has none is made again inside the write (keys.ts, createFirstAdmin).
 */
export function bootstrapAdminToken(store: Store, config: Config, log: Logger): string | undefined {
  const created = store.keys.hasAdminToken()
    ? undefined
    : store.keys.createFirstAdmin({ name: 'bootstrap' }, { actor: SYSTEM_ACTOR }, config.adminToken);
  if (created === undefined) {
    if (config.adminToken !== undefined && store.keys.lookup(config.adminToken).status !== 'valid') {
      log.warn('FLAGSTAFF_ADMIN_TOKEN is ignored: this store already has admin tokens, and it is not one of them');
    }
    return undefined;
  }
  const { info, key } = created;
  if (config.adminToken !== undefined) {
    log.info('adopted FLAGSTAFF_ADMIN_TOKEN as the first admin token', { keyId: info.id });
    return undefined;
  }
  log.info('created the first admin token', { keyId: info.id });
  return key;
}

/** The framed notice with the new token and how to make more. */
export function tokenBanner(token: string, url: string): string {
  const rule = '='.repeat(78);
  return [
    '',
    rule,
    '  Flagstaff: first start. Your admin token (shown ONCE, only its hash is kept):',
    '',
    `      ${token}`,
    '',
    '  Try it:',
    `      curl -H "Authorization: Bearer ${token}" ${url}/api/v1/flags`,
    '  Create more tokens (or SDK keys) with the CLI or the API:',
    '      flagstaff keys create --kind admin',
    `      curl -X POST ${url}/api/v1/keys -H "Authorization: Bearer <token>" \\`,
    `           -H "Content-Type: application/json" -d '{"kind":"admin","name":"ci"}'`,
    rule,
    '',
    '',
  ].join('\n');
}
