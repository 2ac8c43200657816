// in, startsWith, endsWith, contains, matches: case-sensitive, on strings only (in also on numbers and
// booleans, by strict equality); an array attribute matches when any element does.
import { clause, clauseFlag, vectorFile } from './dsl.mjs';

const COUNTRIES_20 = [
  'AR',
  'AU',
  'BR',
  'CA',
  'CN',
  'DE',
  'EG',
  'ES',
  'FR',
  'GB',
  'IN',
  'IT',
  'JP',
  'KE',
  'MX',
  'NG',
  'NL',
  'SE',
  'US',
  'ZA',
];

export default vectorFile('operators-text', 'The text operators in, startsWith, endsWith, contains and matches.')
  .flags(
    clauseFlag('in-country', clause('country', 'in', ['ZA', 'NG', 'KE'])),
    clauseFlag('in-many-countries', clause('country', 'in', COUNTRIES_20)),
    clauseFlag('in-plan-number', clause('plan', 'in', [1, 2, 3])),
    clauseFlag('in-beta-boolean', clause('beta', 'in', [true])),
    clauseFlag('in-empty-string', clause('nickname', 'in', [''])),
    clauseFlag('starts-with-admin', clause('email', 'startsWith', ['admin@', 'root@'])),
    clauseFlag('ends-with-domain', clause('email', 'endsWith', ['@example.com'])),
    clauseFlag('contains-bot', clause('userAgent', 'contains', ['bot'])),
    clauseFlag('matches-firefox', clause('userAgent', 'matches', ['^Mozilla/5\\.0 .*Firefox/\\d+'])),
    clauseFlag('matches-ticket', clause('ticket', 'matches', ['^[a-z]+-\\d{3}$'])),
    clauseFlag('matches-unanchored', clause('ticket', 'matches', ['beta'])),
  )
  .matchTable('in-country', [
    ['in: a listed value matches', { key: 'u1', country: 'ZA' }, true],
    ['in: the last listed value matches', { key: 'u1', country: 'KE' }, true],
    ['in: an unlisted value does not match', { key: 'u1', country: 'US' }, false],
    ['in: comparison is case-sensitive', { key: 'u1', country: 'za' }, false],
    ['in: no trimming of whitespace', { key: 'u1', country: ' ZA' }, false],
    ['in: the empty string is not listed', { key: 'u1', country: '' }, false],
    ['in: an array attribute matches when any element is listed', { key: 'u1', country: ['US', 'NG'] }, true],
    ['in: an array attribute without a listed element does not match', { key: 'u1', country: ['US', 'FR'] }, false],
    ['in: an empty array does not match', { key: 'u1', country: [] }, false],
  ])
  .matchTable('in-many-countries', [
    ['in (20 values): the first value matches', { key: 'u1', country: 'AR' }, true],
    ['in (20 values): a middle value matches', { key: 'u1', country: 'IN' }, true],
    ['in (20 values): the last value matches', { key: 'u1', country: 'ZA' }, true],
    ['in (20 values): an unlisted value does not match', { key: 'u1', country: 'PT' }, false],
  ])
  .matchTable('in-plan-number', [
    ['in: a listed number matches', { key: 'u1', plan: 2 }, true],
    ['in: a number does not equal its string', { key: 'u1', plan: '2' }, false],
    ['in: an unlisted number does not match', { key: 'u1', plan: 4 }, false],
    ['in: a fraction does not match an integer', { key: 'u1', plan: 2.5 }, false],
  ])
  .matchTable('in-beta-boolean', [
    ['in: a listed boolean matches', { key: 'u1', beta: true }, true],
    ['in: false is not listed', { key: 'u1', beta: false }, false],
    ['in: the string "true" is not the boolean true', { key: 'u1', beta: 'true' }, false],
    ['in: 1 is not the boolean true', { key: 'u1', beta: 1 }, false],
  ])
  .matchTable('in-empty-string', [
    ['in: the empty string matches a listed empty string', { key: 'u1', nickname: '' }, true],
    ['in: a missing attribute is not the empty string', { key: 'u1' }, false],
  ])
  .matchTable('starts-with-admin', [
    ['startsWith: a prefix matches', { key: 'u1', email: 'admin@example.com' }, true],
    ['startsWith: any listed prefix matches', { key: 'u1', email: 'root@example.com' }, true],
    ['startsWith: case-sensitive', { key: 'u1', email: 'Admin@example.com' }, false],
    ['startsWith: the prefix must be at the start', { key: 'u1', email: 'x-admin@example.com' }, false],
    ['startsWith: a value shorter than the prefix does not match', { key: 'u1', email: 'admin' }, false],
    ['startsWith: the prefix itself matches', { key: 'u1', email: 'admin@' }, true],
    ['startsWith: a number never matches', { key: 'u1', email: 42 }, false],
  ])
  .matchTable('ends-with-domain', [
    ['endsWith: a suffix matches', { key: 'u1', email: 'ann@example.com' }, true],
    ['endsWith: the suffix must be at the end', { key: 'u1', email: 'ann@example.com.evil.test' }, false],
    ['endsWith: case-sensitive', { key: 'u1', email: 'ann@EXAMPLE.com' }, false],
    ['endsWith: the suffix itself matches', { key: 'u1', email: '@example.com' }, true],
    ['endsWith: an array matches when any element ends so', { key: 'u1', email: ['a@corp.test', 'a@example.com'] }, true],
  ])
  .matchTable('contains-bot', [
    ['contains: a substring matches', { key: 'u1', userAgent: 'Googlebot/2.1' }, true],
    ['contains: a substring in the middle matches', { key: 'u1', userAgent: 'my robot friend' }, true],
    ['contains: case-sensitive', { key: 'u1', userAgent: 'Bot' }, false],
    ['contains: letters apart do not match', { key: 'u1', userAgent: 'b-o-t' }, false],
  ])
  .matchTable('matches-firefox', [
    [
      'matches: a matching string',
      { key: 'u1', userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0' },
      true,
    ],
    ['matches: a string the pattern does not describe', { key: 'u1', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0' }, false],
    ['matches: an escaped dot is a literal dot', { key: 'u1', userAgent: 'Mozilla/5x0 Firefox/1' }, false],
  ])
  .matchTable('matches-ticket', [
    ['matches: anchors hold at both ends', { key: 'u1', ticket: 'abc-123' }, true],
    ['matches: one digit too many fails the end anchor', { key: 'u1', ticket: 'abc-1234' }, false],
    ['matches: case-sensitive classes', { key: 'u1', ticket: 'ABC-123' }, false],
    ['matches: a number is not a string', { key: 'u1', ticket: 123 }, false],
  ])
  .matchTable('matches-unanchored', [
    ['matches: an unanchored pattern finds its text anywhere', { key: 'u1', ticket: 'my-beta-tester' }, true],
    ['matches: and fails where the text is absent', { key: 'u1', ticket: 'my-alpha-tester' }, false],
  ])
  .build();
