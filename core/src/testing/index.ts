// The testing entry, '@flagstaff/core/testing': what every package's tests build their fixtures from —
// named flag, segment and snapshot builders (flags.ts) and a seeded random generator (random.ts).
// Test code only: no production module imports it, so no bundle holds it.
export * from './flags.js';
export * from './random.js';
