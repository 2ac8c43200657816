// Percentage rollouts: bucket = murmur3_x86_32(utf8(seed + ":" + value), 0) % 100000, and the first
// variation whose cumulative weight exceeds the bucket is served. Buckets are computed by the DSL with
// the murmurhash package; the boundary cases below pick keys whose bucket sits exactly on a threshold.
import { bucketOf, findKey, flag, reason, rollout, rule, vectorFile, clause } from './dsl.mjs';

const SEED = 'boundary';
// Keys whose bucket under SEED is the lowest and highest possible, and one somewhere in the middle.
const KEY_AT_0 = findKey(SEED, 'user-', (b) => b === 0);
const KEY_AT_99999 = findKey(SEED, 'user-', (b) => b === 99_999);
const KEY_MID = findKey(SEED, 'user-', (b) => b > 30_000 && b < 70_000);
const MID = bucketOf(SEED, KEY_MID);

const split = (weights, state = {}) => ({ fallthrough: rollout('key', weights), ...state });
const three = (weights, state = {}) => ({ kind: 'string', variations: ['a', 'b', 'c'], fallthrough: rollout('key', weights), ...state });

const file = vectorFile('rollouts', 'Percentage rollouts: buckets, weights of 0 and 100000, thresholds, seeds, bucketBy attributes.').flags(
  flag('split-75-25', split([75_000, 25_000])),
  flag('split-75-25-reseeded', split([75_000, 25_000], { seed: 'split-75-25-v2' })),
  flag('three-way', three([20_000, 30_000, 50_000])),
  flag('everyone', split([0, 100_000])),
  flag('nobody', split([100_000, 0])),
  flag('middle-weight-zero', three([50_000, 0, 50_000])),
  flag('one-bucket', split([99_999, 1], { seed: SEED })),
  flag('all-but-bucket-0', split([1, 99_999], { seed: SEED })),
  flag('threshold-at-mid', split([MID, 100_000 - MID], { seed: SEED })),
  flag('threshold-past-mid', split([MID + 1, 99_999 - MID], { seed: SEED })),
  flag('by-account', { fallthrough: rollout('accountId', [50_000, 50_000]) }),
  flag('rule-rollout', {
    rules: [rule('beta', [clause('beta', 'in', [true])], rollout('key', [10_000, 90_000]))],
    fallthrough: { variation: 0 },
  }),
);

for (let i = 0; i < 12; i++) file.rollsOut(`75/25: user-${i}`, 'split-75-25', { key: `user-${i}` }, 'fallthrough');
for (let i = 0; i < 6; i++) file.rollsOut(`a new seed reshuffles: user-${i}`, 'split-75-25-reseeded', { key: `user-${i}` }, 'fallthrough');
for (let i = 0; i < 10; i++) file.rollsOut(`three-way 20/30/50: account-${i}`, 'three-way', { key: `account-${i}` }, 'fallthrough');

export default file
  .rollsOut('weight 100000: everyone gets it', 'everyone', { key: 'user-1' }, 'fallthrough', 1)
  .rollsOut('weight 100000: a context without a key too (bucket 0)', 'everyone', {}, 'fallthrough', 1)
  .rollsOut('weight 0: nobody gets it', 'nobody', { key: 'user-1' }, 'fallthrough', 0)
  .rollsOut('weight 0 in the middle: never served (a)', 'middle-weight-zero', { key: 'user-1' }, 'fallthrough')
  .rollsOut('weight 0 in the middle: never served (b)', 'middle-weight-zero', { key: 'user-2' }, 'fallthrough')
  .rollsOut('weight 0 in the middle: never served (c)', 'middle-weight-zero', { key: 'user-3' }, 'fallthrough')
  .rollsOut('weight 0 in the middle: bucket 0 goes to the first variation', 'middle-weight-zero', {}, 'fallthrough', 0)
  .rollsOut('boundary: bucket 99999 is the last sliver of 1', 'one-bucket', { key: KEY_AT_99999 }, 'fallthrough', 1)
  .rollsOut('boundary: bucket 0 is outside the last sliver', 'one-bucket', { key: KEY_AT_0 }, 'fallthrough', 0)
  .rollsOut('boundary: a key hashed to bucket 0 is in the first 1', 'all-but-bucket-0', { key: KEY_AT_0 }, 'fallthrough', 0)
  .rollsOut('boundary: a missing key is bucket 0, in the first 1', 'all-but-bucket-0', {}, 'fallthrough', 0)
  .rollsOut('boundary: bucket 99999 is past the first 1', 'all-but-bucket-0', { key: KEY_AT_99999 }, 'fallthrough', 1)
  .rollsOut('boundary: a bucket equal to the threshold goes to the next variation', 'threshold-at-mid', { key: KEY_MID }, 'fallthrough', 1)
  .rollsOut('boundary: a bucket one below the threshold stays', 'threshold-past-mid', { key: KEY_MID }, 'fallthrough', 0)
  .rollsOut('bucketBy: a string attribute', 'by-account', { key: 'u1', accountId: 'acme' }, 'fallthrough')
  .rollsOut('bucketBy: another user of the same account lands with it', 'by-account', { key: 'u2', accountId: 'acme' }, 'fallthrough')
  .rollsOut('bucketBy: a number is bucketed as String(n) (42)', 'by-account', { key: 'u1', accountId: 42 }, 'fallthrough')
  .rollsOut('bucketBy: the string "42" lands with the number 42', 'by-account', { key: 'u3', accountId: '42' }, 'fallthrough')
  .rollsOut('bucketBy: a negative number as String(n) (-7)', 'by-account', { key: 'u1', accountId: -7 }, 'fallthrough')
  .rollsOut('bucketBy: a fraction as String(n) (1.5)', 'by-account', { key: 'u1', accountId: 1.5 }, 'fallthrough')
  .rollsOut('bucketBy: a large integer as String(n)', 'by-account', { key: 'u1', accountId: 12_345_678_901 }, 'fallthrough')
  .rollsOut('bucketBy: a missing attribute is bucket 0', 'by-account', { key: 'u1' }, 'fallthrough', 0)
  .rollsOut('bucketBy: null is bucket 0', 'by-account', { key: 'u1', accountId: null }, 'fallthrough', 0)
  .rollsOut('bucketBy: a boolean is bucket 0', 'by-account', { key: 'u1', accountId: true }, 'fallthrough', 0)
  .rollsOut('bucketBy: an array is bucket 0', 'by-account', { key: 'u1', accountId: ['acme'] }, 'fallthrough', 0)
  .rollsOut('bucketBy: an object is bucket 0', 'by-account', { key: 'u1', accountId: { id: 'acme' } }, 'fallthrough', 0)
  .rollsOut('bucketBy: the empty string is a value, hashed like any', 'by-account', { key: 'u1', accountId: '' }, 'fallthrough')
  .rollsOut('a rule may serve a rollout (a)', 'rule-rollout', { key: 'user-1', beta: true }, 0)
  .rollsOut('a rule may serve a rollout (b)', 'rule-rollout', { key: 'user-2', beta: true }, 0)
  .rollsOut('a rule may serve a rollout (c)', 'rule-rollout', { key: 'user-3', beta: true }, 0)
  .serves(
    'a rule serving a rollout does not touch contexts it does not match',
    'rule-rollout',
    { key: 'user-1', beta: false },
    0,
    reason.fallthrough,
  )
  .build();
