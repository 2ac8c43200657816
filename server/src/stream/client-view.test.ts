import { describe, expect, it } from 'vitest';
import type { Flag, Segment } from '@flagstaff/core';
import { flag, flagChange, flagUsing, segment, segmentChange } from '../../../test/helpers/stream-fixtures.js';
import { clientView } from '../snapshot-views.js';
import { ClientView } from './client-view.js';

const segs = (...list: Segment[]) => new Map(list.map((s) => [s.key, s]));
const flags = (...list: Flag[]) => new Map(list.map((f) => [f.key, f]));
const summary = (events: ReturnType<ClientView['eventsFor']>) =>
  events.map((e) => (e.type === 'put' ? 'put' : `${e.type} ${e.data.kind} ${e.data.key}`));

describe('ClientView', () => {
  it('shows client-side flags and only the segments they name', () => {
    const all = flags(
      flagUsing('public', ['beta']),
      flagUsing('private', ['staff'], { clientSide: false }),
      flag('plain', { clientSide: true }),
    );
    all.set('public', { ...all.get('public')!, clientSide: true });
    // The one definition of what clients see (snapshot-views.ts), which ClientView's events keep current.
    const snapshot = clientView({
      version: 7,
      flags: Object.fromEntries(all),
      segments: Object.fromEntries(segs(segment('beta'), segment('staff'), segment('unused'))),
    });
    expect(snapshot.version).toBe(7);
    expect(Object.keys(snapshot.flags).sort()).toEqual(['plain', 'public']);
    expect(Object.keys(snapshot.segments)).toEqual(['beta']);
  });

  // Each case: the flag before (undefined: absent), the flag after (null: archived), the segments
  // the client already needs through another flag, and the client events expected, in order.
  const cases: Array<[string, Flag | undefined, Flag | null, string[], string[]]> = [
    ['a server-only flag changes', flag('f'), flag('f', { on: true }), [], []],
    ['a client-side flag changes', flag('f', { clientSide: true }), flag('f', { clientSide: true, on: true }), [], ['patch flag f']],
    ['a flag becomes client-side', flag('f'), flag('f', { clientSide: true }), [], ['patch flag f']],
    ['a flag leaves client-side visibility', flag('f', { clientSide: true }), flag('f'), [], ['delete flag f']],
    ['a client-side flag is archived', flag('f', { clientSide: true }), null, [], ['delete flag f']],
    [
      'a new client-side flag names a segment',
      undefined,
      flagUsing('f', ['beta'], { clientSide: true }),
      [],
      ['patch segment beta', 'patch flag f'],
    ],
    [
      'a new client-side flag names a segment clients already have',
      undefined,
      flagUsing('f', ['beta'], { clientSide: true }),
      ['beta'],
      ['patch flag f'],
    ],
    [
      'a flag with a segment becomes client-side',
      flagUsing('f', ['beta']),
      flagUsing('f', ['beta'], { clientSide: true }),
      [],
      ['patch segment beta', 'patch flag f'],
    ],
    [
      'a flag with a segment leaves client-side visibility',
      flagUsing('f', ['beta'], { clientSide: true }),
      flagUsing('f', ['beta']),
      [],
      ['delete flag f', 'delete segment beta'],
    ],
    [
      'a flag stops naming a segment others still need',
      flagUsing('f', ['beta'], { clientSide: true }),
      flag('f', { clientSide: true }),
      ['beta'],
      ['patch flag f'],
    ],
    [
      'a flag swaps one segment for another',
      flagUsing('f', ['beta'], { clientSide: true }),
      flagUsing('f', ['staff'], { clientSide: true }),
      [],
      ['patch segment staff', 'patch flag f', 'delete segment beta'],
    ],
  ];

  it.each(cases)('%s', (_name, before, after, alreadyNeeded, expected) => {
    const others = alreadyNeeded.length ? [flagUsing('other', alreadyNeeded, { clientSide: true })] : [];
    const view = new ClientView([...others, ...(before ? [before] : [])]);
    const events = view.eventsFor(flagChange('prod', 9, after, 'f'), before, segs(segment('beta'), segment('staff')));
    expect(summary(events)).toEqual(expected);
    for (const e of events) expect(e.data.version).toBe(9);
  });

  it('tracks needs across changes: a segment released by its last flag is no longer sent', () => {
    const a = flagUsing('a', ['beta'], { clientSide: true });
    const view = new ClientView([a]);
    expect(view.needs('beta')).toBe(true);
    view.eventsFor(flagChange('prod', 2, { ...a, clientSide: false }), a, segs(segment('beta')));
    expect(view.needs('beta')).toBe(false);
    expect(view.eventsFor(segmentChange('prod', 3, segment('beta', { version: 2 })), undefined, segs(segment('beta')))).toEqual([]);
  });

  it('passes on changes to needed segments, and their deletion', () => {
    const view = new ClientView([flagUsing('a', ['beta'], { clientSide: true })]);
    const changed = segment('beta', { version: 2, included: ['u1'] });
    expect(view.eventsFor(segmentChange('prod', 4, changed), undefined, segs(changed))).toEqual([
      { type: 'patch', data: { version: 4, kind: 'segment', key: 'beta', value: changed } },
    ]);
    expect(summary(view.eventsFor(segmentChange('prod', 5, null, 'beta'), undefined, segs()))).toEqual(['delete segment beta']);
    expect(view.eventsFor(segmentChange('prod', 6, segment('staff')), undefined, segs(segment('staff')))).toEqual([]);
  });
});
