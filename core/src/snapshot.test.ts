import { describe, expect, it } from 'vitest';
import { snapshotChecksum } from './checksum.js';
import { evaluate } from './evaluate.js';
import { isFlag, isSegment, isSnapshot } from './guard.js';
import type { Flag, Segment, Snapshot } from './model.js';
import type { StreamEvent } from './protocol.js';
import { applyEvent, changedFlagKeys, prepareSnapshot, type PreparedSnapshot } from './snapshot.js';
import { booleanFlag, flagOff, flagOn, inSegment, ruleFlag, segment, snapshotOf } from './testing/index.js';

const put = (data: Snapshot): StreamEvent => ({ type: 'put', data });
const patchFlag = (version: number, value: Flag): StreamEvent => ({
  type: 'patch',
  data: { version, kind: 'flag', key: value.key, value },
});
const patchSegment = (version: number, value: Segment): StreamEvent => ({
  type: 'patch',
  data: { version, kind: 'segment', key: value.key, value },
});
const remove = (version: number, kind: 'flag' | 'segment', key: string): StreamEvent => ({ type: 'delete', data: { version, kind, key } });

const on = (s: PreparedSnapshot, key: string, context = {}) => evaluate(s, key, context, false).value;

describe('prepareSnapshot', () => {
  it('prepares every flag and segment and keeps the snapshot as raw', () => {
    const raw = snapshotOf(5, [flagOn('a'), ruleFlag('b', [inSegment('beta')])], [segment('beta', { included: ['u'] })]);
    const s = prepareSnapshot(raw);
    expect(s.version).toBe(5);
    expect(s.raw).toBe(raw);
    expect([...s.flags.keys()]).toEqual(['a', 'b']);
    expect(on(s, 'b', { key: 'u' })).toBe(true);
  });

  it.each([
    ['null', null],
    ['an array', []],
    ['no version', { flags: {}, segments: {} }],
    ['flags as an array', { version: 1, flags: [], segments: {} }],
    ['a flag without rules', { version: 1, flags: { a: { ...flagOn('a'), rules: undefined } }, segments: {} }],
    ['a flag filed under another key', { version: 1, flags: { b: flagOn('a') }, segments: {} }],
    [
      'a clause without values',
      {
        version: 1,
        flags: { a: { ...flagOn('a'), rules: [{ id: 'r', clauses: [{ attribute: 'x', op: 'in' }], serve: { variation: 0 } }] } },
        segments: {},
      },
    ],
  ])('throws a TypeError for %s', (_, input) => {
    expect(() => prepareSnapshot(input as unknown as Snapshot)).toThrow(TypeError);
  });
});

