import { applyEvent, prepareSnapshot, type PreparedSnapshot, type StreamEvent } from '@flagstaff/core/evaluate';
import { describe, expect, it } from 'vitest';
import { flagOff, flagOn, snapshotOf, stringFlag } from '@flagstaff/core/testing';
import { FlagIndex, MAX_UNKNOWN_KEYS } from './flag-index.js';

const snapshot = (flags = [flagOn('a'), stringFlag('b', ['x', 'y', 'z', 'w', 'v'])]) => snapshotOf(1, flags);

/** An index following a state; `apply` moves the state on by one event, as the client does with FlagSync's. */
function indexOver(first: PreparedSnapshot | null, counting = true) {
  const index = new FlagIndex(counting);
  let state = first;
  index.follow(state);
  const apply = (event: StreamEvent) => index.follow((state = applyEvent(state, event)));
  return { index, apply };
}

describe('FlagIndex: evaluation', () => {
  it('serves what core serves, and follows each new state at once', () => {
    const { index, apply } = indexOver(prepareSnapshot(snapshot()));
    expect(index.evaluate('a', { key: 'u' }, false)).toMatchObject({ value: true, variationIndex: 1, reason: { kind: 'FALLTHROUGH' } });
    apply({ type: 'patch', data: { version: 2, kind: 'flag', key: 'a', value: flagOff('a', { version: 2 }) } });
    expect(index.evaluate('a', { key: 'u' }, true)).toMatchObject({ value: false, reason: { kind: 'OFF' } });
    apply({ type: 'delete', data: { version: 3, kind: 'flag', key: 'a' } });
    expect(index.evaluate('a', { key: 'u' }, true)).toEqual({
      value: true,
      variationIndex: null,
      reason: { kind: 'ERROR', errorKind: 'FLAG_NOT_FOUND' },
    });
    apply({ type: 'patch', data: { version: 4, kind: 'flag', key: 'a', value: flagOn('a', { version: 4 }) } });
    expect(index.evaluate('a', { key: 'u' }, false).value).toBe(true);
  });

  it('says CLIENT_NOT_READY before any state, then serves the flag once it arrives', () => {
    const { index } = indexOver(null);
    expect(index.evaluate('a', {}, false).reason).toEqual({ kind: 'ERROR', errorKind: 'CLIENT_NOT_READY' });
    index.follow(prepareSnapshot(snapshot()));
    expect(index.evaluate('a', {}, false)).toMatchObject({ value: true, variationIndex: 1 });
    expect(index.drain().flags).toEqual([
      { key: 'a', variation: null, count: 1 },
      { key: 'a', variation: 1, count: 1 },
    ]);
  });
});

