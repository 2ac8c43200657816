// Known catastrophic patterns (corpus.json), each with the input that makes a backtracking engine pay for
// it: a pump repeated up to 100 KB, then a suffix that fails the match. Shared by the ReDoS tests in this
// folder and by test/bench/regex.bench.mjs, whose worst case is the figure in docs/evaluation.md.
// The families:
// - overlapping alternation under a repeat (`^(a|aa)+$`): exponentially many ways to split the input;
// - adjacent stars over the same characters (`^a*a*a*$`): polynomial, of the degree of their count;
// - nested quantifiers (`(a+)+$`): the classic exponential ReDoS;
// - polynomial: unanchored or repeated `.*` and `\s+$`, the trim and e-mail ReDoS of real incidents;
// - backreference, lookaround: what RE2 cannot do at all, and JavaScript does by backtracking;
// - large program: what costs RE2 the most, a DFA with exponentially many states, so that re2js builds
//   one per character or falls back to its NFA, whose cost per character grows with the program;
// - benign: patterns real flags hold, accepted everywhere and cheap on any input.
import { readFileSync } from 'node:fs';

export interface HostilePattern {
  family:
    | 'overlapping alternation'
    | 'adjacent stars'
    | 'nested quantifiers'
    | 'polynomial'
    | 'backreference'
    | 'lookaround'
    | 'large program'
    | 'benign';
  pattern: string;
  /** The attack: `pump` repeated to the input's size, then `suffix`. */
  pump: string;
  suffix: string;
}

export const CORPUS: readonly HostilePattern[] = JSON.parse(readFileSync(new URL('./corpus.json', import.meta.url), 'utf8'));

/** Input sizes the tests try: around the evaluation bound (MAX_TESTED_LENGTH, 1,024) and up to 100 KB. */
export const SIZES = [64, 1024, 1025, 4096, 100 * 1024] as const;

/** The attack string of `entry` at `size` characters. */
export const attack = (entry: HostilePattern, size: number): string =>
  entry.pump.repeat(Math.ceil(Math.max(0, size - entry.suffix.length) / entry.pump.length)).slice(0, size - entry.suffix.length) +
  entry.suffix;