describe('applyEvent', () => {
  const base = () =>
    prepareSnapshot(
      snapshotOf(
        10,
        [flagOn('a', { version: 3 }), flagOn('b'), ruleFlag('g', [inSegment('beta')])],
        [segment('beta', { version: 2, included: ['u'] })],
      ),
    );

  describe('put', () => {
    it('replaces the state, keeping prepared flags whose version did not change', () => {
      const before = base();
      const after = applyEvent(
        before,
        put(
          snapshotOf(
            12,
            [flagOn('a', { version: 3 }), flagOff('b', { version: 2 }), flagOn('c')],
            [segment('beta', { version: 2, included: ['u'] })],
          ),
        ),
      );
      expect(after.version).toBe(12);
      expect(after.flags.get('a')).toBe(before.flags.get('a'));
      expect(after.flags.get('b')).not.toBe(before.flags.get('b'));
      expect(changedFlagKeys(before, after)).toEqual(['b', 'c', 'g']);
      expect(on(after, 'b')).toBe(false);
    });

    it('keeps a flag whose segment is unchanged, and re-prepares one whose segment changed', () => {
      const before = base();
      const same = applyEvent(
        before,
        put(
          snapshotOf(
            11,
            [flagOn('a', { version: 3 }), flagOn('b'), ruleFlag('g', [inSegment('beta')])],
            [segment('beta', { version: 2, included: ['u'] })],
          ),
        ),
      );
      expect(changedFlagKeys(before, same)).toEqual([]);
      const changed = applyEvent(
        before,
        put(
          snapshotOf(
            11,
            [flagOn('a', { version: 3 }), flagOn('b'), ruleFlag('g', [inSegment('beta')])],
            [segment('beta', { version: 3, included: ['v'] })],
          ),
        ),
      );
      expect(changedFlagKeys(before, changed)).toEqual(['g']);
      expect(on(changed, 'g', { key: 'v' })).toBe(true);
      expect(on(changed, 'g', { key: 'u' })).toBe(false);
    });

    it('ignores a put older than the state, returning the same object', () => {
      const before = base();
      expect(applyEvent(before, put(snapshotOf(9, [], [])))).toBe(before);
    });

    it('accepts a put of the same version (a resync)', () => {
      const before = base();
      const after = applyEvent(before, put(snapshotOf(10, [flagOn('a', { version: 3 })], [])));
      expect(after).not.toBe(before);
      expect([...after.flags.keys()]).toEqual(['a']);
    });

    it('throws for a malformed put and changes nothing', () => {
      const before = base();
      expect(() => applyEvent(before, put({ version: 11 } as Snapshot))).toThrow(TypeError);
      expect(before.version).toBe(10);
    });
  });

  describe('patch', () => {
    it('sets one flag, sharing every other prepared flag, and keeps raw current', () => {
      const before = base();
      const after = applyEvent(before, patchFlag(11, flagOff('a', { version: 4 })));
      expect(after.version).toBe(11);
      expect(after.raw.version).toBe(11);
      expect(after.raw.flags.a?.version).toBe(4);
      expect(before.raw.flags.a?.version).toBe(3);
      expect(after.flags.get('b')).toBe(before.flags.get('b'));
      expect(changedFlagKeys(before, after)).toEqual(['a']);
      expect(on(before, 'a')).toBe(true);
      expect(on(after, 'a')).toBe(false);
    });

    it('adds a flag it does not hold', () => {
      const after = applyEvent(base(), patchFlag(11, flagOn('new')));
      expect(on(after, 'new')).toBe(true);
    });

    it('ignores a patch whose version is not newer than the state, returning the same object', () => {
      const before = base();
      expect(applyEvent(before, patchFlag(10, flagOn('a', { version: 9 })))).toBe(before);
      expect(applyEvent(before, patchFlag(3, flagOn('a', { version: 9 })))).toBe(before);
    });

    it('ignores a flag whose own version is not newer than the one held', () => {
      const before = base();
      expect(applyEvent(before, patchFlag(11, flagOff('a', { version: 3 })))).toBe(before);
      expect(applyEvent(before, patchFlag(11, flagOff('a', { version: 2 })))).toBe(before);
    });

    it('re-prepares the flags that name a patched segment, and only those', () => {
      const before = base();
      const after = applyEvent(before, patchSegment(11, segment('beta', { version: 3, included: ['v'] })));
      expect(changedFlagKeys(before, after)).toEqual(['g']);
      expect(after.flags.get('a')).toBe(before.flags.get('a'));
      expect(on(after, 'g', { key: 'v' })).toBe(true);
      expect(on(after, 'g', { key: 'u' })).toBe(false);
      expect(after.raw.segments.beta?.version).toBe(3);
    });

    it('binds a flag to a segment that arrives after it', () => {
      const before = applyEvent(base(), patchFlag(11, ruleFlag('late', [inSegment('gamma')])));
      expect(on(before, 'late', { key: 'w' })).toBe(false);
      const after = applyEvent(before, patchSegment(12, segment('gamma', { included: ['w'] })));
      expect(on(after, 'late', { key: 'w' })).toBe(true);
      expect(changedFlagKeys(before, after)).toEqual(['late']);
    });

    it.each([
      ['a flag value that is not a flag', { type: 'patch', data: { version: 11, kind: 'flag', key: 'a', value: { key: 'a' } } }],
      [
        'a value filed under another key',
        { type: 'patch', data: { version: 11, kind: 'flag', key: 'b', value: flagOn('a', { version: 9 }) } },
      ],
      ['an unknown kind', { type: 'patch', data: { version: 11, kind: 'environment', key: 'a', value: flagOn('a', { version: 9 }) } }],
      ['no version', { type: 'patch', data: { kind: 'flag', key: 'a', value: flagOn('a', { version: 9 }) } }],
      ['no data', { type: 'patch' }],
    ])('throws for %s and changes nothing', (_, event) => {
      const before = base();
      expect(() => applyEvent(before, event as StreamEvent)).toThrow(TypeError);
      expect(on(before, 'a')).toBe(true);
    });
  });

  describe('delete', () => {
    it('removes a flag', () => {
      const before = base();
      const after = applyEvent(before, remove(11, 'flag', 'a'));
      expect(after.flags.has('a')).toBe(false);
      expect('a' in after.raw.flags).toBe(false);
      expect(evaluate(after, 'a', {}, false).reason).toEqual({ kind: 'ERROR', errorKind: 'FLAG_NOT_FOUND' });
      expect(changedFlagKeys(before, after)).toEqual(['a']);
    });

    it('removes a segment, so that the flags naming it see nobody in it', () => {
      const before = base();
      const after = applyEvent(before, remove(11, 'segment', 'beta'));
      expect(on(after, 'g', { key: 'u' })).toBe(false);
      expect(changedFlagKeys(before, after)).toEqual(['g']);
    });

    it('ignores a delete whose version is not newer than the state', () => {
      const before = base();
      expect(applyEvent(before, remove(10, 'flag', 'a'))).toBe(before);
    });

    it('advances the version for a delete of something not held, changing no flag', () => {
      const before = base();
      const after = applyEvent(before, remove(11, 'flag', 'ghost'));
      expect(after.version).toBe(11);
      expect(changedFlagKeys(before, after)).toEqual([]);
    });

    it('throws for a malformed delete', () => {
      expect(() => applyEvent(base(), { type: 'delete', data: { version: 11, kind: 'flag' } } as StreamEvent)).toThrow(TypeError);
    });
  });

  it('applies patches and deletes to an empty snapshot before any put', () => {
    const s = applyEvent(null, patchFlag(4, flagOn('a')));
    expect(s.version).toBe(4);
    expect(on(s, 'a')).toBe(true);
    expect(applyEvent(null, remove(4, 'flag', 'a')).flags.size).toBe(0);
  });

  it('throws for an unknown event type', () => {
    expect(() => applyEvent(base(), { type: 'replace', data: {} } as unknown as StreamEvent)).toThrow(TypeError);
  });

  it('keeps a "__proto__" key as plain data in raw', () => {
    const after = applyEvent(base(), patchFlag(11, flagOn('__proto__')));
    expect(Object.getPrototypeOf(after.raw.flags)).toBe(Object.prototype);
    expect(Object.hasOwn(after.raw.flags, '__proto__')).toBe(true);
    expect(on(after, '__proto__')).toBe(true);
    const removed = applyEvent(after, remove(12, 'flag', '__proto__'));
    expect(Object.hasOwn(removed.raw.flags, '__proto__')).toBe(false);
  });

  it('over random event sequences, ends where preparing the final snapshot from scratch ends', () => {
    let seed = 42;
    const next = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const flagKeys = ['a', 'b', 'c', 'd'];
    const segmentKeys = ['s1', 's2'];
    let state: PreparedSnapshot = prepareSnapshot(snapshotOf(1, [], []));
    const model: Snapshot = { version: 1, flags: {}, segments: {} };
    const contexts = Array.from({ length: 30 }, (_, i) => ({ key: `u${i}` }));
    for (let step = 2; step < 600; step++) {
      const version = step;
      const roll = next(10);
      if (roll < 5) {
        const key = flagKeys[next(flagKeys.length)]!;
        const value =
          next(2) === 0
            ? ruleFlag(key, [inSegment(segmentKeys[next(2)]!)], { version: step })
            : booleanFlag(key, next(2) === 0, { version: step });
        state = applyEvent(state, patchFlag(version, value));
        model.flags[key] = value;
      } else if (roll < 8) {
        const key = segmentKeys[next(segmentKeys.length)]!;
        const value = segment(key, { version: step, included: contexts.filter(() => next(2) === 0).map((c) => c.key) });
        state = applyEvent(state, patchSegment(version, value));
        model.segments[key] = value;
      } else {
        const kind = next(2) === 0 ? 'flag' : 'segment';
        const key = (kind === 'flag' ? flagKeys : segmentKeys)[next(2)]!;
        state = applyEvent(state, remove(version, kind, key));
        delete (kind === 'flag' ? model.flags : model.segments)[key];
      }
      model.version = version;
      const fresh = prepareSnapshot(structuredClone(model));
      expect(state.raw).toEqual(model);
      for (const key of flagKeys) {
        for (const context of contexts) {
          expect(evaluate(state, key, context, false), `${key} ${context.key} at ${step}`).toEqual(evaluate(fresh, key, context, false));
        }
      }
    }
  });
});

