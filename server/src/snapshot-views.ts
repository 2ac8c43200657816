// What each audience of an environment's snapshot receives, computed once per snapshot (and so once
// per change), never once per request or per client. The one definition of what a client key may see:
// `GET /sdk/v1/flags`, OFREP and the stream (stream/client-view.ts turns changes into its events) use it.
import { segmentsNamedBy, type Flag, type Snapshot } from '@flagstaff/core';

/** Who reads a snapshot: server keys see all of it, client (browser) keys only `clientView`. */
export type Audience = 'server' | 'client';

const clientViews = new WeakMap<Snapshot, Snapshot>();
const bodies = new WeakMap<Snapshot, string>();

/** Client keys are public: of the flags, they see only the `clientSide` ones. */
export const clientSees = (flag: Flag | null | undefined): flag is Flag => flag?.clientSide === true;

/** Client keys are public: they see only `clientSide` flags and the segments those flags name. */
export function clientView(snapshot: Snapshot): Snapshot {
  let view = clientViews.get(snapshot);
  if (view === undefined) {
    const flags: Snapshot['flags'] = {};
    const segments: Snapshot['segments'] = {};
    for (const flag of Object.values(snapshot.flags)) {
      if (!clientSees(flag)) continue;
      flags[flag.key] = flag;
      for (const key of segmentsNamedBy(flag)) {
        // Own keys only: `constructor` is a valid segment key, and Object.prototype has one too.
        if (Object.hasOwn(snapshot.segments, key)) segments[key] = snapshot.segments[key]!;
      }
    }
    view = { version: snapshot.version, flags, segments };
    clientViews.set(snapshot, view);
  }
  return view;
}

export const viewFor = (snapshot: Snapshot, audience: Audience) => (audience === 'client' ? clientView(snapshot) : snapshot);

/** The JSON text of a snapshot (or view), serialised once. */
export function serialized(snapshot: Snapshot): string {
  let body = bodies.get(snapshot);
  if (body === undefined) bodies.set(snapshot, (body = JSON.stringify(snapshot)));
  return body;
}

/** Distinct per audience, since the two views of one version differ. */
export const snapshotTag = (version: number, audience: Audience) => `"${version}${audience === 'client' ? '-c' : ''}"`;

/** RFC 9110 If-None-Match: `*`, or a list of (possibly weak) tags. */
export function matchesIfNoneMatch(header: string | undefined, tag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((candidate) => {
    const t = candidate.trim();
    return t === '*' || t.replace(/^W\//, '') === tag;
  });
}
