// Which build of the server is running (bundle.ts explains the two), for the start-up log line and the
// start-up benchmark.

// Defined as `true` by scripts/bundle.mjs (esbuild `define`); never declared anywhere else.
declare const FLAGSTAFF_BUNDLED: true | undefined;

export const loadedFrom = (): 'bundle' | 'modules' => (typeof FLAGSTAFF_BUNDLED === 'undefined' ? 'modules' : 'bundle');
