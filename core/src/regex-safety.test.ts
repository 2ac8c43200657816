import { describe, expect, it } from 'vitest';
import { nestedQuantifierProblem, portablePatternProblem } from './regex-safety.js';
import { clause, ruleFlag } from './testing/index.js';
import { validateFlag } from './validate.js';

describe('nestedQuantifierProblem', () => {
  it.each(['(a+)+$', '(a*)*', '^(\\w+\\s?)*$', '(x+x+)+y', '((ab)*c)+', '(a{2,})+', '(?:[a-z]+\\.)*example\\.com', '(a+){2,10}'])(
    'refuses %s',
    (pattern) => {
      expect(nestedQuantifierProblem(pattern)).toMatch(/nested quantifiers/);
    },
  );

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
    const result = validateFlag(ruleFlag('redos', [clause('email', 'matches', ['(a+)+$'])]));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues[0]).toMatchObject({
      path: 'rules[0].clauses[0].values[0]',
      message: expect.stringMatching(/nested quantifiers/),
    });
  });
});

describe('portablePatternProblem: the subset RE2 and browsers read alike', () => {
  it.each([
    '^user-\\d+$',
    '@example\\.com$',
    '^[a-z0-9._-]+$',
    '^[-a-z]+$',
    '^(?:en|fr)-[A-Z]{2}$',
    '^a.c$',
    '\\bbeta\\b',
    '^[^@]+@x\\.test$',
    '^\\x41+?$',
    '^caf\u00e9$',
    '^\\(\\)\\[\\]\\{\\}\\|\\/$',
  ])('accepts %s', (pattern) => {
    expect(portablePatternProblem(pattern)).toBeNull();
  });

  it.each([
    ['\\s+', /\\s and \\S/],
    ['[\\S]', /\\s and \\S/],
    ['\\u00e9', /not in the portable subset/],
    ['\\p{L}', /not in the portable subset/],
    ['\\Aabc\\z', /not in the portable subset/],
    ['[[:alpha:]]', /a \[ inside a class/],
    ['[]a]', /empty class/],
    ['(?i)abc', /only \(…\) and \(\?:…\) groups/],
    ['(?<name>a)', /only \(…\) and \(\?:…\) groups/],
    ['a{,3}', /a \{ starts a repeat/],
    ['a}', /write \\} for the character/],
    ['[a-c-e]', /a - right after a range/],
    ['[\\d-z]', /a range in a class runs between two characters/],
    ['[\\b]', /not in the portable subset/],
    ['\\-', /not in the portable subset/],
  ])('refuses %s', (pattern, why) => {
    expect(portablePatternProblem(pattern)).toMatch(why);
  });
});