describe('changedFlagKeys', () => {
  it('lists every flag when there was no state before, sorted', () => {
    const s = prepareSnapshot(snapshotOf(1, [flagOn('b'), flagOn('a')]));
    expect(changedFlagKeys(null, s)).toEqual(['a', 'b']);
  });
});

describe('snapshotChecksum', () => {
  const one = snapshotOf(7, [flagOn('a', { version: 3 }), flagOn('b')], [segment('beta', { version: 2 })]);

  it('is 16 hex digits, and the same for the same versions whatever the order', () => {
    const reordered = snapshotOf(9, [flagOn('b'), flagOff('a', { version: 3 })], [segment('beta', { version: 2 })]);
    expect(snapshotChecksum(one)).toMatch(/^[0-9a-f]{16}$/);
    expect(snapshotChecksum(reordered)).toBe(snapshotChecksum(one));
  });

  it('changes when a version, a key or a kind changes', () => {
    const sums = new Set([
      snapshotChecksum(one),
      snapshotChecksum(snapshotOf(7, [flagOn('a', { version: 4 }), flagOn('b')], [segment('beta', { version: 2 })])),
      snapshotChecksum(snapshotOf(7, [flagOn('a', { version: 3 })], [segment('beta', { version: 2 })])),
      snapshotChecksum(snapshotOf(7, [flagOn('a', { version: 3 }), flagOn('b')], [])),
      snapshotChecksum(snapshotOf(7, [flagOn('a', { version: 3 }), flagOn('b'), flagOn('beta', { version: 2 })], [])),
      snapshotChecksum(snapshotOf(7, [], [])),
    ]);
    expect(sums.size).toBe(6);
  });
});

