// Individual targets: the context's key, exactly (case-sensitive, no trimming), served before any rule.
// An off flag serves its off variation to targeted keys too.
import { clause, flag, reason, rule, vectorFile } from './dsl.mjs';

export default vectorFile('targets', 'Individual targets: before rules, exact keys, on string flags, under the kill switch.')
  .flags(
    flag('targeted', {
      targets: [
        { variation: 1, values: ['alice', 'bob'] },
        { variation: 0, values: ['mallory'] },
      ],
      rules: [rule('za', [clause('country', 'in', ['ZA'])])],
    }),
    flag('theme', {
      kind: 'string',
      variations: ['light', 'dark', 'contrast'],
      targets: [
        { variation: 2, values: ['u1'] },
        { variation: 1, values: ['u2', 'u3'] },
      ],
      fallthrough: { variation: 0 },
    }),
    flag('targeted-off', { on: false, targets: [{ variation: 1, values: ['alice'] }], fallthrough: { variation: 1 } }),
  )
  .serves('target: a listed key gets its variation', 'targeted', { key: 'alice' }, 1, reason.target)
  .serves('target: any key of the list', 'targeted', { key: 'bob' }, 1, reason.target)
  .serves('target: a target may serve false', 'targeted', { key: 'mallory' }, 0, reason.target)
  .serves('target: beats a matching rule', 'targeted', { key: 'mallory', country: 'ZA' }, 0, reason.target)
  .serves('target: a key not listed goes on to the rules', 'targeted', { key: 'carol', country: 'ZA' }, 1, reason.rule('za', 0))
  .serves('target: a key not listed and no rule falls through', 'targeted', { key: 'carol', country: 'US' }, 0, reason.fallthrough)
  .serves('target: keys are case-sensitive', 'targeted', { key: 'Alice' }, 0, reason.fallthrough)
  .serves('target: keys are not trimmed', 'targeted', { key: ' alice' }, 0, reason.fallthrough)
  .serves('target: the empty key is no listed key', 'targeted', { key: '' }, 0, reason.fallthrough)
  .serves('target: a context without a key is targeted by nothing', 'targeted', { name: 'alice' }, 0, reason.fallthrough)
  .serves(
    'target: an attribute named like a key is not the key',
    'targeted',
    { key: 'carol', id: 'alice', user: 'alice' },
    0,
    reason.fallthrough,
  )
  .serves('target on a string flag: first list', 'theme', { key: 'u1' }, 2, reason.target)
  .serves('target on a string flag: second list', 'theme', { key: 'u3' }, 1, reason.target)
  .serves('target on a string flag: not listed', 'theme', { key: 'u4' }, 0, reason.fallthrough)
  .serves('target on an off flag: the off variation wins', 'targeted-off', { key: 'alice' }, 0, reason.off)
  .build();
