// Datadog webhooks have no fixed body: the user writes a template of $VARIABLES, each substituted as a
// string. docs/alerts.md ships the template this parser reads:
//   { "alert_title": "$ALERT_TITLE", "alert_transition": "$ALERT_TRANSITION", "alert_id": "$ALERT_ID",
//     "alert_cycle_key": "$ALERT_CYCLE_KEY", "event_title": "$EVENT_TITLE", "alert_scope": "$ALERT_SCOPE",
//     "tags": "$TAGS", "link": "$LINK" }
// Tags (`env:prod,flag:new-checkout`) and the scope become labels, so `--flag-label flag` works here too.
import { z } from 'zod';
import { fingerprintOf, type AlertStatus, type Notification } from './alert.js';
import { parsePayload } from './payload.js';

const text = z.string({ error: 'expected a string (Datadog substitutes every variable as a string)' });

const body = z.object({
  alert_title: text.trim().min(1, 'alert_title ($ALERT_TITLE) names the monitor'),
  alert_transition: text.trim().min(1, 'alert_transition ($ALERT_TRANSITION) is required'),
  alert_id: text.trim().min(1, 'alert_id ($ALERT_ID) is required'),
  alert_cycle_key: text.optional(),
  event_title: text.optional(),
  alert_scope: text.optional(),
  tags: text.optional(),
  link: text.optional(),
});

const TRANSITIONS: Record<string, AlertStatus> = {
  triggered: 'firing',
  're-triggered': 'firing',
  renotify: 'firing',
  're-notify': 'firing',
  recovered: 'resolved',
};

/** `env:prod, flag:new-checkout,team` → { env: 'prod', flag: 'new-checkout', team: '' }. */
export function labelsFromTags(tags: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const tag of (tags ?? '').split(',')) {
    const trimmed = tag.trim();
    if (trimmed === '' || trimmed === '*') continue;
    const colon = trimmed.indexOf(':');
    if (colon === -1) labels[trimmed] = '';
    else labels[trimmed.slice(0, colon)] = trimmed.slice(colon + 1);
  }
  return labels;
}

/** A template variable Datadog had no value for is left as written (`$ALERT_CYCLE_KEY`): treat it as absent. */
const substituted = (value: string | undefined) => (value === undefined || /^\$[A-Z_]+$/.test(value.trim()) ? '' : value.trim());

/** Titles may carry bracketed prefixes (`[P1] [Triggered on {service:web}] High error rate`); rules name the monitor. */
const monitorName = (title: string) => title.replace(/^(\s*\[[^\]]*\])+\s*/, '').trim() || title.trim();

export function parseDatadog(input: unknown): Notification {
  const dd = parsePayload(body, input, 'the Datadog webhook template of docs/alerts.md');
  if (/\[TEST\]/i.test(dd.event_title ?? '') || /\[TEST\]/i.test(dd.alert_title)) {
    return { alerts: [], ignored: 'a Datadog test notification ([TEST] in the title)' };
  }
  const status = TRANSITIONS[dd.alert_transition.toLowerCase()];
  if (status === undefined) return { alerts: [], ignored: `Datadog transition "${dd.alert_transition}" neither fires nor resolves` };

  const name = monitorName(dd.alert_title);
  const scope = substituted(dd.alert_scope);
  const labels = { ...labelsFromTags(substituted(dd.tags)), ...labelsFromTags(scope), alertname: name };
  const link = substituted(dd.link);
  return {
    alerts: [
      {
        name,
        status,
        labels,
        // One monitor alerts once per group (scope): the pair is the alert's identity.
        fingerprint: fingerprintOf({ alert_id: dd.alert_id, scope }),
        occurrence: substituted(dd.alert_cycle_key),
        links: link ? { source: link } : {},
      },
    ],
  };
}
