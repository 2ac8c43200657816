// The small language the vector themes are written in: flags, segments and cases, with each expectation
// stated by hand (the reasoning sits beside it in the theme files) — except buckets, which are computed
// here from DESIGN.md's formula with the `murmurhash` package, independently of core.
import murmurhash from 'murmurhash';

export const BUCKETS = 100_000;

/**
 * bucket = murmur3_x86_32(utf8(seed + ":" + value), 0) % 100000. murmurhash 2.x encodes a string with
 * TextEncoder (UTF-8; a lone surrogate becomes U+FFFD) before hashing, which is what DESIGN.md asks for.
 */
export function bucketOf(seed, value) {
  return murmurhash.v3(`${seed}:${value}`, 0) % BUCKETS;
}

/** What a rollout buckets by: strings as they are, finite numbers as String(n); anything else is missing. */
function bucketInput(context, attribute) {
  if (!Object.hasOwn(context, attribute)) return undefined;
  const value = context[attribute];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

export const reason = {
  off: { kind: 'OFF' },
  target: { kind: 'TARGET_MATCH' },
  fallthrough: { kind: 'FALLTHROUGH' },
  rule: (ruleId, ruleIndex) => ({ kind: 'RULE_MATCH', ruleId, ruleIndex }),
  error: (errorKind) => ({ kind: 'ERROR', errorKind }),
};

const KIND_VARIATIONS = { boolean: [false, true] };

/** A flag with every field DESIGN.md lists; on, serving variation 0 to everyone unless `state` says more. */
export function flag(key, state = {}) {
  const kind = state.kind ?? 'boolean';
  return {
    key,
    version: 1,
    kind,
    on: true,
    variations: KIND_VARIATIONS[kind],
    offVariation: 0,
    targets: [],
    rules: [],
    fallthrough: { variation: 0 },
    clientSide: false,
    ...state,
  };
}

export function segment(key, state = {}) {
  return { key, version: 1, included: [], excluded: [], rules: [], ...state };
}

export const rule = (id, clauses, serve = { variation: 1 }) => ({ id, clauses, serve });
export const clause = (attribute, op, values, negate = false) =>
  negate ? { attribute, op, values, negate: true } : { attribute, op, values };
export const rollout = (bucketBy, weights) => ({ rollout: { bucketBy, weights } });

/** The call an application would make for a flag of this kind, and a default that fits it. */
const CALL_FOR_KIND = {
  boolean: { call: 'boolean', default: false },
  string: { call: 'string', default: 'default' },
  number: { call: 'number', default: -1 },
  json: { call: 'json', default: {} },
};

/**
 * One vector file being written. `serves` states a case's variation and reason by hand; `rollsOut`
 * computes them from the bucket; `returnsDefault` is for errors.
 */
export function vectorFile(name, description) {
  const flags = {};
  const segments = {};
  const cases = [];

  const flagNamed = (key) => {
    const found = flags[key];
    if (found === undefined) throw new Error(`${name}: no flag ${key}`);
    return found;
  };
  const add = (c) => {
    if (cases.some((other) => other.name === c.name)) throw new Error(`${name}: duplicate case name ${c.name}`);
    cases.push(c);
  };
  const callFor = (f, opts) => ({ ...CALL_FOR_KIND[f.kind], ...opts });

  return {
    flags(...list) {
      for (const f of list) flags[f.key] = f;
      return this;
    },
    segments(...list) {
      for (const s of list) segments[s.key] = s;
      return this;
    },
    /** The flag serves its variation `index` for `why`. `opts` may set `call` and `default`. */
    serves(caseName, flagKey, context, index, why, opts = {}) {
      const f = flagNamed(flagKey);
      if (!(index in f.variations)) throw new Error(`${name} › ${caseName}: no variation ${index}`);
      const { call, default: def } = callFor(f, opts);
      add({
        name: caseName,
        flag: flagKey,
        context,
        default: def,
        call,
        expect: { value: f.variations[index], variationIndex: index, reason: why },
      });
      return this;
    },
    /**
     * A rollout decides: `serve` is 'fallthrough' or a rule index. The bucket comes from bucketOf, the
     * variation from the cumulative weights; `claim`, when given, is the variation the author reasoned to,
     * and a disagreement stops the build.
     */
    rollsOut(caseName, flagKey, context, serve, claim, opts = {}) {
      const f = flagNamed(flagKey);
      const how = serve === 'fallthrough' ? f.fallthrough : f.rules[serve].serve;
      const { bucketBy, weights } = how.rollout;
      const input = bucketInput(context, bucketBy);
      const bucket = input === undefined ? 0 : bucketOf(f.seed ?? f.key, input);
      let cumulative = 0;
      const index = weights.findIndex((w) => (cumulative += w) > bucket);
      if (claim !== undefined && claim !== index) {
        throw new Error(`${name} › ${caseName}: bucket ${bucket} gives variation ${index}, not ${claim}`);
      }
      const base = serve === 'fallthrough' ? reason.fallthrough : reason.rule(f.rules[serve].id, serve);
      const { call, default: def } = callFor(f, opts);
      add({
        name: caseName,
        flag: flagKey,
        context,
        default: def,
        call,
        expect: { value: f.variations[index], variationIndex: index, reason: { ...base, inRollout: true }, bucket },
      });
      return this;
    },
    /** The caller's default comes back with ERROR/`errorKind`. */
    returnsDefault(caseName, flagKey, context, call, def, errorKind) {
      add({
        name: caseName,
        flag: flagKey,
        context,
        default: def,
        call,
        expect: { value: def, variationIndex: null, reason: reason.error(errorKind) },
      });
      return this;
    },
    /** Rows of [case name, context, matches?] for a flag whose rule `ruleIndex` serves 1 and falls through to 0. */
    matchTable(flagKey, rows, ruleIndex = 0) {
      const f = flagNamed(flagKey);
      for (const [caseName, context, matches] of rows) {
        if (matches) this.serves(caseName, flagKey, context, 1, reason.rule(f.rules[ruleIndex].id, ruleIndex));
        else this.serves(caseName, flagKey, context, 0, reason.fallthrough);
      }
      return this;
    },
    build() {
      return { name, content: { description, snapshot: { version: 1, flags, segments }, cases } };
    },
  };
}

/** A flag with one rule `r` of one clause serving `true`, falling through to `false`: for operator tables. */
export const clauseFlag = (key, c) => flag(key, { rules: [rule('r', [c])] });

/** The first `${prefix}${n}` (n = 0, 1, …) whose bucket under `seed` satisfies `wanted`. */
export function findKey(seed, prefix, wanted, limit = 5_000_000) {
  for (let n = 0; n < limit; n++) if (wanted(bucketOf(seed, `${prefix}${n}`))) return `${prefix}${n}`;
  throw new Error(`no key ${prefix}N under seed ${seed} within ${limit}`);
}
