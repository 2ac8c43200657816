// pattern.ts for browsers (core's package.json maps it here under the "browser" condition): the native
// RegExp, with `s` (`.` matches line breaks, as RE2's DOTALL does on servers) and `u` (code points, as RE2
// reads text). Backtracking is safe here only because the server lets client-side flags hold only patterns
// a ReDoS checker proves linear and that mean the same in both engines (regex-safety.ts).
// Why it is written this way, and what must not be "tidied": docs/decisions/005-browser-twin-files.md.
import type { Pattern } from './pattern.js';

export type { Pattern };

export const compileEngine = (pattern: string): Pattern | undefined => {
  try {
    return new RegExp(pattern, 'su');
  } catch {}
};
