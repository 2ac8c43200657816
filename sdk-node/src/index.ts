// @flagstaff/node: the server-side SDK. The OpenFeature provider is a separate entry,
// `@flagstaff/node/openfeature`, so that applications without OpenFeature never load it.
export {
  createClient,
  FlagsClient,
  type ClientEvents,
  type ClientStatus,
  type FlagDetail,
  type ReadyOptions,
  type Widen,
} from './client.js';
export { consoleLogger, silentLogger, type Logger, type LogLevel } from './logger.js';
export type { ClientOptions } from './options.js';
export type { UsageReport } from './usage.js';
export type { Context, EvaluationDetail, JsonValue, Reason, Snapshot } from '@flagstaff/core/evaluate';
export type { FlagChange, FlagSource, SyncError, SyncState } from '@flagstaff/core/sync';
