// The engine that runs `matches` patterns on servers and in the Node SDK: RE2 (re2js, pure JavaScript),
// whose time is linear in the input by construction, whatever the pattern, whoever wrote it. A pattern with
// nested or overlapping repetition (`^(a|aa)+$`, `(a+)+$`), which freezes a backtracking engine for
// seconds on a few dozen characters, costs RE2 one pass. RE2 has no backreferences or lookaround, so
// validation refuses them (regex-safety.ts) and a stored one never matches here.
// Browsers get pattern.browser.ts instead (core's package.json, "browser"): the native RegExp, since an
// engine does not fit the bundle's budget; the server lets client-side flags hold only patterns that are
// linear there and mean the same in both (regex-safety.ts, docs/evaluation.md).
// Why it is written this way, and what must not be "tidied": docs/decisions/005-browser-twin-files.md.
import { RE2JS } from 're2js';

/**
 * Largest RE2 program a pattern may compile to. RE2's time is linear in the input, times a factor that
 * grows with the program: this bound and MAX_TESTED_LENGTH (operators.ts) keep one test under 1 ms. A
 * 500-character pattern can reach tens of thousands of instructions through its repeats (`[ab]{999}`).
 */
export const MAX_PROGRAM_SIZE = 1000;

/** A compiled pattern: RE2JS and RegExp both answer `test`. */
export interface Pattern {
  test(text: string): boolean;
}

/** RE2's program for `pattern`; throws RE2's syntax error. `.` matches line breaks too (DOTALL), as in browsers (`s`). */
export const compileRe2 = (pattern: string): RE2JS => RE2JS.compile(pattern, RE2JS.DOTALL);

/** The compiled pattern, or undefined when RE2 cannot compile it or its program is over MAX_PROGRAM_SIZE. */
export function compileEngine(pattern: string): Pattern | undefined {
  try {
    const re = compileRe2(pattern);
    return re.programSize() <= MAX_PROGRAM_SIZE ? re : undefined;
  } catch {
    return undefined;
  }
}
