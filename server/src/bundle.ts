// Which build of the server to load. Node's ES module loader pays about a millisecond per file, and the
// server with its dependencies is ~350 files: over half of the "ready in ≤ 1 s" budget. So `npm run
// build` also writes one bundled file (server/scripts/bundle.mjs, docs/decisions/002-server-bundle.md)
// with a manifest of every file it was made from. The bundle is used only while every one of those
// files is exactly as it was; anything rebuilt or reinstalled since falls back to the plain modules, so
// a stale bundle can never run code older than dist/.
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where scripts/bundle.mjs writes: two levels below server/, like dist/store/db.js, so that paths relative
 * to the module (the migrations) hold in both layouts. Only bin/flagstaff-server.js, the launcher, reads this.
 */
export const BUNDLE_DIR = fileURLToPath(new URL('../dist/bundle/', import.meta.url));
export const BUNDLE_MANIFEST = `${BUNDLE_DIR}manifest.json`;

export interface BundleManifest {
  /** The bundle's file name, in BUNDLE_DIR. */
  bundle: string;
  /** [path relative to BUNDLE_DIR, mtimeMs, size] of the bundle itself and of every input. */
  files: Array<[path: string, mtimeMs: number, size: number]>;
}

/** The bundle's path when it exists and matches every file it was built from; otherwise undefined. */
export function freshBundle(manifestPath = BUNDLE_MANIFEST): string | undefined {
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as BundleManifest;
  } catch {
    return undefined; // never built (or built by another version): the plain modules it is
  }
  const dir = dirname(manifestPath);
  for (const [path, mtimeMs, size] of manifest.files) {
    const stat = statSync(resolve(dir, path), { throwIfNoEntry: false });
    if (stat === undefined || stat.mtimeMs !== mtimeMs || stat.size !== size) return undefined;
  }
  return resolve(dir, manifest.bundle);
}
