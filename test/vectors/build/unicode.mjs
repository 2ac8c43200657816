// Unicode in keys, attribute names, values and seeds. Strings are compared code unit for code unit (no
// normalisation, no case folding) and hashed as UTF-8: "é" is two bytes, "€" three, "😀" four.
import { clause, flag, reason, rollout, rule, vectorFile } from './dsl.mjs';

export default vectorFile('unicode', 'Unicode keys, attribute names, values and seeds; UTF-8 bucketing.')
  .flags(
    flag('unicode-targets', { targets: [{ variation: 1, values: ['Zoë', '用户-42', '👩‍💻'] }] }),
    flag('unicode-attribute', { rules: [rule('país', [clause('país', 'in', ['España', 'Côte d’Ivoire'])])] }),
    flag('unicode-text-ops', {
      rules: [
        rule('über', [clause('name', 'startsWith', ['Über'])]),
        rule('party', [clause('name', 'contains', ['🎉'])]),
        rule('straße', [clause('street', 'endsWith', ['straße'])]),
      ],
    }),
    flag('unicode-rollout', { fallthrough: rollout('key', [50_000, 50_000]) }),
    flag('unicode-seed', { seed: 'ñandú-種-🎲', fallthrough: rollout('key', [50_000, 50_000]) }),
  )
  .serves('target: a key with a precomposed ë', 'unicode-targets', { key: 'Zoë' }, 1, reason.target)
  .serves(
    'target: the decomposed spelling is another key (no normalisation)',
    'unicode-targets',
    { key: 'Zoe\u0308' },
    0,
    reason.fallthrough,
  )
  .serves('target: a CJK key', 'unicode-targets', { key: '用户-42' }, 1, reason.target)
  .serves('target: an emoji ZWJ sequence', 'unicode-targets', { key: '👩‍💻' }, 1, reason.target)
  .serves('target: part of an emoji ZWJ sequence is another key', 'unicode-targets', { key: '👩' }, 0, reason.fallthrough)
  .serves('an attribute name with an accent', 'unicode-attribute', { key: 'u1', país: 'España' }, 1, reason.rule('país', 0))
  .serves('a value with a typographic apostrophe', 'unicode-attribute', { key: 'u1', país: 'Côte d’Ivoire' }, 1, reason.rule('país', 0))
  .serves('a straight apostrophe is another character', 'unicode-attribute', { key: 'u1', país: "Côte d'Ivoire" }, 0, reason.fallthrough)
  .serves('the unaccented attribute name is another attribute', 'unicode-attribute', { key: 'u1', pais: 'España' }, 0, reason.fallthrough)
  .serves('startsWith a non-ASCII prefix', 'unicode-text-ops', { key: 'u1', name: 'Übermensch' }, 1, reason.rule('über', 0))
  .serves('no case folding: ü is not Ü', 'unicode-text-ops', { key: 'u1', name: 'übermensch' }, 0, reason.fallthrough)
  .serves('contains an emoji', 'unicode-text-ops', { key: 'u1', name: 'launch 🎉 party' }, 1, reason.rule('party', 1))
  .serves('endsWith ß', 'unicode-text-ops', { key: 'u1', street: 'Hauptstraße' }, 1, reason.rule('straße', 2))
  .serves('no case folding: ss is not ß', 'unicode-text-ops', { key: 'u1', street: 'Hauptstrasse' }, 0, reason.fallthrough)
  .rollsOut('bucket: a Latin-1 character (2 bytes in UTF-8)', 'unicode-rollout', { key: 'Zoë' }, 'fallthrough')
  .rollsOut('bucket: a decomposed ë hashes differently', 'unicode-rollout', { key: 'Zoe\u0308' }, 'fallthrough')
  .rollsOut('bucket: the euro sign (3 bytes)', 'unicode-rollout', { key: 'price-€' }, 'fallthrough')
  .rollsOut('bucket: CJK (3 bytes each)', 'unicode-rollout', { key: '用户-42' }, 'fallthrough')
  .rollsOut('bucket: an emoji (a surrogate pair, 4 bytes)', 'unicode-rollout', { key: '😀' }, 'fallthrough')
  .rollsOut('bucket: an emoji ZWJ sequence', 'unicode-rollout', { key: '👩‍💻' }, 'fallthrough')
  .rollsOut('bucket: mixed scripts', 'unicode-rollout', { key: 'naïve café ☕ Ελλάδα' }, 'fallthrough')
  .rollsOut('bucket: a lone surrogate is hashed as U+FFFD', 'unicode-rollout', { key: 'x\ud800y' }, 'fallthrough')
  .rollsOut('bucket: a non-ASCII seed (a)', 'unicode-seed', { key: 'user-1' }, 'fallthrough')
  .rollsOut('bucket: a non-ASCII seed (b)', 'unicode-seed', { key: 'user-2' }, 'fallthrough')
  .rollsOut('bucket: a non-ASCII seed and key', 'unicode-seed', { key: 'Zoë' }, 'fallthrough')
  .build();
