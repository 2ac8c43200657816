// A `matches` pattern is run by every evaluation, in the server (/evaluate, OFREP — reachable with a public
// client key) and in every SDK. A pattern with nested quantifiers such as `(a+)+$` backtracks exponentially
// on a short hostile input and freezes the process that runs it, so validation refuses them before they
// are stored. This is the classic "star height > 1" test (as safe-regex does): cheap, conservative, and it
// catches the patterns behind real ReDoS incidents. Overlapping alternations under one quantifier
// (`(a|a)*`) are not detected; the length limit bounds what they can cost.

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
