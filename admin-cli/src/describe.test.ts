import { describe, expect, it } from 'vitest';
import { summariseChange } from './commands/audit.js';
import { describeRule, describeServe, describeState, formatPercent } from './describe.js';
import { flagState } from './testing/flags.js';

describe('formatPercent', () => {
  it.each([
    [25_000, '25%'],
    [500, '0.5%'],
    [1, '0.001%'],
    [100_000, '100%'],
    [33_333, '33.333%'],
  ])('%i thousandths → %s', (thousandths, text) => expect(formatPercent(thousandths)).toBe(text));
});

describe('describing flag state', () => {
  const variations = [false, true];

  it('names the variation or the rollout shares', () => {
    expect(describeServe({ variation: 1 }, variations)).toBe('true');
    expect(describeServe({ rollout: { bucketBy: 'key', weights: [75_000, 25_000] } }, variations)).toBe(
      'rollout by key: false 75%, true 25%',
    );
    expect(describeServe({ rollout: { bucketBy: 'tenant', weights: [0, 100_000, 0] } }, ['a', 'b', 'c'])).toBe('rollout by tenant: b 100%');
  });

  it('says what an off flag serves, and what else an on flag does', () => {
    expect(describeState(flagState({ on: false }), variations)).toBe('off · serving false');
    const busy = flagState({
      on: true,
      targets: [{ variation: 1, values: ['a', 'b'] }],
      rules: [{ id: 'nl', clauses: [], serve: { variation: 1 } }],
    });
    expect(describeState(busy, variations)).toBe('on · true (+ 2 targeted, 1 rule)');
  });

  it('reads a rule as a sentence', () => {
    const rule = {
      id: 'staff',
      clauses: [
        { attribute: 'email', op: 'endsWith' as const, values: ['@example.com'] },
        { attribute: '', op: 'segmentMatch' as const, values: ['beta'], negate: true },
      ],
      serve: { variation: 1 },
    };
    expect(describeRule(rule, variations)).toBe('staff: if email endsWith @example.com and not in segment beta → true');
  });
});

describe('summariseChange (the audit CHANGE column)', () => {
  const rollout = (weights: number[]) => ({ rollout: { bucketBy: 'key', weights } });
  it.each([
    ['a switch', 'on: false→true', { on: false }, { on: true }],
    [
      'a rollout started',
      'fallthrough: variation 0→rollout 75%/25%',
      { fallthrough: { variation: 0 } },
      { fallthrough: rollout([75_000, 25_000]) },
    ],
    [
      'a rollout raised',
      'fallthrough: rollout 75%/25%→rollout 99.5%/0.5%',
      { fallthrough: rollout([75_000, 25_000]) },
      { fallthrough: rollout([99_500, 500]) },
    ],
    ['rules, too long to show', 'rules', { rules: [] }, { rules: [{ id: 'nl' }] }],
    [
      'two fields, ignoring the version',
      'on: false→true, rules',
      { version: 3, on: false, rules: [] },
      { version: 4, on: true, rules: [{ id: 'nl' }] },
    ],
  ])('shows %s as %j', (_name, expected, before, after) => {
    expect(summariseChange(before, after)).toBe(expected);
  });

  it('says created and deleted', () => {
    expect(summariseChange(undefined, { key: 'x' })).toBe('created');
    expect(summariseChange(undefined, { key: 'x' }, 'flag.create')).toBe('created');
    expect(summariseChange({ key: 'x' }, undefined)).toBe('deleted');
  });

  it('shows a refused webhook request as what happened to it, not as created', () => {
    const after = { provider: 'alertmanager', status: 401, why: 'wrong hook secret' };
    expect(summariseChange(undefined, after, 'hook.rejected')).toBe('rejected 401: wrong hook secret');
  });

  it('says created only for a .create action', () => {
    expect(summariseChange(undefined, { status: 'ok', count: 2, detail: { x: 1 } }, 'alert.received')).toBe('status: "ok", count: 2');
  });
});
