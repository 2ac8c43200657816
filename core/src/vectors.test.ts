// Runs the shared evaluation vectors (test/vectors/README.md) through core's public evaluate(), the way
// both SDKs and the server call it. A failure here means core and the contract disagree.
import { describe, expect, it } from 'vitest';
import { loadVectorFiles, type VectorCase, type VectorFile } from '../../test/vectors/load.js';
import { bucketInput } from './bucket.js';
import { bucketOf, evaluate, isEnabled, OPERATORS, prepareSnapshot, validateContext, validateSnapshot, type Serve } from './index.js';

const files = loadVectorFiles();

/** The bucket core puts the case's context in, for the rollout its expected reason names. */
function coreBucket(file: VectorFile, c: VectorCase): number {
  const flag = file.snapshot.flags[c.flag]!;
  const reason = c.expect.reason;
  const serve: Serve = reason.kind === 'RULE_MATCH' ? flag.rules[reason.ruleIndex!]!.serve : flag.fallthrough;
  if (!('rollout' in serve)) throw new Error(`${c.name}: the expected reason names a serve that is not a rollout`);
  const attribute = serve.rollout.bucketBy;
  const input = Object.hasOwn(c.context, attribute) ? bucketInput(c.context[attribute]) : undefined;
  return input === undefined ? 0 : bucketOf(flag.seed ?? flag.key, input);
}

describe('the shared vectors', () => {
  it('hold at least 200 cases, every operator plain and negated, in snapshots that pass validation', () => {
    const used = new Set<string>();
    for (const file of files) {
      expect(validateSnapshot(file.snapshot), file.file).toMatchObject({ ok: true });
      for (const flag of Object.values(file.snapshot.flags)) {
        for (const rule of flag.rules) for (const clause of rule.clauses) used.add(`${clause.op}${clause.negate ? ' negated' : ''}`);
      }
    }
    expect(files.reduce((n, f) => n + f.cases.length, 0)).toBeGreaterThanOrEqual(200);
    expect([...OPERATORS].filter((op) => !used.has(op))).toEqual([]);
    expect(['in', 'lt', 'startsWith', 'semverLt', 'segmentMatch'].filter((op) => !used.has(`${op} negated`))).toEqual([]);
  });

  it('give a bucket exactly when a rollout decided', () => {
    for (const file of files) {
      for (const c of file.cases)
        expect(c.expect.bucket !== undefined, `${file.file} › ${c.name}`).toBe(c.expect.reason.inRollout === true);
    }
  });

  it('name every flag and segment once across all files, so that a runner may load them all into one environment', () => {
    const flagKeys = files.flatMap((f) => Object.keys(f.snapshot.flags));
    const segmentKeys = files.flatMap((f) => Object.keys(f.snapshot.segments));
    expect(flagKeys.filter((k, i) => flagKeys.indexOf(k) !== i)).toEqual([]);
    expect(segmentKeys.filter((k, i) => segmentKeys.indexOf(k) !== i)).toEqual([]);
    const missing = files.flatMap((f) => f.cases.filter((c) => c.expect.reason.errorKind === 'FLAG_NOT_FOUND').map((c) => c.flag));
    expect(missing.filter((k) => flagKeys.includes(k))).toEqual([]);
  });

  // Validation drops a "__proto__" key; the cases holding one expect what a context without it gets.
  it('hold only contexts that pass validation, so a server can run them through its API', () => {
    for (const file of files) {
      for (const c of file.cases) expect(validateContext(c.context), `${file.file} › ${c.name}`).toMatchObject({ ok: true });
    }
  });
});

for (const file of files) {
  describe(file.file, () => {
    const state = prepareSnapshot(file.snapshot);

    it.each(file.cases)('$name', (c) => {
      const { bucket, ...expected } = c.expect;
      const detail = evaluate(state, c.flag, c.context, c.default);
      expect({ value: detail.value, variationIndex: detail.variationIndex, reason: { ...detail.reason } }).toStrictEqual(expected);
      if (bucket !== undefined) expect(coreBucket(file, c)).toBe(bucket);
      if (c.call === 'boolean' && c.default === false) expect(isEnabled(state, c.flag, c.context)).toBe(c.expect.value);
    });
  });
}
