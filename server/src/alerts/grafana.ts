// Grafana-managed alerting's webhook contact point: the Alertmanager shape (top-level version "1") plus
// orgId, state, title, message, and per alert dashboardURL, panelURL, silenceURL, values, valueString.
import { z } from 'zod';
import type { Notification } from './alert.js';
import { alertmanagerAlert, normaliseAlert } from './alertmanager.js';
import { parsePayload } from './payload.js';

const grafanaAlert = alertmanagerAlert.extend({
  dashboardURL: z.string().optional(),
  panelURL: z.string().optional(),
});

const notification = z.object({
  alerts: z.array(grafanaAlert, { error: 'alerts must be an array of alerts' }),
});

export function parseGrafana(body: unknown): Notification {
  const parsed = parsePayload(notification, body, 'a Grafana webhook notification');
  return {
    alerts: parsed.alerts.map((alert, i) =>
      // A panel link is the more precise dashboard link: it opens the graph that fired.
      normaliseAlert(alert, i, { dashboard: alert.panelURL || alert.dashboardURL || undefined }),
    ),
  };
}
