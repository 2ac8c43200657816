import { describe, expect, it } from 'vitest';
import { diffLines } from './diff.js';
import { changeLines } from './render.js';

describe('diffLines', () => {
  it('keeps common lines and marks removals and additions', () => {
    const render = (a: string[], b: string[]) => diffLines(a, b).map(({ op, text }) => `${op}${text}`);
    expect(render(['a', 'b', 'c'], ['a', 'x', 'c'])).toEqual([' a', '-b', '+x', ' c']);
    expect(render([], ['a'])).toEqual(['+a']);
    expect(render(['a'], [])).toEqual(['-a']);
    expect(render(['a', 'b'], ['a', 'b'])).toEqual([' a', ' b']);
  });
});

describe('changeLines', () => {
  it('shows a scalar change on one line', () => {
    expect(changeLines({ field: 'on', before: false, after: true })).toEqual(['on: false → true']);
    expect(changeLines({ field: 'description', before: undefined, after: 'x' })).toEqual(['+ description: "x"']);
  });

  it('keeps short lists on one line', () => {
    expect(changeLines({ field: 'tags', before: ['a'], after: ['a', 'b'] })).toEqual(['tags: [a] → [a, b]']);
  });

  it('shows a structure change as a YAML line diff', () => {
    const lines = changeLines({
      field: 'fallthrough',
      before: { rollout: { bucketBy: 'key', weights: [75_000, 25_000] } },
      after: { rollout: { bucketBy: 'key', weights: [50_000, 50_000] } },
    });
    expect(lines).toEqual([
      'fallthrough:',
      '    rollout:',
      '      bucketBy: key',
      '  -   weights: [75000, 25000]',
      '  +   weights: [50000, 50000]',
    ]);
  });

  it('shows a new rule list as added lines', () => {
    const rule = { id: 'nl', clauses: [{ attribute: 'country', op: 'in', values: ['NL'] }], serve: { variation: 1 } };
    expect(changeLines({ field: 'rules', before: [], after: [rule] })).toEqual([
      'rules:',
      '  - []',
      '  + - id: nl',
      '  +   clauses:',
      '  +     - attribute: country',
      '  +       op: in',
      '  +       values: [NL]',
      '  +   serve:',
      '  +     variation: 1',
    ]);
  });
});
