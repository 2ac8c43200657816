// The messages, as tables (render.ts, events.ts): each audit entry's summary in plain words, and each
// target's documented shape — Slack's `{ text, blocks }`, Teams' Adaptive Card attachment, Standard
// Webhooks' `{ type, timestamp, data }` — without rule contents or key material.
import { describe, expect, it } from 'vitest';
import type { Actor } from '@flagstaff/core/admin';
import { eventOf, kindOf, type NotifyEvent, wants } from './events.js';
import { linkOf, slackPayload, teamsPayload, webhookPayload } from './render.js';

const alice: Actor = { kind: 'admin', id: 'key_1', name: 'alice' };
const hook: Actor = { kind: 'hook', id: 'hook_1', name: 'prod-alerts' };
const plan: Actor = { kind: 'system', id: 'plan_1', name: 'rollout plan 1' };
const AT = Date.parse('2026-12-04T10:00:00Z');
const state = (over: object) => ({
  version: 1,
  on: true,
  offVariation: 0,
  targets: [],
  rules: [{ id: 'staff', clauses: [{ attribute: 'email', op: 'endsWith', values: ['@secret-customer.com'] }], serve: { variation: 1 } }],
  fallthrough: { variation: 1 },
  updatedAt: '2026-12-04T10:00:00Z',
  ...over,
});
const flagEntry = (action: string, before: object, after: object) => ({
  action,
  env: 'production',
  resource: { kind: 'flag', key: 'new-checkout' },
  before: state(before),
  after: state(after),
});

describe('events', () => {
  it.each([
    ['flag_state.update', alice, 'change'],
    ['flag_state.kill', hook, 'kill'],
    ['flag_state.rollback', hook, 'kill'],
    ['flag_state.restore', hook, 'kill'],
    ['kill.resolved', hook, 'kill'],
    ['rollout_plan.pause', plan, 'plan'],
    ['flag.archive', alice, 'flag'],
    ['key.revoke', alice, 'key'],
    ['segment.delete', alice, null],
    ['notification.create', alice, null],
  ] as const)('%s by %j is a %s event', (action, actor, kind) => {
    expect(kindOf(action, actor)).toBe(kind);
  });

  it.each([
    [
      flagEntry('flag_state.update', { on: true }, { on: false }),
      alice,
      'new-checkout turned OFF in production by alice',
      [['state', 'on', 'off']],
    ],
    [
      flagEntry('flag_state.kill', { on: true }, { on: false }),
      hook,
      'new-checkout turned OFF in production by alert hook prod-alerts',
      [['state', 'on', 'off']],
    ],
    [
      flagEntry(
        'flag_state.update',
        { fallthrough: { rollout: { bucketBy: 'key', weights: [75000, 25000] } } },
        { fallthrough: { rollout: { bucketBy: 'key', weights: [50000, 50000] } }, targets: [{ variation: 1, values: ['u1'] }] },
      ),
      alice,
      'new-checkout changed in production by alice',
      [
        ['rollout', '75% / 25%', '50% / 50%'],
        ['targets', '0 targets', '1 target'],
      ],
    ],
  ])('summarises %#', (entry, actor, summary, changes) => {
    const event = eventOf(entry, actor, AT, 'errors up')!;
    expect(event.summary).toBe(summary);
    expect(event.changes.map((c) => [c.field, c.before, c.after])).toEqual(changes);
    expect(event.reason).toBe('errors up');
    // Rule contents (client-side or not) are never part of the event: only how many there are.
    expect(JSON.stringify(event)).not.toContain('secret-customer');
  });

  it('names a key by kind, name and hint, never the key', () => {
    const info = {
      id: 'key_2',
      kind: 'server',
      name: 'checkout-api',
      env: 'production',
      hint: 'x9Qz',
      createdAt: '',
      lastUsedAt: null,
      revokedAt: null,
    };
    const event = eventOf({ action: 'key.create', resource: { kind: 'key', key: 'key_2' }, after: info }, alice, AT, undefined)!;
    expect(event.summary).toBe('server key "checkout-api" (…x9Qz) in production created');
  });

  it.each([
    [{ events: ['kill'], tags: [], flags: [] }, 'kill', 'a', [], true],
    [{ events: ['kill'], tags: [], flags: [] }, 'change', 'a', [], false],
    [{ events: ['change'], tags: ['payments'], flags: [] }, 'change', 'a', ['payments', 'x'], true],
    [{ events: ['change'], tags: ['payments'], flags: [] }, 'change', 'a', ['x'], false],
    [{ events: ['change'], tags: [], flags: ['a'] }, 'change', 'b', [], false],
    [{ events: ['key'], tags: [], flags: ['a'] }, 'key', null, [], false],
  ] as const)('subscription %j wants a %s of %s tagged %j: %s', (sub, kind, flag, tags, expected) => {
    expect(wants({ events: [...sub.events], tags: [...sub.tags], flags: [...sub.flags] }, kind, flag, [...tags])).toBe(expected);
  });
});

describe('renderers', () => {
  const event: NotifyEvent = {
    ...eventOf(flagEntry('flag_state.kill', { on: true }, { on: false }), hook, AT, 'alert "Errors<5xx>" firing')!,
  };
  const link = linkOf(event, 'https://flags.example.com/');

  it('links to the flag page when the public URL is known', () => {
    expect(link).toBe('https://flags.example.com/flags/new-checkout?env=production');
    expect(linkOf(event, undefined)).toBeUndefined();
  });

  it('renders Slack Block Kit with a fallback text, escaping mrkdwn', () => {
    expect(slackPayload(event, link)).toEqual({
      text: 'new-checkout turned OFF in production by alert hook prod-alerts',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: '*new-checkout turned OFF in production by alert hook prod-alerts*' } },
        { type: 'section', fields: [{ type: 'mrkdwn', text: '*state*\non → off' }] },
        {
          type: 'context',
          elements: [{ type: 'mrkdwn', text: 'by alert: prod-alerts · environment production · reason: alert "Errors&lt;5xx&gt;" firing' }],
        },
        { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in Flagstaff' }, url: link }] },
      ],
    });
  });

  it('renders a Teams Adaptive Card in a message attachment', () => {
    const message = teamsPayload(event, link) as any;
    expect(message.type).toBe('message');
    expect(message.attachments).toHaveLength(1);
    expect(message.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(message.attachments[0].content).toMatchObject({
      type: 'AdaptiveCard',
      version: '1.4',
      body: [
        { type: 'TextBlock', text: 'new-checkout turned OFF in production by alert hook prod-alerts', weight: 'Bolder' },
        { type: 'FactSet', facts: [{ title: 'state', value: 'on → off' }] },
        { type: 'TextBlock', text: 'by alert: prod-alerts · environment production · reason: alert "Errors<5xx>" firing' },
      ],
      actions: [{ type: 'Action.OpenUrl', url: link }],
    });
  });

  it('renders the Standard Webhooks payload convention', () => {
    expect(webhookPayload(event, link)).toEqual({
      type: 'flag_state.kill',
      timestamp: '2026-12-04T10:00:00.000Z',
      data: { ...event, link },
    });
  });
});
