// What every provider's payload becomes: one NormalisedAlert per alert, whatever system sent it. Kill rules
// and deduplication only ever see this shape (alertmanager.ts, grafana.ts, datadog.ts, generic.ts make it).
import type { HookProvider } from '@flagstaff/core/admin';

/** The admin API's providers, listed for the checks that run (PROVIDER_INFO has an entry for each). */
export const PROVIDERS = ['alertmanager', 'grafana', 'datadog', 'generic'] as const satisfies readonly HookProvider[];
export type Provider = HookProvider;

export type AlertStatus = 'firing' | 'resolved';

/** Where a person goes to understand the alert; copied into the audit entry of every action it causes. */
export interface AlertLinks {
  runbook?: string;
  dashboard?: string;
  /** The alert's source: Prometheus' generatorURL, Datadog's $LINK. */
  source?: string;
}

export interface NormalisedAlert {
  /** Matched against a kill rule's `alert` (Prometheus' `alertname` label, Datadog's $ALERT_TITLE). */
  name: string;
  status: AlertStatus;
  labels: Record<string, string>;
  /** Identifies the alert across notifications (Alertmanager's fingerprint, or one computed the same way). */
  fingerprint: string;
  /** Tells two firings of one alert apart: startsAt, Datadog's $ALERT_CYCLE_KEY; '' when unknown. */
  occurrence: string;
  links: AlertLinks;
}

/** What a provider's parser makes of one request body. */
export interface Notification {
  alerts: NormalisedAlert[];
  /** Why the notification as a whole is acknowledged without action (a Datadog `[TEST]`, a `Warn`). */
  ignored?: string;
}

/** A well-formed request whose body is not what the provider sends: 400 with this message. */
export class PayloadError extends Error {
  override name = 'PayloadError';
}

const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;

/**
 * Alertmanager's fingerprint of a label set: FNV-1a 64 over the label names and values sorted by name,
 * each followed by the byte 0xFF, as 16 hex digits. Used where the sender gives none, so one alert keeps one
 * identity whichever way it arrives.
 */
export function fingerprintOf(labels: Record<string, string>): string {
  let hash = FNV64_OFFSET;
  const feed = (text: string) => {
    for (const byte of Buffer.from(text, 'utf8')) hash = ((hash ^ BigInt(byte)) * FNV64_PRIME) & MASK64;
    hash = ((hash ^ 0xffn) * FNV64_PRIME) & MASK64;
  };
  for (const name of Object.keys(labels).sort()) {
    feed(name);
    feed(labels[name]!);
  }
  return hash.toString(16).padStart(16, '0');
}

const RUNBOOK_KEYS = ['runbook_url', 'runbook', 'runbookURL', 'runbook_link'];
const DASHBOARD_KEYS = ['dashboard_url', 'dashboard', 'dashboardURL', 'grafana_url'];

const firstOf = (record: Record<string, string>, keys: string[]) => keys.map((k) => record[k]).find((v) => v !== undefined && v !== '');

/** Links from the annotation names the Prometheus and Grafana communities use. */
export function linksFromAnnotations(annotations: Record<string, string>, extra: AlertLinks = {}): AlertLinks {
  const links: AlertLinks = {};
  const runbook = firstOf(annotations, RUNBOOK_KEYS) ?? extra.runbook;
  const dashboard = firstOf(annotations, DASHBOARD_KEYS) ?? extra.dashboard;
  if (runbook) links.runbook = runbook;
  if (dashboard) links.dashboard = dashboard;
  if (extra.source) links.source = extra.source;
  return links;
}
