// Which `matches` patterns validation accepts, and why (docs/evaluation.md, "Regular expressions").
//
// Every pattern must compile in RE2 (pattern.ts), the linear-time engine that servers and the Node SDK run,
// so backreferences and lookaround are refused. Browsers run the native, backtracking RegExp instead (a
// regex engine does not fit the bundle), so a pattern that a client-side flag sends there must also be
// *portable*: written in a small subset of the syntax that RE2 and JavaScript (with the `su` flags) read the
// same way, so that a server and a browser give the same answer. The server then has a ReDoS checker prove
// it linear for the backtracking engine (server/src/client-patterns.ts); this file is the syntactic part,
// which every validator (the CLI's too) can run without that checker.
import { MAX_REGEX_LENGTH } from './operators.js';
import { compileRe2, MAX_PROGRAM_SIZE } from './pattern.js';

/** Why RE2 cannot run `pattern` within budget (or it is too long, or has nested quantifiers), or null. */
export function patternProblem(pattern: string): string | null {
  if (pattern.length > MAX_REGEX_LENGTH) return `pattern is longer than ${MAX_REGEX_LENGTH} characters`;
  try {
    const size = compileRe2(pattern).programSize();
    if (size > MAX_PROGRAM_SIZE) {
      return `pattern is too large: it compiles to ${size} RE2 instructions, over ${MAX_PROGRAM_SIZE} (large {n,m} repeats cost the most)`;
    }
  } catch (e) {
    // RE2 quotes the pattern with its flags prepended (`(?s)…`): they are ours, not the writer's.
    const message = (e as Error).message.replace(/^error parsing regexp: /, '').replace('`(?s)', '`');
    const unsupported = /invalid (or unsupported Perl syntax|escape sequence|named capture): `(\(\?[=!<]|\\[1-9k])/.test(message);
    return unsupported
      ? `${message}: backreferences and lookaround are not supported (patterns run on RE2, which guarantees linear time)`
      : `invalid regular expression: ${message}`;
  }
  return nestedQuantifierProblem(pattern);
}

const SYNTAX = '^$\\.*+?()[]{}|/';
const CLASS_ESCAPES = 'dDwW';
const CONTROL_ESCAPES = 'fnrtv';
const HEX2 = /^[0-9A-Fa-f]{2}$/;
const REPEAT = /^\{\d+(,\d*)?\}/;

const WHITESPACE = '\\s and \\S mean different characters in RE2 and in browsers: list the ones you mean, e.g. [ \\t]';

/** The escape at `i` (a backslash): its length and whether it stands for one character, or a problem. */
function escapeAt(pattern: string, i: number, inClass: boolean): { length: number; single: boolean } | string {
  const c = pattern[i + 1];
  if (c === undefined) return 'a pattern cannot end with a backslash';
  if (SYNTAX.includes(c) || (inClass && c === '-')) return { length: 2, single: true };
  if (CONTROL_ESCAPES.includes(c)) return { length: 2, single: true };
  if (c === 'x' && HEX2.test(pattern.slice(i + 2, i + 4))) return { length: 4, single: true };
  if (CLASS_ESCAPES.includes(c)) return { length: 2, single: false };
  if (!inClass && (c === 'b' || c === 'B')) return { length: 2, single: false };
  if (c === 's' || c === 'S') return WHITESPACE;
  return `"\\${c}" is not in the portable subset: escape only ${SYNTAX} (and - in a class), or use \\d \\w \\b \\f \\n \\r \\t \\v \\xHH`;
}

/** The index just past the class opened at `start`, or a problem. */
function classEnd(pattern: string, start: number): number | string {
  let i = start + 1;
  if (pattern[i] === '^') i++;
  if (pattern[i] === ']') return 'an empty class, or a ] first in a class, means different things in RE2 and in browsers: write \\]';
  const first = i;
  while (i < pattern.length && pattern[i] !== ']') {
    const ch = pattern[i]!;
    if (ch === '[') return 'a [ inside a class (RE2 reads [: as a POSIX class): write \\[';
    if (ch === '-' && i !== first && pattern[i + 1] !== ']')
      return 'a - in a class is a range a-z, or comes first or last: write \\- otherwise';
    const atom = atomAt(pattern, i);
    if (typeof atom === 'string') return atom;
    i += atom.length;
    if (pattern[i] === '-' && pattern[i + 1] !== ']' && pattern[i + 1] !== undefined) {
      const to = atomAt(pattern, i + 1);
      if (typeof to === 'string') return to;
      if (!atom.single || !to.single) return 'a range in a class runs between two characters: \\d, \\w and the like cannot end one';
      i += 1 + to.length;
      if (pattern[i] === '-' && pattern[i + 1] !== ']') return 'a - right after a range is read differently by RE2 and browsers: write \\-';
    }
  }
  if (i >= pattern.length) return 'an unclosed class';
  return i + 1;
}

/** One item of a class at `i`: a character, an escape. */
function atomAt(pattern: string, i: number): { length: number; single: boolean } | string {
  if (pattern[i] === '\\') return escapeAt(pattern, i, true);
  const code = pattern.codePointAt(i)!;
  return { length: code > 0xffff ? 2 : 1, single: true };
}

/**
 * Why `pattern` (which RE2 compiles) is outside the portable subset that client-side flags may hold, or null.
 * The subset: characters; `.`; `^` `$`; escapes of the syntax characters, `\d \D \w \W \b \B`, `\f \n \r \t
 * \v`, `\xHH`; classes of those (ranges between two characters, `-` first or last); groups `(…)` and `(?:…)`;
 * `|`; quantifiers `* + ? {n} {n,} {n,m}`, lazy or not. Left out because the two engines read them
 * differently: `\s`, `\uHHHH` and `\x{…}`, `\p{…}`, `\A` `\z` `\Q…\E`, POSIX classes, `(?i)` and other
 * group syntax, a literal `{`, an empty class.
 */
export function portablePatternProblem(pattern: string): string | null {
  for (let i = 0; i < pattern.length; ) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      const escaped = escapeAt(pattern, i, false);
      if (typeof escaped === 'string') return escaped;
      i += escaped.length;
    } else if (ch === '[') {
      const end = classEnd(pattern, i);
      if (typeof end === 'string') return end;
      i = end;
    } else if (ch === '(') {
      if (pattern[i + 1] === '?' && pattern[i + 2] !== ':') {
        return 'only (…) and (?:…) groups are portable: lookaround, named groups and inline flags are not';
      }
      i += pattern[i + 1] === '?' ? 3 : 1;
    } else if (ch === '{') {
      const repeat = REPEAT.exec(pattern.slice(i));
      if (repeat === null) return 'a { starts a repeat {n}, {n,} or {n,m}: write \\{ for the character';
      i += repeat[0].length;
    } else if (ch === '}' || ch === ']') {
      return `write \\${ch} for the character`;
    } else {
      i += 1;
    }
  }
  try {
    new RegExp(pattern, 'su');
  } catch (e) {
    return `browsers cannot compile it: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`;
  }
  return null;
}

// Nested quantifiers were refused before patterns ran on RE2, and still are: RE2 runs them in linear time,
// but they are almost always a mistake, and the same pattern copied into a backtracking engine (a browser,
// the application's own code) freezes it. This is the classic "star height > 1" test (as safe-regex does).

/** Why `pattern` can backtrack catastrophically, or null. Assumes `pattern` compiles. */
export function nestedQuantifierProblem(pattern: string): string | null {
  // For each open group: does it contain a quantified atom (at any depth)?
  const groups: boolean[] = [];
  let quantifiedInside = false; // of the group just closed, when the next character may quantify it
  let lastWasGroupEnd = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    const quantifier = isQuantifierAt(pattern, i);
    if (quantifier !== 0) {
      if (lastWasGroupEnd && quantifiedInside) {
        return 'nested quantifiers (such as "(a+)+") can take exponential time: rewrite the pattern without a repeated group that itself repeats';
      }
      if (groups.length > 0) groups[groups.length - 1] = true;
      i += quantifier - 1;
      // A lazy or possessive marker after the quantifier is part of it.
      if (pattern[i + 1] === '?') i++;
      lastWasGroupEnd = false;
      continue;
    }
    lastWasGroupEnd = false;
    if (ch === '\\') {
      i++; // the escaped character is a plain atom
    } else if (ch === '[') {
      i = endOfClass(pattern, i);
    } else if (ch === '(') {
      groups.push(false);
    } else if (ch === ')') {
      quantifiedInside = groups.pop() ?? false;
      // The closed group's contents count as quantified content of its parent too.
      if (quantifiedInside && groups.length > 0) groups[groups.length - 1] = true;
      lastWasGroupEnd = true;
    }
  }
  return null;
}

/** The length of an unbounded-or-repeating quantifier starting at `i` (`*`, `+`, `{n,}`, `{n,m}` with m > 1), else 0. */
function isQuantifierAt(pattern: string, i: number): number {
  const ch = pattern[i];
  if (ch === '*' || ch === '+') return 1;
  if (ch !== '{') return 0;
  const match = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
  if (match === null) return 0;
  const max = match[2] === undefined ? Number(match[1]) : match[3] === '' ? Infinity : Number(match[3]);
  return max > 1 ? match[0].length : 0;
}

/** Index of the `]` closing the character class opened at `start`. */
function endOfClass(pattern: string, start: number): number {
  for (let i = start + 1; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === ']' && i > start + 1) return i;
  }
  return pattern.length;
}
