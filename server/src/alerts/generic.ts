// The generic receiver, for anything that can POST JSON (a script, a CI job, an uptime checker):
//   { "alert": "HighErrorRate", "status": "firing" | "resolved", "labels": { "flag": "new-checkout" },
//     "fingerprint"?, "startsAt"?, "annotations"? }
// Without a fingerprint, the alert name and labels identify it (computed as Alertmanager does).
import { z } from 'zod';
import { fingerprintOf, linksFromAnnotations, type Notification } from './alert.js';
import { parsePayload } from './payload.js';

const labelSet = z.record(z.string(), z.string());

const genericAlert = z.strictObject({
  alert: z.string().trim().min(1, 'alert names the alert'),
  status: z.enum(['firing', 'resolved'], { error: 'status is firing or resolved' }),
  labels: labelSet.optional().default({}),
  annotations: labelSet.optional().default({}),
  fingerprint: z.string().trim().min(1).max(200).optional(),
  startsAt: z.string().max(100).optional(),
});

export function parseGeneric(body: unknown): Notification {
  const alert = parsePayload(genericAlert, body, 'a generic alert');
  const labels = { ...alert.labels, alertname: alert.alert };
  return {
    alerts: [
      {
        name: alert.alert,
        status: alert.status,
        labels,
        fingerprint: alert.fingerprint ?? fingerprintOf(labels),
        occurrence: alert.startsAt ?? '',
        links: linksFromAnnotations(alert.annotations),
      },
    ],
  };
}
