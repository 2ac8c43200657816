// The public surface of @flagstaff/server, for tests, benchmarks and embedding.
export { createApp, type AppDeps, type AppEnv } from './app.js';
export { Auth, type AdminPrincipal, type SdkPrincipal, type SdkKeyStatus } from './auth.js';
export { CONFIG_VARIABLES, ConfigError, loadConfig, type Config } from './config.js';
export { ApiError, type ErrorCode, type Issue } from './errors.js';
export { Lifecycle } from './lifecycle.js';
export { createLogger, type Logger } from './log.js';
export { Registry, createServerMetrics, type ServerMetrics } from './metrics.js';
export { clientView, serialized, snapshotTag, viewFor, type Audience } from './snapshot-views.js';
export { start, type RunningServer, type StartOptions } from './start.js';
export { Rollouts, type StepOutcome } from './rollout/plans.js';
export * from './store/index.js';
export { LocalChangeFeed, type ChangeFeed, type EnvChange, type SnapshotSource } from './store/changes.js';
