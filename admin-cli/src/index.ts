// @flagstaff/cli as a library: run the CLI in-process (tests, wrappers) or reuse its admin API client.
export { run, createProgram } from './cli.js';
export { AdminApi } from './api.js';
export type * from './api.js';
export type * from '@flagstaff/core/admin';
export { EXIT } from './errors.js';
export type { Io } from './io.js';
