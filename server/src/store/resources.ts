// The resources of the admin API as the store returns them and routes send them. Their shapes are defined
// once, in @flagstaff/core/admin, for the server and the CLI alike; what is here only the server needs: the
// metadata every write carries, and the timestamps' wire form.
import type { Actor } from '@flagstaff/core/admin';

export type {
  Actor,
  AuditEntry,
  Environment,
  FlagPatch,
  FlagResource,
  FlagState,
  FlagStateInput,
  KeyInfo,
  KeyKind,
  NewFlag,
  NewKey,
  Scope,
  SegmentInput,
  SegmentResource,
} from '@flagstaff/core/admin';

/** What every write carries besides its payload. */
export interface WriteMeta {
  actor: Actor;
  /** From `X-Flagstaff-Reason`. */
  reason?: string;
  /** The version the caller based the change on (`If-Match`); undefined skips the check. */
  ifMatch?: number;
}

export const iso = (ms: number) => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
