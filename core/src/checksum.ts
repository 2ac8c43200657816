// The heartbeat checksum (protocol.ts, HEARTBEAT_PREFIX): a cheap fingerprint of which version of every
// flag and segment a state holds, so that an SDK can tell it has drifted from the server and resync.
import type { Snapshot } from './model.js';
import { murmur3 } from './murmur3.js';

const hex8 = (n: number) => n.toString(16).padStart(8, '0');

/**
 * 16 hex digits over the sorted lines `flag:<key>:<version>` and `segment:<key>:<version>`, joined by "\n"
 * and hashed with murmur3 under seeds 0 and 1. Versions name contents, so contents are not hashed.
 */
export function snapshotChecksum(snapshot: Snapshot): string {
  const lines: string[] = [];
  for (const key of Object.keys(snapshot.flags)) lines.push(`flag:${key}:${snapshot.flags[key]!.version}`);
  for (const key of Object.keys(snapshot.segments)) lines.push(`segment:${key}:${snapshot.segments[key]!.version}`);
  const text = lines.sort().join('\n');
  return hex8(murmur3(text, 0)) + hex8(murmur3(text, 1));
}
