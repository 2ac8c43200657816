import { describe, expect, it } from 'vitest';
import { PayloadError } from './alert.js';
import { labelsFromTags, parseDatadog } from './datadog.js';
import { datadogBody } from './testing/payloads.js';

describe('parseDatadog (the template of docs/alerts.md)', () => {
  it.each([
    ['Triggered', 'firing'],
    ['Re-Triggered', 'firing'],
    ['Renotify', 'firing'],
    ['Recovered', 'resolved'],
  ])('%s → %s', (transition, status) => {
    expect(parseDatadog(datadogBody({ transition })).alerts.map((a) => a.status)).toEqual([status]);
  });

  it.each(['Warn', 'No Data', 'Re-Warn'])('acknowledges %s without an alert', (transition) => {
    const parsed = parseDatadog(datadogBody({ transition }));
    expect(parsed.alerts).toEqual([]);
    expect(parsed.ignored).toContain(transition);
  });

  it('takes no action on a test notification ([TEST] in the title)', () => {
    const parsed = parseDatadog(datadogBody({ transition: 'Triggered', eventTitle: '[TEST] [Triggered] High checkout error rate' }));
    expect(parsed).toEqual({ alerts: [], ignored: expect.stringContaining('test notification') });
  });

  it('names the alert after the monitor, labels it from tags and scope, links the monitor', () => {
    const [alert] = parseDatadog(datadogBody({ transition: 'Triggered', title: '[P1] High checkout error rate' })).alerts;
    expect(alert).toMatchObject({
      name: 'High checkout error rate',
      labels: { env: 'prod', flag: 'new-checkout', team: 'payments', service: 'checkout', alertname: 'High checkout error rate' },
      occurrence: '7010357291245812345',
      links: { source: 'https://app.datadoghq.com/monitors/1234567' },
    });
  });

  it('gives trigger and recovery of one monitor group the same fingerprint, other groups another', () => {
    const fp = (input: Parameters<typeof datadogBody>[0]) => parseDatadog(datadogBody(input)).alerts[0]!.fingerprint;
    expect(fp({ transition: 'Triggered' })).toBe(fp({ transition: 'Recovered' }));
    expect(fp({ transition: 'Triggered', scope: 'service:web' })).not.toBe(fp({ transition: 'Triggered', scope: 'service:api' }));
  });

  it('treats a variable Datadog left unsubstituted as absent', () => {
    const [alert] = parseDatadog(datadogBody({ transition: 'Triggered', cycleKey: '$ALERT_CYCLE_KEY' })).alerts;
    expect(alert!.occurrence).toBe('');
  });

  it.each([
    ['no transition', { ...datadogBody({ transition: 'Triggered' }), alert_transition: '' }, /alert_transition/],
    ['a number where Datadog sends strings', { ...datadogBody({ transition: 'Triggered' }), alert_id: 1234567 }, /alert_id/],
    ['the default Datadog body', { body: 'x', last_updated: '1', event_type: 'metric_alert_monitor', title: 't' }, /alert_title/],
  ])('refuses %s', (_, body, reason) => {
    expect(() => parseDatadog(body)).toThrow(PayloadError);
    expect(() => parseDatadog(body)).toThrow(reason);
  });
});

describe('labelsFromTags', () => {
  it.each([
    ['env:prod,flag:new-checkout', { env: 'prod', flag: 'new-checkout' }],
    [' env:prod , team ', { env: 'prod', team: '' }],
    ['url:http://x:1', { url: 'http://x:1' }],
    ['*', {}],
    ['', {}],
  ])('%j → %j', (tags, labels) => expect(labelsFromTags(tags)).toEqual(labels));
});
