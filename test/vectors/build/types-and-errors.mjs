// The call's type against the flag's: a served value of another type than the caller's default gives the
// default back with ERROR/WRONG_TYPE (objects and arrays count as one type, "json"; a null default, the
// untyped call, takes anything). An unknown flag gives the default with ERROR/FLAG_NOT_FOUND.
import { flag, reason, vectorFile } from './dsl.mjs';

const ctx = { key: 'u1' };

export default vectorFile('types-and-errors', 'Typed calls on flags of every kind, WRONG_TYPE and FLAG_NOT_FOUND.')
  .flags(
    flag('bool', { fallthrough: { variation: 1 } }),
    flag('bool-off', { on: false, fallthrough: { variation: 1 } }),
    flag('colour', { kind: 'string', variations: ['red', 'green'], fallthrough: { variation: 1 } }),
    flag('colour-off', { kind: 'string', variations: ['red', 'green'], on: false, offVariation: 0 }),
    flag('limit', { kind: 'number', variations: [0, 1.5, 100], fallthrough: { variation: 1 } }),
    flag('config-object', {
      kind: 'json',
      variations: [{ color: 'red', sizes: [1, 2] }, { color: 'blue' }],
      fallthrough: { variation: 0 },
    }),
    flag('config-array', { kind: 'json', variations: [['a', 'b'], []], fallthrough: { variation: 0 } }),
    flag('config-string', { kind: 'json', variations: ['plain', { nested: true }], fallthrough: { variation: 0 } }),
  )
  .serves('boolean call on a boolean flag', 'bool', ctx, 1, reason.fallthrough)
  .serves('boolean call with a true default', 'bool-off', ctx, 0, reason.off, { default: true })
  .returnsDefault('string call on a boolean flag', 'bool', ctx, 'string', 'fallback', 'WRONG_TYPE')
  .returnsDefault('number call on a boolean flag', 'bool', ctx, 'number', 0, 'WRONG_TYPE')
  .returnsDefault('json call on a boolean flag', 'bool', ctx, 'json', {}, 'WRONG_TYPE')
  .serves('untyped call on a boolean flag', 'bool', ctx, 1, reason.fallthrough, { call: 'any', default: null })
  .serves('string call on a string flag', 'colour', ctx, 1, reason.fallthrough)
  .returnsDefault('boolean call on a string flag', 'colour', ctx, 'boolean', false, 'WRONG_TYPE')
  .returnsDefault('boolean call on a string flag, true default', 'colour', ctx, 'boolean', true, 'WRONG_TYPE')
  .returnsDefault('number call on a string flag', 'colour', ctx, 'number', 42, 'WRONG_TYPE')
  .returnsDefault('json call on a string flag', 'colour', ctx, 'json', { a: 1 }, 'WRONG_TYPE')
  .serves('untyped call on a string flag', 'colour', ctx, 1, reason.fallthrough, { call: 'any', default: null })
  .serves('string call on an off string flag', 'colour-off', ctx, 0, reason.off)
  .returnsDefault('the type is checked when the flag is off too', 'colour-off', ctx, 'boolean', false, 'WRONG_TYPE')
  .serves('number call on a number flag', 'limit', ctx, 1, reason.fallthrough)
  .returnsDefault('string call on a number flag', 'limit', ctx, 'string', '1.5', 'WRONG_TYPE')
  .returnsDefault('boolean call on a number flag', 'limit', ctx, 'boolean', false, 'WRONG_TYPE')
  .serves('json call on an object variation', 'config-object', ctx, 0, reason.fallthrough)
  .serves('json call with an array default on an object variation', 'config-object', ctx, 0, reason.fallthrough, { default: [] })
  .serves('json call on an array variation', 'config-array', ctx, 0, reason.fallthrough)
  .returnsDefault('boolean call on a json flag', 'config-object', ctx, 'boolean', false, 'WRONG_TYPE')
  .returnsDefault('string call on a json flag', 'config-array', ctx, 'string', '', 'WRONG_TYPE')
  .returnsDefault('json call on a json flag serving a string', 'config-string', ctx, 'json', {}, 'WRONG_TYPE')
  .serves('string call on a json flag serving a string', 'config-string', ctx, 0, reason.fallthrough, { call: 'string', default: '' })
  .serves('untyped call on a json flag', 'config-object', ctx, 0, reason.fallthrough, { call: 'any', default: null })
  .returnsDefault('unknown flag: boolean call', 'no-such-flag', ctx, 'boolean', false, 'FLAG_NOT_FOUND')
  .returnsDefault('unknown flag: boolean call, true default', 'no-such-flag', ctx, 'boolean', true, 'FLAG_NOT_FOUND')
  .returnsDefault('unknown flag: string call', 'no-such-flag', ctx, 'string', 'fallback', 'FLAG_NOT_FOUND')
  .returnsDefault('unknown flag: number call', 'no-such-flag', ctx, 'number', 7, 'FLAG_NOT_FOUND')
  .returnsDefault('unknown flag: json call', 'no-such-flag', ctx, 'json', { a: [1] }, 'FLAG_NOT_FOUND')
  .returnsDefault('unknown flag: untyped call', 'no-such-flag', ctx, 'any', null, 'FLAG_NOT_FOUND')
  .returnsDefault('flag keys are case-sensitive', 'Bool', ctx, 'boolean', false, 'FLAG_NOT_FOUND')
  .returnsDefault('an empty flag key is no flag', '', ctx, 'boolean', false, 'FLAG_NOT_FOUND')
  .returnsDefault('an inherited property name is no flag', 'constructor', ctx, 'any', null, 'FLAG_NOT_FOUND')
  .build();
