// @flagstaff/browser: the browser SDK. The OpenFeature provider is a separate entry,
// `@flagstaff/browser/openfeature`, so that applications without OpenFeature never load it.
export { createClient, FlagsClient, type ClientEvents, type ClientOptions, type FlagDetail, type Widen } from './client.js';
export type { SnapshotStore } from './storage.js';
export type { FlagValues } from './values.js';
export type { Context, EvaluationDetail, JsonValue, Reason, Snapshot } from '@flagstaff/core/evaluate';
export type { FlagSource, SyncError, SyncState, SyncStatus } from '@flagstaff/core/sync';
