// Known catastrophic patterns, each with the input that makes a backtracking engine pay for it (a pump
// repeated up to 100 KB, then a suffix that fails the match), and patterns of real flags that must keep
// working. Shared by the ReDoS tests in this folder and by test/bench/regex.bench.mjs, whose worst case
// is the figure in docs/evaluation.md.

export interface HostilePattern {
  /** What makes it catastrophic for a backtracking engine. */
  family:
    | 'overlapping alternation'
    | 'adjacent stars'
    | 'nested quantifiers'
    | 'backreference'
    | 'lookaround'
    | 'polynomial'
    | 'large program'
    | 'benign';
  pattern: string;
  /** The attack: `pump` repeated to the input's size, then `suffix`. */
  pump: string;
  suffix: string;
}

export const CORPUS: readonly HostilePattern[] = [
  // Overlapping alternation under a repeat: exponentially many ways to split the input.
  { family: 'overlapping alternation', pattern: '^(a|aa)+$', pump: 'a', suffix: '!' },
  { family: 'overlapping alternation', pattern: '^(a|a)*$', pump: 'a', suffix: '!' },
  { family: 'overlapping alternation', pattern: '^(\\w|\\d)+$', pump: '1', suffix: '!' },
  { family: 'overlapping alternation', pattern: '(a|b|ab)*c', pump: 'ab', suffix: '' },
  { family: 'overlapping alternation', pattern: '^(a|a?)+$', pump: 'a', suffix: '!' },
  // Adjacent stars over the same characters: polynomial, of the degree of their count.
  { family: 'adjacent stars', pattern: '^a*a*a*a*a*a*$', pump: 'a', suffix: '!' },
  { family: 'adjacent stars', pattern: '^\\d*\\d*\\d*\\d*$', pump: '1', suffix: 'x' },
  { family: 'adjacent stars', pattern: '^[a-z]*[a-z]*[a-z]*b$', pump: 'a', suffix: '!' },
  // Nested quantifiers: the classic exponential ReDoS.
  { family: 'nested quantifiers', pattern: '(a+)+$', pump: 'a', suffix: '!' },
  { family: 'nested quantifiers', pattern: '^(\\w+\\s?)*$', pump: 'a', suffix: '!' },
  { family: 'nested quantifiers', pattern: '^(([a-z])+.)+[A-Z]([a-z])+$', pump: 'a', suffix: '!' },
  { family: 'nested quantifiers', pattern: '(x+x+)+y', pump: 'x', suffix: '' },
  { family: 'nested quantifiers', pattern: '^(a{1,3}){1,100}$', pump: 'a', suffix: '!' },
  // Unanchored or repeated `.*`/`\s+`: quadratic and worse, the trim and e-mail ReDoS of real incidents.
  { family: 'polynomial', pattern: '\\s+$', pump: ' ', suffix: '!' },
  { family: 'polynomial', pattern: '.*a.*a.*a.*b', pump: 'a', suffix: '' },
  { family: 'polynomial', pattern: '^.*x.*y.*z$', pump: 'x', suffix: '' },
  { family: 'polynomial', pattern: '.*@example\\.com$', pump: 'a', suffix: '' },
  // What costs RE2 the most: a DFA with exponentially many states, so re2js builds one per character, or
  // gives up and runs its NFA, at a cost per character that grows with the program.
  { family: 'large program', pattern: '[ab]*a[ab]{400}$', pump: 'ab', suffix: '' },
  { family: 'large program', pattern: '^(?:[ab]*a[ab]{12}){1,40}$', pump: 'ba', suffix: '' },
  { family: 'large program', pattern: '^(?:(?:a|b)*a(?:a|b){10}){1,80}$', pump: 'ab', suffix: '' },
  { family: 'large program', pattern: '[ab]{999}[ab]{999}c', pump: 'ab', suffix: '' },
  // What RE2 cannot do at all, and JavaScript does by backtracking.
  { family: 'backreference', pattern: '^(a+)\\1$', pump: 'a', suffix: '!' },
  { family: 'backreference', pattern: '(\\w+)\\s\\1', pump: 'a', suffix: '' },
  { family: 'backreference', pattern: '^(?<x>a*)\\k<x>$', pump: 'a', suffix: '!' },
  { family: 'lookaround', pattern: '^(?=(a+)+$)', pump: 'a', suffix: '!' },
  { family: 'lookaround', pattern: '(?<=a*)b', pump: 'a', suffix: '' },
  { family: 'lookaround', pattern: '^(?!.*(a|aa)+!).*$', pump: 'a', suffix: '!' },
  // Patterns real flags hold: accepted everywhere, and cheap on any input.
  { family: 'benign', pattern: '@example\\.com$', pump: 'a', suffix: '' },
  { family: 'benign', pattern: '^[a-z]+-\\d{3}$', pump: 'a', suffix: '' },
  { family: 'benign', pattern: '^Mozilla/5\\.0 .*Firefox/\\d+', pump: 'a', suffix: '' },
  { family: 'benign', pattern: '^(en|fr|de)-[A-Z]{2}$', pump: 'e', suffix: '' },
  { family: 'benign', pattern: '^[^@]+@(example|test)\\.com$', pump: 'a', suffix: '' },
  { family: 'benign', pattern: 'beta', pump: 'b', suffix: '' },
  { family: 'benign', pattern: '^[\\w.+-]+@[\\w-]+\\.[\\w.-]+$', pump: 'a.', suffix: '' },
];

/** Input sizes the tests try: around the evaluation bound (MAX_TESTED_LENGTH, 1,024) and up to 100 KB. */
export const SIZES = [64, 1024, 1025, 4096, 100 * 1024] as const;

/** The attack string of `entry` at `size` characters. */
export const attack = (entry: HostilePattern, size: number): string =>
  entry.pump.repeat(Math.ceil(Math.max(0, size - entry.suffix.length) / entry.pump.length)).slice(0, size - entry.suffix.length) + entry.suffix;
