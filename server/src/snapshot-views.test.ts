import { describe, expect, it } from 'vitest';
import type { Flag, Snapshot } from '@flagstaff/core';
import { clientView } from './snapshot-views.js';

const flag = (key: string, clientSide: boolean, segments: string[]): Flag => ({
  key,
  version: 1,
  kind: 'boolean',
  on: true,
  variations: [false, true],
  offVariation: 0,
  targets: [],
  rules: [{ id: 'r', clauses: [{ attribute: '', op: 'segmentMatch', values: segments }], serve: { variation: 1 } }],
  fallthrough: { variation: 0 },
  clientSide,
});

describe('clientView', () => {
  it('holds client-side flags and the segments they name that exist, and only those', () => {
    const beta = { key: 'beta', version: 1, included: ['u'], excluded: [], rules: [] };
    const snapshot: Snapshot = {
      version: 7,
      flags: { public: flag('public', true, ['beta', 'constructor', 'to-string']), secret: flag('secret', false, ['beta']) },
      segments: { beta },
    };
    const view = clientView(snapshot);
    expect(Object.keys(view.flags)).toEqual(['public']);
    // `constructor` names no segment here, whatever Object.prototype holds.
    expect(view.segments).toEqual({ beta });
    expect(Object.keys(view.segments)).toEqual(['beta']);
  });
});
