// Prometheus Alertmanager's webhook_configs body (version "4"). Alertmanager groups alerts: one
// notification carries firing and resolved alerts side by side, and its top-level `status` stays
// `firing` until every alert is resolved — so only each alert's own status counts. Unknown fields
// (newer Alertmanagers add some) are ignored.
import { z } from 'zod';
import { fingerprintOf, linksFromAnnotations, PayloadError, type AlertLinks, type Notification, type NormalisedAlert } from './alert.js';
import { parsePayload } from './payload.js';

const labelSet = z.record(z.string(), z.string());

export const alertmanagerAlert = z.object({
  status: z.enum(['firing', 'resolved'], { error: 'status is firing or resolved' }),
  labels: labelSet,
  annotations: labelSet.optional().default({}),
  startsAt: z.string().optional().default(''),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});

const notification = z.object({
  version: z.string().optional(),
  status: z.enum(['firing', 'resolved']).optional(),
  alerts: z.array(alertmanagerAlert, { error: 'alerts must be an array of alerts' }),
});

export type AlertmanagerAlert = z.output<typeof alertmanagerAlert>;

/** One alert of an Alertmanager-shaped body (Grafana's too); `extra` adds provider-specific links. */
export function normaliseAlert(alert: AlertmanagerAlert, index: number, extra: AlertLinks = {}): NormalisedAlert {
  const name = alert.labels.alertname;
  if (!name) throw new PayloadError(`alerts[${index}]: the labels have no alertname`);
  return {
    name,
    status: alert.status,
    labels: alert.labels,
    fingerprint: alert.fingerprint || fingerprintOf(alert.labels),
    occurrence: alert.startsAt,
    links: linksFromAnnotations(alert.annotations, { source: alert.generatorURL || undefined, ...extra }),
  };
}

export function parseAlertmanager(body: unknown): Notification {
  const parsed = parsePayload(notification, body, 'an Alertmanager webhook notification');
  return { alerts: parsed.alerts.map((alert, i) => normaliseAlert(alert, i)) };
}
