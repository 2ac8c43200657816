// @flagstaff/browser: the browser SDK. The OpenFeature provider (`@flagstaff/browser/openfeature`) and the
// stream shared across tabs (`@flagstaff/browser/tabs`) are separate entries, so that applications without
// them never load them.
export { createClient, FlagsClient, type ClientEvents, type ClientOptions, type FlagDetail, type Widen } from './client.js';
export type { SnapshotStore } from './storage.js';
export type { FlagValues } from './values.js';
export type { Context, EvaluationDetail, JsonValue, Reason, Snapshot } from '@flagstaff/core/evaluate';
export type { FlagSource, SyncError, SyncState, SyncStatus } from '@flagstaff/core/sync';
