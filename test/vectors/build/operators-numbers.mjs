// lt, lte, gt, gte: on finite numbers only — "17" is not less than 18. Any clause value may match.
import { clause, clauseFlag, vectorFile } from './dsl.mjs';

export default vectorFile('operators-numbers', 'The number operators lt, lte, gt and gte.')
  .flags(
    clauseFlag('lt-18', clause('age', 'lt', [18])),
    clauseFlag('lte-18', clause('age', 'lte', [18])),
    clauseFlag('gt-100', clause('spend', 'gt', [100])),
    clauseFlag('gte-100', clause('spend', 'gte', [100])),
    clauseFlag('lt-10-or-20', clause('n', 'lt', [10, 20])),
    clauseFlag('gt-fraction', clause('ratio', 'gt', [0.25])),
  )
  .matchTable('lt-18', [
    ['lt: a smaller number matches', { key: 'u1', age: 17 }, true],
    ['lt: an equal number does not', { key: 'u1', age: 18 }, false],
    ['lt: a larger fraction does not', { key: 'u1', age: 18.5 }, false],
    ['lt: a negative number matches', { key: 'u1', age: -1 }, true],
    ['lt: zero matches', { key: 'u1', age: 0 }, true],
    ['lt: a numeric string is not a number', { key: 'u1', age: '17' }, false],
    ['lt: a boolean is not a number', { key: 'u1', age: false }, false],
    ['lt: an array matches when any element is smaller', { key: 'u1', age: [30, 12] }, true],
  ])
  .matchTable('lte-18', [
    ['lte: an equal number matches', { key: 'u1', age: 18 }, true],
    ['lte: a slightly larger number does not', { key: 'u1', age: 18.0001 }, false],
    ['lte: a smaller number matches', { key: 'u1', age: 3 }, true],
  ])
  .matchTable('gt-100', [
    ['gt: a larger number matches', { key: 'u1', spend: 100.5 }, true],
    ['gt: an equal number does not', { key: 'u1', spend: 100 }, false],
    ['gt: a large number matches', { key: 'u1', spend: 1e15 }, true],
    ['gt: a smaller number does not', { key: 'u1', spend: 99 }, false],
  ])
  .matchTable('gte-100', [
    ['gte: an equal number matches', { key: 'u1', spend: 100 }, true],
    ['gte: a slightly smaller number does not', { key: 'u1', spend: 99.999 }, false],
    ['gte: a larger number matches', { key: 'u1', spend: 250 }, true],
  ])
  .matchTable('lt-10-or-20', [
    ['lt with two values: below the larger one is enough', { key: 'u1', n: 15 }, true],
    ['lt with two values: above both does not match', { key: 'u1', n: 20 }, false],
  ])
  .matchTable('gt-fraction', [
    ['gt: fractions compare as numbers', { key: 'u1', ratio: 0.3 }, true],
    ['gt: a smaller fraction does not match', { key: 'u1', ratio: 0.2 }, false],
  ])
  .build();
