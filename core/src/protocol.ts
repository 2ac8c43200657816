// The SDK stream protocol (DESIGN.md, "Wire protocol"): the one definition of every event that
// travels over `GET /sdk/v1/stream`, shared by the server that writes them and the SDKs that read them.
import type { Flag, Segment, Snapshot } from './model.js';

export type PutEvent = Snapshot;

export type PatchEvent =
  | { version: number; kind: 'flag'; key: string; value: Flag }
  | { version: number; kind: 'segment'; key: string; value: Segment };

export interface DeleteEvent {
  version: number;
  kind: 'flag' | 'segment';
  key: string;
}

export type StreamEvent = { type: 'put'; data: PutEvent } | { type: 'patch'; data: PatchEvent } | { type: 'delete'; data: DeleteEvent };

export type StreamEventType = StreamEvent['type'];

/**
 * Heartbeats are SSE comments, `: hb <version> <checksum>`, sent every 15 s by default.
 * The checksum is `snapshotChecksum` of the state the receiving audience holds, so an SDK that
 * computes a different one has drifted and must resync.
 */
export const HEARTBEAT_PREFIX = 'hb';

/** Client keys are public: browsers send them as `?key=`. (A separate name, so browsers bundle it alone.) */
export const CLIENT_KEY_PREFIX = 'fsc_';

/** Keys are sent as `Authorization: <key>` or `Authorization: Bearer <key>`; browsers use `?key=`. */
export const KEY_PREFIX = {
  admin: 'fsa_',
  server: 'fss_',
  client: CLIENT_KEY_PREFIX,
  hook: 'fsh_',
} as const;
