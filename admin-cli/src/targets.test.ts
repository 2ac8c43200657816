import { describe, expect, it } from 'vitest';
import { changeTargets } from './targets.js';

describe('changeTargets', () => {
  it('adds keys to a variation, creating its entry', () => {
    const change = changeTargets([], 1, ['user-1', 'user-2'], []);
    expect(change.targets).toEqual([{ variation: 1, values: ['user-1', 'user-2'] }]);
    expect(change.changed).toBe(true);
  });

  it('moves a key targeted to another variation, and reports the move', () => {
    const change = changeTargets([{ variation: 0, values: ['user-1', 'user-3'] }], 1, ['user-1'], []);
    expect(change.targets).toEqual([
      { variation: 0, values: ['user-3'] },
      { variation: 1, values: ['user-1'] },
    ]);
    expect(change.moved).toEqual([{ key: 'user-1', from: 0 }]);
  });

  it('removes keys and drops an emptied entry', () => {
    const change = changeTargets([{ variation: 1, values: ['user-1'] }], 1, [], ['user-1', 'user-9']);
    expect(change.targets).toEqual([]);
    expect(change.notTargeted).toEqual(['user-9']);
  });

  it('reports no change when the keys are already where asked', () => {
    expect(changeTargets([{ variation: 1, values: ['user-1'] }], 1, ['user-1'], []).changed).toBe(false);
  });

  it('refuses a key that is both added and removed, and an empty request', () => {
    expect(() => changeTargets([], 1, ['a'], ['a'])).toThrow(/both add and remove a/);
    expect(() => changeTargets([], 1, [], [])).toThrow(/--add or --remove/);
  });
});
