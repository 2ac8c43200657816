// before, after: instants given as ISO-8601 strings or epoch milliseconds, compared strictly. A date-time
// without an offset is UTC (never the evaluator's local time); a date alone is its midnight UTC; a day the
// month does not have is not a date.
import { clause, clauseFlag, vectorFile } from './dsl.mjs';

// 2025-01-01T00:00:00Z in epoch milliseconds.
const NEW_YEAR_2025_MS = 1_735_689_600_000;

export default vectorFile('operators-dates', 'The date operators before and after.')
  .flags(
    clauseFlag('after-2025', clause('signedUpAt', 'after', ['2025-01-01T00:00:00Z'])),
    clauseFlag('before-2025', clause('signedUpAt', 'before', ['2025-01-01T00:00:00Z'])),
    clauseFlag('before-2025-ms', clause('signedUpAt', 'before', [NEW_YEAR_2025_MS])),
    clauseFlag('after-2025-date-only', clause('signedUpAt', 'after', ['2025-01-01'])),
  )
  .matchTable('after-2025', [
    ['after: a later instant matches', { key: 'u1', signedUpAt: '2025-06-01T12:00:00Z' }, true],
    ['after: an earlier instant does not', { key: 'u1', signedUpAt: '2024-12-31T23:59:59Z' }, false],
    ['after: the same instant does not (strict)', { key: 'u1', signedUpAt: '2025-01-01T00:00:00Z' }, false],
    ['after: one millisecond later matches', { key: 'u1', signedUpAt: '2025-01-01T00:00:00.001Z' }, true],
    ['after: a date alone is its midnight UTC, not after itself', { key: 'u1', signedUpAt: '2025-01-01' }, false],
    [
      'after: a positive offset is east of UTC (01:00+02:00 is 23:00Z the day before)',
      { key: 'u1', signedUpAt: '2025-01-01T01:00:00+02:00' },
      false,
    ],
    ['after: a negative offset is west of UTC (00:30-01:00 is 01:30Z)', { key: 'u1', signedUpAt: '2025-01-01T00:30:00-01:00' }, true],
    ['after: a date-time without an offset is UTC', { key: 'u1', signedUpAt: '2025-01-01T00:00:01' }, true],
    ['after: epoch milliseconds are instants too', { key: 'u1', signedUpAt: NEW_YEAR_2025_MS + 1 }, true],
    ['after: a day the month does not have is not a date', { key: 'u1', signedUpAt: '2025-02-30' }, false],
    ['after: text that is not a date never matches', { key: 'u1', signedUpAt: 'next tuesday' }, false],
    ['after: a boolean is not a date', { key: 'u1', signedUpAt: true }, false],
  ])
  .matchTable('before-2025', [
    ['before: an earlier instant matches', { key: 'u1', signedUpAt: '2024-12-31T23:59:59.999Z' }, true],
    ['before: the same instant does not (strict)', { key: 'u1', signedUpAt: '2025-01-01T00:00:00Z' }, false],
    ['before: epoch 0 matches', { key: 'u1', signedUpAt: 0 }, true],
    ['before: a later date alone does not', { key: 'u1', signedUpAt: '2025-01-02' }, false],
    ['before: February 29 of a leap year is a date', { key: 'u1', signedUpAt: '2024-02-29' }, true],
    ['before: February 29 of a common year is not', { key: 'u1', signedUpAt: '2023-02-29' }, false],
  ])
  .matchTable('before-2025-ms', [
    ['before (clause in epoch ms): an ISO date earlier matches', { key: 'u1', signedUpAt: '2024-06-01' }, true],
    ['before (clause in epoch ms): an ISO date later does not', { key: 'u1', signedUpAt: '2025-06-01' }, false],
  ])
  .matchTable('after-2025-date-only', [
    ['after (clause a date alone): the next midnight matches', { key: 'u1', signedUpAt: '2025-01-02T00:00:00Z' }, true],
    ['after (clause a date alone): a minute after its midnight UTC matches', { key: 'u1', signedUpAt: '2025-01-01T00:01:00Z' }, true],
  ])
  .build();
