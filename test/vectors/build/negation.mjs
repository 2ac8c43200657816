// `negate: true` inverts what a clause's operator answers — but a missing (or null) attribute matches
// nothing, negated or not, as in LaunchDarkly: "not in ZA" says nothing about a context without a country.
// A present value the operator cannot use (a string for lt) does not match, so its negation does.
import { clause, clauseFlag, flag, reason, rule, vectorFile } from './dsl.mjs';

export default vectorFile('negation', 'Negated clauses, and how they treat missing and oddly typed attributes.')
  .flags(
    clauseFlag('not-in-za', clause('country', 'in', ['ZA'], true)),
    clauseFlag('not-under-18', clause('age', 'lt', [18], true)),
    clauseFlag('not-starts-with-test', clause('email', 'startsWith', ['test'], true)),
    clauseFlag('not-semver-lt-2', clause('appVersion', 'semverLt', ['2.0.0'], true)),
    flag('za-but-not-staff', {
      rules: [rule('za-customers', [clause('country', 'in', ['ZA']), clause('email', 'endsWith', ['@example.com'], true)])],
    }),
  )
  .matchTable('not-in-za', [
    ['negate in: an unlisted value matches', { key: 'u1', country: 'US' }, true],
    ['negate in: a listed value does not', { key: 'u1', country: 'ZA' }, false],
    ['negate in: a missing attribute matches nothing, negated or not', { key: 'u1' }, false],
    ['negate in: a null attribute matches nothing, negated or not', { key: 'u1', country: null }, false],
    ['negate in: an array holding a listed value does not match', { key: 'u1', country: ['US', 'ZA'] }, false],
    ['negate in: an array without a listed value matches', { key: 'u1', country: ['US', 'FR'] }, true],
    ['negate in: an empty array holds no listed value, so matches', { key: 'u1', country: [] }, true],
  ])
  .matchTable('not-under-18', [
    ['negate lt: a larger number matches', { key: 'u1', age: 30 }, true],
    ['negate lt: a smaller number does not', { key: 'u1', age: 12 }, false],
    ['negate lt: a numeric string is not less than 18, so matches', { key: 'u1', age: '12' }, true],
    ['negate lt: a missing attribute does not match', { key: 'u1' }, false],
  ])
  .matchTable('not-starts-with-test', [
    ['negate startsWith: another prefix matches', { key: 'u1', email: 'ann@example.com' }, true],
    ['negate startsWith: the prefix does not', { key: 'u1', email: 'test@example.com' }, false],
    ['negate startsWith: a number does not start with anything, so matches', { key: 'u1', email: 7 }, true],
  ])
  .matchTable('not-semver-lt-2', [
    ['negate semverLt: a later version matches', { key: 'u1', appVersion: '2.1.0' }, true],
    ['negate semverLt: an earlier version does not', { key: 'u1', appVersion: '1.9.0' }, false],
    ['negate semverLt: a string that is no version matches', { key: 'u1', appVersion: 'latest' }, true],
  ])
  .serves(
    'negate in a rule: both clauses hold',
    'za-but-not-staff',
    { key: 'u1', country: 'ZA', email: 'ann@shop.test' },
    1,
    reason.rule('za-customers', 0),
  )
  .serves(
    'negate in a rule: the negated clause fails',
    'za-but-not-staff',
    { key: 'u1', country: 'ZA', email: 'ann@example.com' },
    0,
    reason.fallthrough,
  )
  .serves(
    'negate in a rule: a missing attribute fails the negated clause',
    'za-but-not-staff',
    { key: 'u1', country: 'ZA' },
    0,
    reason.fallthrough,
  )
  .build();
