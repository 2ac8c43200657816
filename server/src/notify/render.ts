// What each target is sent for one event (docs/notifications.md): a Standard Webhooks payload, a Slack
// Block Kit message, a Microsoft Teams Adaptive Card. Pure functions of the event (render.test.ts); the
// event summary (events.ts) already holds only what may be shown.
import type { NotifyTarget } from '@flagstaff/core/admin';
import type { NotifyEvent } from './events.js';

/** The console page of what the event is about, when the server knows its public address. */
export function linkOf(event: NotifyEvent, publicUrl: string | undefined): string | undefined {
  if (publicUrl === undefined || event.resource.kind !== 'flag') return undefined;
  const base = publicUrl.replace(/\/+$/, '');
  const env = event.env ? `?env=${encodeURIComponent(event.env)}` : '';
  return `${base}/flags/${encodeURIComponent(event.resource.key)}${env}`;
}

/** Who did it, in words. */
function who(event: NotifyEvent): string {
  if (event.actor.kind === 'hook') return `alert: ${event.actor.name}`;
  if (event.actor.kind === 'system') return `Flagstaff (${event.actor.name})`;
  return event.actor.name;
}

/** Standard Webhooks' payload convention: `{ type, timestamp, data }`. */
export function webhookPayload(event: NotifyEvent, link?: string): unknown {
  return { type: event.type, timestamp: event.at, data: { ...event, ...(link ? { link } : {}) } };
}

/** Slack's mrkdwn treats these three as control characters (api.slack.com, "Escaping text"). */
const escapeSlack = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function slackPayload(event: NotifyEvent, link?: string): unknown {
  const blocks: unknown[] = [{ type: 'section', text: { type: 'mrkdwn', text: `*${escapeSlack(event.summary)}*` } }];
  if (event.changes.length > 0) {
    blocks.push({
      type: 'section',
      fields: event.changes.slice(0, 10).map((c) => ({
        type: 'mrkdwn',
        text: `*${escapeSlack(c.field)}*\n${escapeSlack(c.before)} → ${escapeSlack(c.after)}`,
      })),
    });
  }
  const context = [
    `by ${who(event)}`,
    ...(event.env ? [`environment ${event.env}`] : []),
    ...(event.reason ? [`reason: ${event.reason}`] : []),
  ];
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: escapeSlack(context.join(' · ')) }] });
  if (link) {
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in Flagstaff' }, url: link }],
    });
  }
  return { text: event.summary, blocks };
}

export function teamsPayload(event: NotifyEvent, link?: string): unknown {
  const body: unknown[] = [{ type: 'TextBlock', text: event.summary, weight: 'Bolder', size: 'Medium', wrap: true }];
  if (event.changes.length > 0) {
    body.push({ type: 'FactSet', facts: event.changes.map((c) => ({ title: c.field, value: `${c.before} → ${c.after}` })) });
  }
  const context = [
    `by ${who(event)}`,
    ...(event.env ? [`environment ${event.env}`] : []),
    ...(event.reason ? [`reason: ${event.reason}`] : []),
  ];
  body.push({ type: 'TextBlock', text: context.join(' · '), isSubtle: true, wrap: true, size: 'Small' });
  const content = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body,
    ...(link ? { actions: [{ type: 'Action.OpenUrl', title: 'Open in Flagstaff', url: link }] } : {}),
  };
  return { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content }] };
}

export function payloadFor(target: NotifyTarget, event: NotifyEvent, link?: string): unknown {
  switch (target) {
    case 'webhook':
      return webhookPayload(event, link);
    case 'slack':
      return slackPayload(event, link);
    case 'teams':
      return teamsPayload(event, link);
  }
}
