// Which parser reads which provider's body, and how each provider can prove who it is.
import type { HookAuth } from '@flagstaff/core/admin';
import { validationFailed } from '../errors.js';
import type { Notification, Provider } from './alert.js';
import { parseAlertmanager } from './alertmanager.js';
import { parseDatadog } from './datadog.js';
import { parseGeneric } from './generic.js';
import { parseGrafana } from './grafana.js';

export interface ProviderInfo {
  parse(body: unknown): Notification;
  /** How hooks authenticate by default. */
  defaultAuth: HookAuth;
  /** Signature and timestamp headers, for providers that can sign (REFERENCE.md). */
  signing?: { signatureHeader: string; timestampHeader: string };
}

export const PROVIDER_INFO: Record<Provider, ProviderInfo> = {
  // Alertmanager cannot sign: authorization (bearer) or basic_auth.
  alertmanager: { parse: parseAlertmanager, defaultAuth: 'bearer' },
  grafana: {
    parse: parseGrafana,
    defaultAuth: 'hmac',
    signing: { signatureHeader: 'X-Grafana-Alerting-Signature', timestampHeader: 'X-Grafana-Alerting-Timestamp' },
  },
  // Datadog cannot sign: a custom Authorization header or basic auth.
  datadog: { parse: parseDatadog, defaultAuth: 'bearer' },
  generic: {
    parse: parseGeneric,
    defaultAuth: 'bearer',
    signing: { signatureHeader: 'X-Flagstaff-Signature', timestampHeader: 'X-Flagstaff-Timestamp' },
  },
};

/**
 * How a new hook of `provider` authenticates: as asked, or the provider's default. HMAC only for
 * providers that can sign (a validation error otherwise, before anything is written).
 */
export function hookAuth(provider: Provider, requested: HookAuth | undefined): HookAuth {
  const auth = requested ?? PROVIDER_INFO[provider].defaultAuth;
  if (auth === 'hmac' && !PROVIDER_INFO[provider].signing) {
    throw validationFailed([{ path: 'auth', message: `${provider} cannot sign its requests: use bearer` }]);
  }
  return auth;
}