describe('FlagIndex: usage counts', () => {
  it('counts per flag and variation, the default apart, and starts a new window on drain', () => {
    const { index } = indexOver(prepareSnapshot(snapshot()));
    for (let i = 0; i < 3; i++) index.evaluate('a', {}, false);
    index.evaluate('a', {}, 'wrong type');
    index.evaluate('b', {}, 'x');
    index.evaluate('missing', {}, 0);
    const window = index.drain(Date.now() + 1);
    expect(window.flags).toEqual([
      { key: 'a', variation: null, count: 1 },
      { key: 'a', variation: 1, count: 3 },
      { key: 'b', variation: 1, count: 1 },
      { key: 'missing', variation: null, count: 1 },
    ]);
    expect(window.end).toBeGreaterThan(window.start);
    expect(index.drain().flags).toEqual([]);
  });

  it('reports the counts of a flag deleted before the drain, once', () => {
    const { index, apply } = indexOver(prepareSnapshot(snapshot()));
    index.evaluate('a', {}, false);
    apply({ type: 'delete', data: { version: 2, kind: 'flag', key: 'a' } });
    index.evaluate('b', {}, 'x');
    expect(index.drain().flags).toEqual([
      { key: 'a', variation: 1, count: 1 },
      { key: 'b', variation: 1, count: 1 },
    ]);
    expect(index.drain().flags).toEqual([]);
  });

  it.each([
    ['an empty string', ''],
    ['upper case', 'UPPER'],
    ['a path', '../x'],
    ['a key too long', 'x'.repeat(200)],
    ['a number', 42],
    ['undefined', undefined],
    ['an object', { toString: () => 'a' }],
  ])('leaves out %s, which cannot be a flag key', (_, key) => {
    const { index } = indexOver(prepareSnapshot(snapshot()));
    expect(index.evaluate(key as string, {}, false).reason).toMatchObject({ kind: 'ERROR' });
    expect(index.drain().flags).toEqual([]);
  });

  it(`counts at most ${MAX_UNKNOWN_KEYS} unknown keys a window, and the known flags still`, () => {
    const { index } = indexOver(prepareSnapshot(snapshot()));
    for (let i = 0; i < MAX_UNKNOWN_KEYS + 50; i++) index.evaluate(`unknown-${i}`, {}, false);
    index.evaluate('a', {}, false);
    const flags = index.drain().flags;
    expect(flags.filter((f) => f.key.startsWith('unknown-'))).toHaveLength(MAX_UNKNOWN_KEYS);
    expect(flags).toContainEqual({ key: 'a', variation: 1, count: 1 });
    // The cap is per window: the drain forgot the unknown keys.
    index.evaluate('unknown-late', {}, false);
    expect(index.drain().flags).toEqual([{ key: 'unknown-late', variation: null, count: 1 }]);
  });

  describe("isEnabled's path for a flag that serves one value to everyone", () => {
    const ruled = flagOn('ruled', {
      rules: [{ id: 'za', clauses: [{ attribute: 'country', op: 'in', values: ['ZA'] }], serve: { variation: 1 } }],
      fallthrough: { variation: 0 },
    });
    const string = stringFlag('text', ['x', 'y']);
    const flags = [flagOn('on'), flagOff('off'), ruled, string];

    it('answers as evaluate() does, and counts each answer against the variation served', () => {
      const { index } = indexOver(prepareSnapshot(snapshot(flags)));
      const asked = ['on', 'on', 'off', 'text', 'missing', 'ruled'].map((key) => index.isEnabled(key, { country: 'ZA' }));
      expect(asked).toEqual([true, true, false, false, false, true]);
      for (const key of ['on', 'off', 'text', 'missing', 'ruled']) {
        expect(index.isEnabled(key, { country: 'ZA' })).toBe(index.evaluate<boolean>(key, { country: 'ZA' }, false).value === true);
      }
      // Each key above was asked once more by isEnabled and once by evaluate.
      expect(index.drain().flags).toEqual([
        { key: 'on', variation: 1, count: 4 },
        { key: 'off', variation: 0, count: 3 },
        { key: 'ruled', variation: 1, count: 3 },
        // A string flag asked as a boolean serves the default (false), counted as such.
        { key: 'text', variation: null, count: 3 },
        { key: 'missing', variation: null, count: 3 },
      ]);
    });

    it('counts against the variation served at the time, across a flip inside the window', () => {
      const { index, apply } = indexOver(prepareSnapshot(snapshot(flags)));
      for (let i = 0; i < 3; i++) index.isEnabled('on', {});
      apply({ type: 'patch', data: { version: 2, kind: 'flag', key: 'on', value: flagOff('on', { version: 2 }) } });
      expect(index.isEnabled('on', {})).toBe(false);
      apply({ type: 'patch', data: { version: 3, kind: 'flag', key: 'on', value: { ...ruled, key: 'on', version: 3 } } });
      expect(index.isEnabled('on', { country: 'ZA' })).toBe(true);
      apply({ type: 'delete', data: { version: 4, kind: 'flag', key: 'on' } });
      expect(index.isEnabled('on', {})).toBe(false);
      expect(index.drain().flags).toEqual([
        { key: 'on', variation: null, count: 1 },
        { key: 'on', variation: 0, count: 1 },
        { key: 'on', variation: 1, count: 4 },
      ]);
      expect(index.drain().flags).toEqual([]);
    });

    it('counts nothing when usage is off', () => {
      const { index } = indexOver(prepareSnapshot(snapshot(flags)), false);
      expect(index.isEnabled('on', {})).toBe(true);
      expect(index.drain().flags).toEqual([]);
    });
  });

  it('counts nothing when usage is off', () => {
    const { index } = indexOver(prepareSnapshot(snapshot()), false);
    index.evaluate('a', {}, false);
    index.evaluate('missing', {}, false);
    expect(index.drain().flags).toEqual([]);
  });
});
