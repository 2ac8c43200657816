// Flag values as a bootstrap: what a server render knows about one visitor (the Node SDK's
// `allFlags(context, { clientSideOnly: true })`), without any rule. Each value becomes a flag that serves
// it to everyone, so the one evaluator serves them until the server's flags arrive. Values carry no rules,
// so identify() cannot re-evaluate them: it can once the server's flags are held.
import type { Flag, JsonValue, Snapshot } from '@flagstaff/core/evaluate';

export type FlagValues = Record<string, JsonValue>;

/**
 * Values are a plain object that is not snapshot-shaped (a numeric `version` beside `flags` and `segments`
 * objects). Anything else goes to FlagSync as a snapshot, which refuses what is not one.
 */
export function isValues(bootstrap: Snapshot | FlagValues): bootstrap is FlagValues {
  if (typeof bootstrap !== 'object' || Array.isArray(bootstrap)) return false;
  const { version, flags, segments } = bootstrap as Snapshot;
  return !(typeof version === 'number' && typeof flags === 'object' && typeof segments === 'object');
}

export function fromValues(values: FlagValues): Snapshot {
  // fromEntries defines own properties, so a flag named "__proto__" stays a flag. `kind` and `clientSide`
  // are left out: neither the guard nor the evaluator reads them, and the bytes count in a browser bundle.
  const flags = Object.fromEntries(
    Object.keys(values).map((key) => [
      key,
      {
        key,
        version: 0,
        on: true,
        variations: [values[key]!],
        offVariation: 0,
        targets: [],
        rules: [],
        fallthrough: { variation: 0 },
      } as Omit<Flag, 'kind' | 'clientSide'> as Flag,
    ]),
  );
  return { version: 0, flags, segments: {} };
}
