// segmentMatch: the clause's values name segments, and the clause matches when any of them holds the
// context. A segment holds a context whose key it excludes: never; includes: always; otherwise when any
// of its rules matches (all clauses of the rule). Excluded beats included beats rules.
import { clause, flag, reason, rule, segment, vectorFile } from './dsl.mjs';

const inSegments = (...keys) => clause('', 'segmentMatch', keys);

export default vectorFile('segments', 'Segments: included and excluded keys, segment rules, several segments, negation.')
  .segments(
    segment('beta', {
      included: ['u-in', 'u-both'],
      excluded: ['u-out', 'u-both'],
      rules: [{ id: 'staff', clauses: [clause('email', 'endsWith', ['@example.com'])] }],
    }),
    segment('vip', {
      included: ['u-vip'],
      rules: [
        { id: 'gold', clauses: [clause('plan', 'in', ['gold'])] },
        { id: 'za-silver', clauses: [clause('country', 'in', ['ZA']), clause('plan', 'in', ['silver'])] },
      ],
    }),
    segment('nobody'),
  )
  .flags(
    flag('beta-only', { rules: [rule('beta', [inSegments('beta')])] }),
    flag('beta-or-vip', { rules: [rule('either', [inSegments('beta', 'vip')])] }),
    flag('not-beta', { rules: [rule('outsiders', [clause('', 'segmentMatch', ['beta'], true)])] }),
    flag('nobody-segment', { rules: [rule('nobody', [inSegments('nobody')])] }),
    flag('beta-in-za', { rules: [rule('beta-za', [inSegments('beta'), clause('country', 'in', ['ZA'])])] }),
  )
  .matchTable('beta-only', [
    ['segment: an included key is in', { key: 'u-in' }, true],
    ['segment: an excluded key is out, even when a segment rule matches', { key: 'u-out', email: 'out@example.com' }, false],
    ['segment: excluded beats included', { key: 'u-both' }, false],
    ['segment: a context matching a segment rule is in', { key: 'u-x', email: 'x@example.com' }, true],
    ['segment: a context matching no rule is out', { key: 'u-x', email: 'x@shop.test' }, false],
    ['segment: a context without a key is in when a rule matches', { email: 'anon@example.com' }, true],
    ['segment: a context without a key or attributes is out', {}, false],
    ['segment: keys are case-sensitive', { key: 'U-IN' }, false],
  ])
  .matchTable('beta-or-vip', [
    ['segments: in the first named segment', { key: 'u-in' }, true],
    ['segments: in the second named segment', { key: 'u-vip' }, true],
    ["segments: by the second segment's first rule", { key: 'u-y', plan: 'gold' }, true],
    ['segments: by a two-clause segment rule', { key: 'u-y', country: 'ZA', plan: 'silver' }, true],
    ['segments: half a two-clause segment rule is not enough', { key: 'u-y', plan: 'silver' }, false],
    ['segments: excluded from one, in no other', { key: 'u-out' }, false],
  ])
  .matchTable('not-beta', [
    ['negate segmentMatch: a member does not match', { key: 'u-in' }, false],
    ['negate segmentMatch: a non-member matches', { key: 'u-stranger' }, true],
    ['negate segmentMatch: an excluded key matches', { key: 'u-out' }, true],
    ['negate segmentMatch: membership is not an attribute, so an empty context matches', {}, true],
  ])
  .matchTable('nobody-segment', [['segment: an empty segment holds nobody', { key: 'u-in', email: 'a@example.com' }, false]])
  .matchTable('beta-in-za', [
    ['segment and clause: both must hold', { key: 'u-in', country: 'ZA' }, true],
    ['segment and clause: the segment alone is not enough', { key: 'u-in', country: 'US' }, false],
    ['segment and clause: the clause alone is not enough', { key: 'u-nobody', country: 'ZA' }, false],
  ])
  .serves(
    'segment: an excluded key is out though also included and matching a rule',
    'beta-only',
    { key: 'u-both', email: 'b@example.com' },
    0,
    reason.fallthrough,
  )
  .build();