describe('guards', () => {
  it('accept what the model describes', () => {
    expect(isSnapshot(snapshotOf(1, [flagOn('a'), ruleFlag('g', [inSegment('beta')])], [segment('beta')]))).toBe(true);
    expect(isFlag(flagOn('a', { seed: 'x', fallthrough: { rollout: { bucketBy: 'key', weights: [1, 99_999] } } }))).toBe(true);
    expect(isSegment({ ...segment('s'), rules: [{ clauses: [{ attribute: 'a', op: 'in', values: [1] }] }] })).toBe(true);
  });

  it.each([
    ['a string', 'flags'],
    ['a non-finite version', { ...flagOn('a'), version: Number.NaN }],
    ['on as a string', { ...flagOn('a'), on: 'true' }],
    ['no fallthrough', { ...flagOn('a'), fallthrough: undefined }],
    ['a fallthrough that is neither', { ...flagOn('a'), fallthrough: {} }],
    ['a rollout without weights', { ...flagOn('a'), fallthrough: { rollout: { bucketBy: 'key' } } }],
    ['a target without values', { ...flagOn('a'), targets: [{ variation: 1 }] }],
    ['a rule without an id', { ...flagOn('a'), rules: [{ clauses: [], serve: { variation: 0 } }] }],
    [
      'negate as a string',
      { ...flagOn('a'), rules: [{ id: 'r', clauses: [{ attribute: 'x', op: 'in', values: [], negate: 'yes' }], serve: { variation: 0 } }] },
    ],
    ['a numeric seed', { ...flagOn('a'), seed: 5 }],
  ])('refuse a flag with %s', (_, value) => {
    expect(isFlag(value)).toBe(false);
    expect(isSnapshot({ version: 1, flags: { a: value }, segments: {} })).toBe(false);
  });
});
