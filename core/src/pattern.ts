// The engine that runs `matches` patterns on servers and in the Node SDK: RE2 (re2js, pure JavaScript),
// whose time is linear in the input by construction, whatever the pattern, whoever wrote it. A pattern with
// nested or overlapping repetition (`^(a|aa)+$`, `(a+)+$`), which freezes a backtracking engine for
// seconds on a few dozen characters, costs RE2 one pass. RE2 has no backreferences or lookaround, so
// validation refuses them (regex-safety.ts) and a stored one never matches here.
// Browsers get pattern.browser.ts instead (core's package.json, "browser"): the native RegExp, since an
// engine does not fit the bundle's budget; the server lets client-side flags hold only patterns that are
// linear there and mean the same in both (regex-safety.ts, docs/evaluation.md).
import { RE2JS } from 're2js';

/** A compiled pattern: RE2JS and RegExp both answer `test`. */
export interface Pattern {
  test(text: string): boolean;
}

/**
 * The compiled pattern, or undefined when RE2 cannot compile it. `.` matches any character, line breaks
 * included (RE2's DOTALL; browsers compile with JavaScript's `s`), so that both engines agree on it.
 */
export function compileEngine(pattern: string): Pattern | undefined {
  try {
    return RE2JS.compile(pattern, RE2JS.DOTALL);
  } catch {
    return undefined;
  }
}
