import { describe, expect, it } from 'vitest';
import { inSegment, ruleFlag, segment, snapshotOf } from '@flagstaff/core/testing';
import { clientView } from './snapshot-views.js';

describe('clientView', () => {
  it('holds client-side flags and the segments they name that exist, and only those', () => {
    const beta = segment('beta', { included: ['u'] });
    const snapshot = snapshotOf(
      7,
      [ruleFlag('public', [inSegment('beta', 'constructor', 'to-string')], { clientSide: true }), ruleFlag('secret', [inSegment('beta')])],
      [beta],
    );
    const view = clientView(snapshot);
    expect(Object.keys(view.flags)).toEqual(['public']);
    // `constructor` names no segment here, whatever Object.prototype holds.
    expect(view.segments).toEqual({ beta });
    expect(Object.keys(view.segments)).toEqual(['beta']);
  });
});
