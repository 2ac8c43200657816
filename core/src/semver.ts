// Semantic versions for the semver operators, compared by precedence as semver.org §11 defines it.
// A small parser rather than a dependency: the browser bundle counts every byte.

export interface SemVer {
  /** MAJOR, MINOR, PATCH. */
  readonly release: readonly number[];
  /** Prerelease identifiers: numeric ones as numbers, others as strings. Empty for a release. */
  readonly prerelease: readonly (number | string)[];
}

// MAJOR.MINOR.PATCH[-prerelease][+build] as semver.org §2, §9 and §10 write them: no leading zeros in
// numeric identifiers. Numbers are capped at 15 digits so that every one is a safe integer.
const NUMBER = '(?:0|[1-9]\\d{0,14})';
const PRERELEASE_ID = `(?:${NUMBER}|\\d*[A-Za-z-][\\dA-Za-z-]*)`;
const SEMVER = new RegExp(
  `^(${NUMBER})\\.(${NUMBER})\\.(${NUMBER})(?:-(${PRERELEASE_ID}(?:\\.${PRERELEASE_ID})*))?(?:\\+[\\dA-Za-z-]+(?:\\.[\\dA-Za-z-]+)*)?$`,
);

/** The version a string spells, or undefined. Build metadata is accepted and ignored, as precedence ignores it. */
export function parseSemver(value: unknown): SemVer | undefined {
  const m = typeof value === 'string' ? SEMVER.exec(value) : null;
  if (m === null) return undefined;
  return {
    release: [Number(m[1]), Number(m[2]), Number(m[3])],
    prerelease: m[4] === undefined ? [] : m[4].split('.').map((id) => (/^\d+$/.test(id) ? Number(id) : id)),
  };
}

/** Negative when a precedes b, 0 when they have the same precedence, positive when a follows b. */
export function compareSemver(a: SemVer, b: SemVer): number {
  for (let i = 0; i < 3; i++) if (a.release[i] !== b.release[i]) return a.release[i]! - b.release[i]!;
  const pa = a.prerelease;
  const pb = b.prerelease;
  // A release follows all of its prereleases: 1.0.0-rc.1 < 1.0.0.
  if (pa.length === 0 || pb.length === 0) return pb.length - pa.length;
  for (let i = 0; i < pa.length && i < pb.length; i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    // Numeric identifiers have lower precedence than alphanumeric ones; alphanumerics compare in ASCII order.
    if (typeof x !== typeof y) return typeof x === 'number' ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}
