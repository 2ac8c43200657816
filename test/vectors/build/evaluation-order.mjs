// DESIGN.md's evaluation order: off → targets → rules (first match wins) → fallthrough, each with its
// reason; and DESIGN.md's own example flag, new-checkout, end to end.
import { clause, flag, reason, rollout, rule, vectorFile } from './dsl.mjs';

const newCheckout = {
  targets: [{ variation: 1, values: ['user-1', 'user-2'] }],
  rules: [
    rule('africa', [clause('country', 'in', ['ZA', 'NG', 'KE'])], { variation: 1 }),
    rule('staff', [clause('email', 'endsWith', ['@example.com'])], rollout('key', [50_000, 50_000])),
  ],
  fallthrough: rollout('key', [75_000, 25_000]),
  seed: 'new-checkout',
  clientSide: true,
};

export default vectorFile('evaluation-order', "Evaluation order and reasons; DESIGN.md's new-checkout flag end to end.")
  .flags(
    flag('killed', { on: false, fallthrough: { variation: 1 } }),
    flag('killed-serving-true', { on: false, offVariation: 1, fallthrough: { variation: 0 } }),
    flag('killed-string', { kind: 'string', variations: ['a', 'b', 'c'], on: false, offVariation: 2 }),
    flag('simply-on', { fallthrough: { variation: 1 } }),
    flag('first-rule-wins', {
      kind: 'string',
      variations: ['fallthrough', 'africa', 'gold'],
      rules: [
        rule('africa', [clause('country', 'in', ['ZA'])], { variation: 1 }),
        rule('gold', [clause('plan', 'in', ['gold'])], { variation: 2 }),
      ],
    }),
    flag('all-clauses', { rules: [rule('za-gold', [clause('country', 'in', ['ZA']), clause('plan', 'in', ['gold'])])] }),
    flag('new-checkout', newCheckout),
    flag('new-checkout-killed', { ...newCheckout, on: false, seed: undefined }),
  )
  .serves('off: serves the off variation', 'killed', { key: 'u1' }, 0, reason.off)
  .serves('off: even to a context without a key', 'killed', {}, 0, reason.off)
  .serves('off: the off variation may be true', 'killed-serving-true', { key: 'u1' }, 1, reason.off)
  .serves('off: on a string flag, the named off variation', 'killed-string', { key: 'u1' }, 2, reason.off)
  .serves('on without targeting: everyone falls through', 'simply-on', { key: 'u1' }, 1, reason.fallthrough)
  .serves('on without targeting: an empty context too', 'simply-on', {}, 1, reason.fallthrough)
  .serves('rules: the first matching rule wins', 'first-rule-wins', { key: 'u1', country: 'ZA', plan: 'gold' }, 1, reason.rule('africa', 0))
  .serves(
    'rules: a later rule when the first does not match',
    'first-rule-wins',
    { key: 'u1', country: 'US', plan: 'gold' },
    2,
    reason.rule('gold', 1),
  )
  .serves('rules: fall through when none matches', 'first-rule-wins', { key: 'u1', country: 'US', plan: 'free' }, 0, reason.fallthrough)
  .serves(
    'rules: every clause of a rule must match',
    'all-clauses',
    { key: 'u1', country: 'ZA', plan: 'gold' },
    1,
    reason.rule('za-gold', 0),
  )
  .serves('rules: one clause of two is not enough', 'all-clauses', { key: 'u1', country: 'ZA', plan: 'free' }, 0, reason.fallthrough)
  .serves('new-checkout: a targeted user', 'new-checkout', { key: 'user-1', country: 'US' }, 1, reason.target)
  .serves('new-checkout: a targeted user in Africa is still a target', 'new-checkout', { key: 'user-2', country: 'NG' }, 1, reason.target)
  .serves('new-checkout: a user in Africa', 'new-checkout', { key: 'user-3', country: 'KE' }, 1, reason.rule('africa', 0))
  .serves(
    'new-checkout: a staff member in Africa gets the first rule',
    'new-checkout',
    { key: 'user-4', country: 'ZA', email: 'x@example.com' },
    1,
    reason.rule('africa', 0),
  )
  .rollsOut('new-checkout: staff are split 50/50 (a)', 'new-checkout', { key: 'user-5', email: 'e@example.com' }, 1)
  .rollsOut('new-checkout: staff are split 50/50 (b)', 'new-checkout', { key: 'user-6', email: 'f@example.com' }, 1)
  .rollsOut('new-checkout: staff are split 50/50 (c)', 'new-checkout', { key: 'user-7', email: 'g@example.com' }, 1)
  .rollsOut('new-checkout: staff without a key are in bucket 0', 'new-checkout', { email: 'anon@example.com' }, 1, 0)
  .rollsOut('new-checkout: everyone else is rolled out 25% (a)', 'new-checkout', { key: 'user-8', country: 'US' }, 'fallthrough')
  .rollsOut('new-checkout: everyone else is rolled out 25% (b)', 'new-checkout', { key: 'user-9', country: 'FR' }, 'fallthrough')
  .rollsOut('new-checkout: everyone else is rolled out 25% (c)', 'new-checkout', { key: 'user-10' }, 'fallthrough')
  .rollsOut('new-checkout: everyone else is rolled out 25% (d)', 'new-checkout', { key: 'user-11' }, 'fallthrough')
  .rollsOut('new-checkout: everyone else is rolled out 25% (e)', 'new-checkout', { key: 'user-12' }, 'fallthrough')
  .rollsOut('new-checkout: everyone else is rolled out 25% (f)', 'new-checkout', { key: 'user-13' }, 'fallthrough')
  .serves('new-checkout killed: a target gets the off variation', 'new-checkout-killed', { key: 'user-1' }, 0, reason.off)
  .serves('new-checkout killed: Africa gets the off variation', 'new-checkout-killed', { key: 'user-3', country: 'ZA' }, 0, reason.off)
  .build();
