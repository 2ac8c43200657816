import { describe, expect, it } from 'vitest';
import { nestedQuantifierProblem } from './regex-safety.js';
import { validateFlag } from './validate.js';

describe('nestedQuantifierProblem', () => {
  it.each([
    '(a+)+$',
    '(a*)*',
    '^(\\w+\\s?)*$',
    '(x+x+)+y',
    '((ab)*c)+',
    '(a{2,})+',
    '(?:[a-z]+\\.)*example\\.com',
    '(a+){2,10}',
  ])('refuses %s', (pattern) => {
    expect(nestedQuantifierProblem(pattern)).toMatch(/nested quantifiers/);
  });

  it.each([
    '@example\\.com$',
    '^user-\\d+$',
    '(ab)+',
    '(a|b)*c',
    '[(a+)]+',
    '\\(a+\\)+',
    '(a{1})+',
    '^[^@]+@(example|test)\\.com$',
    '(a+)?',
  ])('accepts %s', (pattern) => {
    expect(nestedQuantifierProblem(pattern)).toBeNull();
  });

  it('is what flag validation reports for a matches clause', () => {
    const result = validateFlag({
      key: 'redos',
      version: 1,
      kind: 'boolean',
      on: true,
      variations: [false, true],
      offVariation: 0,
      targets: [],
      rules: [{ id: 'r', clauses: [{ attribute: 'email', op: 'matches', values: ['(a+)+$'] }], serve: { variation: 1 } }],
      fallthrough: { variation: 0 },
      clientSide: false,
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues[0]).toMatchObject({ path: 'rules[0].clauses[0].values[0]', message: expect.stringMatching(/nested quantifiers/) });
  });
});
