import { describe, expect, it } from 'vitest';
import type { KillRule } from '@flagstaff/core/admin';
import type { NormalisedAlert } from './alert.js';
import { targetsOf } from './kill-rules.js';

const alert = (name: string, labels: Record<string, string>): NormalisedAlert => ({
  name,
  status: 'firing',
  labels: { alertname: name, ...labels },
  fingerprint: 'f',
  occurrence: '',
  links: {},
});

let n = 0;
const rule = (fields: Partial<KillRule>): KillRule => ({
  id: `kr_${++n}`,
  env: 'production',
  alert: 'HighErrorRate',
  matchers: [],
  action: 'off',
  onResolve: 'keep',
  createdAt: '2026-11-23T10:00:00Z',
  ...fields,
});

describe('targetsOf', () => {
  it('selects a flag by key when name and matchers match', () => {
    const r = rule({ flag: 'new-checkout', matchers: [{ label: 'env', op: '=', value: 'prod' }] });
    expect(targetsOf(alert('HighErrorRate', { env: 'prod' }), [r]).targets).toEqual([{ flag: 'new-checkout', rule: r }]);
    expect(targetsOf(alert('HighErrorRate', { env: 'staging' }), [r]).targets).toEqual([]);
    expect(targetsOf(alert('LowDiskSpace', { env: 'prod' }), [r]).targets).toEqual([]);
  });

  it('selects the flag an alert label names, so one rule serves many flags', () => {
    const r = rule({ flagLabel: 'flag' });
    expect(targetsOf(alert('HighErrorRate', { flag: 'search-v2' }), [r]).targets.map((t) => t.flag)).toEqual(['search-v2']);
    expect(targetsOf(alert('HighErrorRate', {}), [r])).toEqual({
      targets: [],
      skipped: [{ rule: r.id, why: expect.stringContaining('"flag" label') }],
    });
  });

  it('reads only the alert\'s own labels: "constructor" or "toString" that it lacks are "" (never Object.prototype\'s)', () => {
    const byLabel = rule({ flagLabel: 'constructor' });
    expect(targetsOf(alert('HighErrorRate', {}), [byLabel])).toEqual({
      targets: [],
      skipped: [{ rule: byLabel.id, why: expect.stringContaining('"constructor" label') }],
    });
    const matched = rule({ flag: 'new-checkout', matchers: [{ label: 'toString', op: '=~', value: 'function.*' }] });
    expect(targetsOf(alert('HighErrorRate', {}), [matched]).targets).toEqual([]);
    expect(targetsOf(alert('HighErrorRate', { toString: 'function x' }), [matched]).targets).toHaveLength(1);
  });

  it('acts once per flag when several rules reach it, off winning over rollback', () => {
    const rollback = rule({ flag: 'new-checkout', action: 'rollback' });
    const off = rule({ flagLabel: 'flag', action: 'off' });
    const older = rule({ flag: 'new-checkout', action: 'off' });
    expect(targetsOf(alert('HighErrorRate', { flag: 'new-checkout' }), [rollback, off, older]).targets).toEqual([
      { flag: 'new-checkout', rule: off },
    ]);
  });
});
