// Attributes as applications really send them: missing, null, of the wrong type, nested, or named like
// JavaScript's object machinery. Attributes are a context's own top-level properties; a name is never a
// path ("address.city" is one attribute); an inherited property ("constructor", "toString") is no attribute.
import { clause, clauseFlag, flag, rollout, vectorFile } from './dsl.mjs';

const LONG = `a${'x'.repeat(4_999)}`;

export default vectorFile('attributes', 'Missing, null, oddly typed, nested and prototype-named attributes.')
  .flags(
    clauseFlag('attr-in', clause('country', 'in', ['ZA'])),
    clauseFlag('attr-lt', clause('age', 'lt', [18])),
    clauseFlag('attr-starts', clause('email', 'startsWith', ['a'])),
    clauseFlag('attr-proto', clause('__proto__', 'in', ['x'])),
    clauseFlag('attr-constructor', clause('constructor', 'in', ['x'])),
    clauseFlag('attr-not-constructor', clause('constructor', 'in', ['x'], true)),
    clauseFlag('attr-tostring', clause('toString', 'startsWith', ['f'])),
    clauseFlag('attr-dotted', clause('address.city', 'in', ['Paris'])),
    flag('bucket-by-constructor', { fallthrough: rollout('constructor', [50_000, 50_000]) }),
  )
  .matchTable('attr-in', [
    ['missing: a missing attribute does not match', { key: 'u1' }, false],
    ['missing: null does not match', { key: 'u1', country: null }, false],
    ['odd type: a number where a string is listed', { key: 'u1', country: 27 }, false],
    ['odd type: an object does not match', { key: 'u1', country: { code: 'ZA' } }, false],
    ['nested: an array inside an array does not match', { key: 'u1', country: [['ZA']] }, false],
    ['nested: deeper nesting does not match', { key: 'u1', country: [[['ZA']]] }, false],
    ['mixed array: one listed element among null and numbers matches', { key: 'u1', country: [null, 1, 'ZA'] }, true],
    ['mixed array: an object element does not match', { key: 'u1', country: [{ country: 'ZA' }] }, false],
    ['a nested object named like the attribute does not match', { key: 'u1', user: { country: 'ZA' } }, false],
    ['a "__proto__" key holding the attribute is no attribute', { key: 'u1', ['__proto__']: { country: 'ZA' } }, false],
  ])
  .matchTable('attr-lt', [
    ['odd type: a string where a number is expected', { key: 'u1', age: '5' }, false],
    ['odd type: a boolean where a number is expected', { key: 'u1', age: true }, false],
    ['odd type: null where a number is expected', { key: 'u1', age: null }, false],
    ['an array of numbers matches when any element does', { key: 'u1', age: [40, 12] }, true],
  ])
  .matchTable('attr-starts', [
    ['a very long string is compared in full (5,000 characters)', { key: 'u1', email: LONG }, true],
    ['odd type: an array of non-strings', { key: 'u1', email: [1, 2, 3] }, false],
  ])
  .matchTable('attr-proto', [
    // A "__proto__" key given as data is left out on purpose: core reads it as an attribute, while a
    // server validating contexts at its edge may strip it; either way it never reaches the prototype.
    ['a "__proto__" string does not make the prototype match', { key: 'u1', ['__proto__']: 'y' }, false],
    ['without it, "__proto__" is missing (never the prototype)', { key: 'u1' }, false],
  ])
  .matchTable('attr-constructor', [
    ['a "constructor" attribute given as data is an attribute like any', { key: 'u1', constructor: 'x' }, true],
    ['without it, "constructor" is missing (never the inherited function)', { key: 'u1' }, false],
  ])
  .matchTable('attr-not-constructor', [
    ['negated: an inherited "constructor" is still missing, so no match', { key: 'u1' }, false],
    ['negated: an own "constructor" of another value matches', { key: 'u1', constructor: 'y' }, true],
  ])
  .matchTable('attr-tostring', [['an inherited "toString" is missing, whatever it would say', { key: 'u1' }, false]])
  .matchTable('attr-dotted', [
    ['a dotted name is one attribute, not a path', { key: 'u1', address: { city: 'Paris' } }, false],
    ['a dotted name matches the attribute of that very name', { key: 'u1', 'address.city': 'Paris' }, true],
  ])
  .rollsOut('bucketBy an inherited name: missing, bucket 0', 'bucket-by-constructor', { key: 'u1' }, 'fallthrough', 0)
  .rollsOut(
    'bucketBy "constructor" given as data: hashed like any',
    'bucket-by-constructor',
    { key: 'u1', constructor: 'acme' },
    'fallthrough',
  )
  .build();
