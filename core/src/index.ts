// The public surface of @flagstaff/core. SDKs that must stay small import `@flagstaff/core/evaluate`
// instead, which is everything here except validation (and so except zod).
export * from './evaluate.js';
export { segmentsNamedBy } from './prepare.js';
export * from './validate.js';
export * from './rollout.js';
