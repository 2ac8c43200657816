// The check a `matches` pattern passes before a client-side flag (or a segment one names) may hold it:
// browsers run patterns on the native, backtracking RegExp, where `^(a|aa)+$` or `.*x.*y$` takes
// exponential or polynomial time on a hostile context. Core's portablePatternProblem keeps the syntax to a
// subset RE2 and JavaScript read alike; recheck, a ReDoS checker built on automata theory, then has to prove
// the pattern linear for a backtracking engine. Anything it does not prove safe — vulnerable, unknown, or
// not decided within CHECK_TIMEOUT_MS — is refused (docs/evaluation.md, "Regular expressions").
//
// recheck runs its analysis in a worker (its Linux binary where installed, else its JavaScript build); the
// synchronous call blocks the admin write that needs it, once per distinct pattern: verdicts are cached.
import { createRequire } from 'node:module';
import { portablePatternProblem } from '@flagstaff/core';

/** How long recheck may take over one pattern; past it the pattern is refused as not proven safe. */
export const CHECK_TIMEOUT_MS = 2000;
const CACHE_LIMIT = 1000;

type Recheck = typeof import('recheck');
let recheck: Recheck | undefined;
/** Pattern → its final verdict (null: accepted), oldest first. */
const verdicts = new Map<string, string | null>();

/** recheck is loaded on first use: it is megabytes of code that most servers never need. */
const loadRecheck = (): Recheck => (recheck ??= createRequire(import.meta.url)('recheck') as Recheck);

/** recheck's verdict on `pattern`, and whether it is final (a timeout may go otherwise on a quieter machine). */
function recheckProblem(pattern: string): [problem: string | null, final: boolean] {
  // `su`: the flags browsers compile patterns with (core's pattern.browser.ts). Only the automaton checker
  // proves anything; fuzzing that finds no attack is not a proof. recheck's verdict is asymptotic, so it
  // calls `^(a|aa){1,100}$` safe (its cost is bounded, by a constant near 2^100): it checks the pattern
  // with every counted repeat made unbounded, whose backtracking explores at least as much.
  const unbounded = pattern.replace(/(?<!\\)\{(\d+)(?:,\d*)?\}/g, '{$1,}');
  const result = loadRecheck().checkSync(unbounded, 'su', { checker: 'automaton', timeout: CHECK_TIMEOUT_MS });
  switch (result.status) {
    case 'safe':
      return [null, true];
    case 'vulnerable':
      return [
        `a backtracking engine takes ${result.complexity.summary} time on it, e.g. on ${result.attack.pattern}: ` +
          'rewrite it so that no repeat can match the same text two ways, as (a|aa)+, a*a* or an unanchored .*x do',
        true,
      ];
    default:
      if (result.error.kind === 'timeout') return [`a ReDoS checker could not prove it safe within ${CHECK_TIMEOUT_MS} ms`, false];
      return [
        `a ReDoS checker could not prove it safe (${result.error.kind}${'message' in result.error ? `: ${result.error.message}` : ''})`,
        true,
      ];
  }
}

/** Why a client-side flag may not hold `pattern`, or null (it is portable and proven linear in browsers). */
export function clientPatternProblem(pattern: string): string | null {
  const known = verdicts.get(pattern);
  if (known !== undefined) return known;
  const portability = portablePatternProblem(pattern);
  const [problem, final] = portability !== null ? [portability, true] : recheckProblem(pattern);
  if (final) {
    if (verdicts.size >= CACHE_LIMIT) verdicts.delete(verdicts.keys().next().value!);
    verdicts.set(pattern, problem);
  }
  return problem;
}
