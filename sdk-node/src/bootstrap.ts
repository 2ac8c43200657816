// A bootstrap gives the client flags before the server answers (or instead of it, offline): a snapshot
// object, or the path of a JSON file holding one — e.g. saved from `GET /sdk/v1/flags`.
import { readFileSync } from 'node:fs';
import type { Snapshot } from '@flagstaff/core/evaluate';

/** The bootstrap's snapshot as found (FlagSync checks its shape), or why it could not be read. */
export function readBootstrap(bootstrap: Snapshot | string): { snapshot: unknown } | { problem: string } {
  if (typeof bootstrap !== 'string') return { snapshot: bootstrap };
  let text: string;
  try {
    // Read synchronously on purpose: the bootstrap must be in place before createClient returns, so the
    // very first evaluation already serves it.
    text = readFileSync(bootstrap, 'utf8');
  } catch (error) {
    return { problem: `cannot read bootstrap file ${bootstrap}: ${(error as Error).message}` };
  }
  try {
    return { snapshot: JSON.parse(text) };
  } catch {
    return { problem: `bootstrap file ${bootstrap} is not JSON` };
  }
}
