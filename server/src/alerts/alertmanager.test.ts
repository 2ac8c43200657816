import { describe, expect, it } from 'vitest';
import { PayloadError } from './alert.js';
import { parseAlertmanager } from './alertmanager.js';
import { alertmanagerBody, amAlert } from './testing/payloads.js';

const labels = { alertname: 'HighErrorRate', flag: 'new-checkout', severity: 'page' };

describe('parseAlertmanager', () => {
  it('reads a firing alert: name from alertname, its fingerprint, startsAt as the occurrence, links', () => {
    const alert = amAlert({ status: 'firing', labels, annotations: { runbook_url: 'https://runbooks/errors', summary: 's' } });
    const [parsed] = parseAlertmanager(alertmanagerBody([alert])).alerts;
    expect(parsed).toEqual({
      name: 'HighErrorRate',
      status: 'firing',
      labels,
      fingerprint: alert.fingerprint,
      occurrence: alert.startsAt,
      links: { runbook: 'https://runbooks/errors', source: alert.generatorURL },
    });
  });

  it('takes each alert’s own status in a grouped notification, not the group’s', () => {
    const body = alertmanagerBody([
      amAlert({ status: 'firing', labels: { ...labels, flag: 'a' } }),
      amAlert({ status: 'resolved', labels: { ...labels, flag: 'b' } }),
      amAlert({ status: 'firing', labels: { ...labels, flag: 'c' } }),
    ]);
    expect(body.status).toBe('firing');
    expect(parseAlertmanager(body).alerts.map((a) => [a.labels.flag, a.status])).toEqual([
      ['a', 'firing'],
      ['b', 'resolved'],
      ['c', 'firing'],
    ]);
  });

  it('ignores fields it does not know (newer Alertmanagers add some)', () => {
    const body = { ...alertmanagerBody([amAlert({ status: 'firing', labels })]), someNewField: { x: 1 } };
    expect(parseAlertmanager(body).alerts).toHaveLength(1);
  });

  it('computes the fingerprint from the labels when the sender leaves it out', () => {
    const { fingerprint: _, ...alert } = amAlert({ status: 'firing', labels });
    const [parsed] = parseAlertmanager({ version: '4', status: 'firing', alerts: [alert] }).alerts;
    expect(parsed!.fingerprint).toBe(amAlert({ status: 'firing', labels }).fingerprint);
  });

  it.each([
    ['no alerts array', { version: '4', status: 'firing' }, /alerts/],
    [
      'a status that is neither',
      { alerts: [{ ...amAlert({ status: 'firing', labels }), status: 'pending' }] },
      /status is firing or resolved/,
    ],
    ['an alert without alertname', { alerts: [amAlert({ status: 'firing', labels: { flag: 'x' } })] }, /alerts\[0\].*alertname/],
    ['label values that are not strings', { alerts: [{ ...amAlert({ status: 'firing', labels }), labels: { alertname: 3 } }] }, /labels/],
    ['a body that is not an object', [1, 2], /not an Alertmanager/],
  ])('refuses %s with the reason', (_, body, reason) => {
    expect(() => parseAlertmanager(body)).toThrow(PayloadError);
    expect(() => parseAlertmanager(body)).toThrow(reason);
  });
});
