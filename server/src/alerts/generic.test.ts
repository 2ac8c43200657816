import { describe, expect, it } from 'vitest';
import { fingerprintOf, PayloadError } from './alert.js';
import { parseGeneric } from './generic.js';

describe('parseGeneric', () => {
  it('reads { alert, status, labels } and identifies the alert by its name and labels', () => {
    const [alert] = parseGeneric({ alert: 'DeployCanaryFailed', status: 'firing', labels: { flag: 'new-checkout' } }).alerts;
    const labels = { flag: 'new-checkout', alertname: 'DeployCanaryFailed' };
    expect(alert).toEqual({
      name: 'DeployCanaryFailed',
      status: 'firing',
      labels,
      fingerprint: fingerprintOf(labels),
      occurrence: '',
      links: {},
    });
  });

  it('keeps a fingerprint, startsAt and runbook the sender gives', () => {
    const [alert] = parseGeneric({
      alert: 'X',
      status: 'resolved',
      fingerprint: 'abc',
      startsAt: '2026-11-23T10:00:00Z',
      annotations: { runbook_url: 'https://r' },
    }).alerts;
    expect(alert).toMatchObject({
      status: 'resolved',
      fingerprint: 'abc',
      occurrence: '2026-11-23T10:00:00Z',
      links: { runbook: 'https://r' },
    });
  });

  it.each([
    ['no alert name', { status: 'firing' }, /alert/],
    ['an unknown status', { alert: 'X', status: 'pending' }, /status is firing or resolved/],
    ['an unknown field', { alert: 'X', status: 'firing', lables: {} }, /unknown field "lables"/],
  ])('refuses %s', (_, body, reason) => {
    expect(() => parseGeneric(body)).toThrow(PayloadError);
    expect(() => parseGeneric(body)).toThrow(reason);
  });
});
