import { describe, expect, it } from 'vitest';
import { parseGrafana } from './grafana.js';
import { amAlert, grafanaBody } from './testing/payloads.js';

const labels = { alertname: 'CheckoutErrors', flag: 'new-checkout', grafana_folder: 'payments' };

describe('parseGrafana', () => {
  it('reads the Alertmanager-shaped alerts of a unified alerting webhook, with the panel as dashboard link', () => {
    const body = grafanaBody([amAlert({ status: 'firing', labels, annotations: { runbook_url: 'https://runbooks/checkout' } })]);
    expect(body.version).toBe('1');
    const [alert] = parseGrafana(body).alerts;
    expect(alert).toMatchObject({
      name: 'CheckoutErrors',
      status: 'firing',
      labels,
      links: { runbook: 'https://runbooks/checkout', dashboard: 'http://grafana:3000/d/checkout?viewPanel=4' },
    });
  });

  it('reads a resolved notification (state ok) and groups of several alerts', () => {
    const body = grafanaBody([
      amAlert({ status: 'resolved', labels: { ...labels, flag: 'a' } }),
      amAlert({ status: 'resolved', labels: { ...labels, flag: 'b' } }),
    ]);
    expect(body.state).toBe('ok');
    expect(parseGrafana(body).alerts.map((a) => [a.labels.flag, a.status])).toEqual([
      ['a', 'resolved'],
      ['b', 'resolved'],
    ]);
  });

  it('refuses a body without alerts', () => {
    expect(() => parseGrafana({ title: 'x', state: 'alerting' })).toThrow(/not a Grafana webhook notification: alerts/);
  });
});
