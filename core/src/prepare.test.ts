import { describe, expect, it } from 'vitest';
import type { Clause, Rule } from './model.js';
import { segmentsNamedBy } from './prepare.js';

const inSegments = (...values: unknown[]): Clause => ({ attribute: '', op: 'segmentMatch', values: values as Clause['values'] });
const rule = (id: string, ...clauses: Clause[]): Rule => ({ id, clauses, serve: { variation: 1 } });

describe('segmentsNamedBy', () => {
  it('names nothing for a flag without segmentMatch clauses', () => {
    const country: Clause = { attribute: 'country', op: 'in', values: ['segment-like'] };
    expect(segmentsNamedBy({ rules: [] })).toEqual([]);
    expect(segmentsNamedBy({ rules: [rule('r', country)] })).toEqual([]);
  });

  it('collects the keys of every rule and clause, each once, in the order first named', () => {
    const rules = [rule('a', inSegments('beta', 'staff')), rule('b', inSegments('staff'), inSegments('eu', 'beta'))];
    expect(segmentsNamedBy({ rules })).toEqual(['beta', 'staff', 'eu']);
  });

  it('counts a negated segmentMatch too: the flag still reads that segment', () => {
    expect(segmentsNamedBy({ rules: [rule('r', { ...inSegments('banned'), negate: true })] })).toEqual(['banned']);
  });

  it('skips values that are not strings, which name no segment', () => {
    expect(segmentsNamedBy({ rules: [rule('r', inSegments(1, null, 'beta', true))] })).toEqual(['beta']);
  });
});
