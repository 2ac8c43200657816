// The admin API's propagation reports (docs/api.md, "Changes and their reach"), part of `@flagstaff/core/admin`:
// how far one change reached the SDKs streaming from an instance. Types only.

/** An SDK stream as the server knows it: what the SDK said it is, and where it connects from. */
export interface SdkStreamIdentity {
  /** The SDK's own instance id (`X-Flagstaff-Instance`); null for a client that sent none (it cannot acknowledge). */
  instance: string | null;
  /** `name/version` (`X-Flagstaff-SDK`), e.g. `node/0.1.0`; null when not sent. */
  sdk: string | null;
  /** The address the stream connects from, as this instance sees it (a proxy's, behind one). */
  address: string | null;
}

/** How far one change reached the SDKs streaming from this instance when it was sent. */
export interface ChangeReach {
  env: string;
  version: number;
  /** When this instance framed the change for its streams (commit time, to within the fan-out). */
  sentAt: string;
  deadlineMs: number;
  /** Streams of this environment that were sent the change and announced an instance id (so can acknowledge). */
  connected: number;
  /** Streams sent the change without an instance id (browsers, older SDKs): they cannot acknowledge, so are not waited for. */
  unidentified: number;
  /** Of those, how many acknowledged this version (or a later one). */
  applied: number;
  complete: boolean;
  /** The deadline passed short of every connected SDK. */
  missedDeadline: boolean;
  /** Milliseconds from sending to the moment 50 %, 99 % and 100 % of connected SDKs had applied it; null until then. */
  timeToMs: { p50: number | null; p99: number | null; p100: number | null };
  /** The streams that have not acknowledged it, at most 100 of them (`connected - applied` counts them all). */
  pending: SdkStreamIdentity[];
}
