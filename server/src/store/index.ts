export { Store, SYSTEM_ACTOR, type StoreOptions } from './store.js';
export type * from './resources.js';
export type { CreateFlagInput, FlagPatch, FlagListQuery } from './flags.js';
export type { SegmentInput } from './segments.js';
export type { CreateKeyInput, KeyLookup, KeyRecord } from './keys.js';
export type { AuditQuery, AuditPage } from './audit.js';
export type { Committed } from './write.js';
export { ENV_KEY_PATTERN } from './environments.js';
