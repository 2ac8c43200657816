// Every pattern of the ReDoS corpus (corpus.ts), in process: refused at write time with its field path and
// why, or evaluated in under 1 ms on its attack input at every size up to 100 KB. Servers and the Node SDK
// (RE2) for any flag; browsers (the native, backtracking RegExp — V8 here, as in Chromium) for the
// patterns the server lets client-side flags hold.
import { describe, expect, it } from 'vitest';
import { evaluate, MAX_TESTED_LENGTH, validateFlag } from '@flagstaff/core';
import { clause, preparedOf, ruleFlag } from '@flagstaff/core/testing';
import { compileEngine } from '../../core/src/pattern.js';
import { clientPatternProblem } from '../../server/src/client-patterns.js';
import { attack, CORPUS, SIZES } from './corpus.js';

const BUDGET_MS = 1;

const flagWith = (pattern: string, clientSide: boolean) => ruleFlag('redos', [clause('bio', 'matches', [pattern])], { clientSide });

/**
 * The fastest of some runs after a few to warm up, in ms: the cost of one evaluation once the JIT has
 * compiled the engine (noise from other processes only ever adds time).
 */
function fastest(run: () => unknown, times = 10): number {
  for (let i = 0; i < 10; i++) run();
  let best = Infinity;
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    run();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

const refusedByRe2 = new Set(['backreference', 'lookaround']);

describe('servers and the Node SDK: any flag', () => {
  it.each(CORPUS.map((entry) => [entry.pattern, entry] as const))(
    '%s: refused with path and why, or under 1 ms up to 100 KB',
    (_, entry) => {
      const checked = validateFlag(flagWith(entry.pattern, false));
      if (refusedByRe2.has(entry.family)) {
        expect(checked).toEqual({
          ok: false,
          issues: [
            { path: 'rules[0].clauses[0].values[0]', message: expect.stringMatching(/backreferences and lookaround are not supported/) },
          ],
        });
        expect(compileEngine(entry.pattern)).toBeUndefined(); // a stored one never matches
        return;
      }
      if (!checked.ok) {
        const why =
          entry.family === 'large program' ? /too large: it compiles to \d+ RE2 instructions|nested quantifiers/ : /nested quantifiers/;
        expect(checked.issues).toEqual([{ path: 'rules[0].clauses[0].values[0]', message: expect.stringMatching(why) }]);
      }
      // Accepted or not, RE2 runs it, so a pattern stored before validation refused it costs no more.
      const state = preparedOf([flagWith(entry.pattern, false)]);
      for (const size of SIZES) {
        const context = { key: 'u', bio: attack(entry, size) };
        const detail = evaluate(state, 'redos', context, false);
        expect(detail.reason.valueTooLong === true, `size ${size}`).toBe(size > MAX_TESTED_LENGTH);
        const ms = fastest(() => evaluate(state, 'redos', context, false));
        expect(ms, `${entry.pattern} on ${size} characters: ${ms.toFixed(3)} ms`).toBeLessThan(BUDGET_MS);
      }
    },
  );
});

describe('browsers: client-side flags', () => {
  it.each(CORPUS.map((entry) => [entry.pattern, entry] as const))(
    '%s: refused with path and why, or under 1 ms on a backtracking engine',
    (_, entry) => {
      const checked = validateFlag(flagWith(entry.pattern, true), { clientPatternProblem });
      if (entry.family !== 'benign') {
        expect(checked.ok).toBe(false);
        expect(!checked.ok && checked.issues[0]).toEqual({ path: 'rules[0].clauses[0].values[0]', message: expect.any(String) });
        expect(!checked.ok && checked.issues[0]!.message.length).toBeGreaterThan(40);
        return;
      }
      expect(checked).toMatchObject({ ok: true });
      const native = new RegExp(entry.pattern, 'su');
      for (const size of SIZES) {
        const text = attack(entry, size);
        const ms = fastest(() => native.test(text));
        expect(ms, `${entry.pattern} on ${size} characters: ${ms.toFixed(3)} ms`).toBeLessThan(BUDGET_MS);
      }
    },
  );

  it('says why, in words a writer can act on', () => {
    const why = (pattern: string) => {
      const checked = validateFlag(flagWith(pattern, true), { clientPatternProblem });
      return checked.ok ? null : checked.issues[0]!.message;
    };
    expect(why('^(a|aa)+$')).toMatch(/client-side flag.*exponential time/);
    expect(why('^a*a*a*a*a*a*$')).toMatch(/polynomial time/);
    expect(why('.*@example\\.com$')).toMatch(/polynomial time/);
    expect(why('^(a+)\\1$')).toMatch(/backreferences and lookaround/);
    expect(why('^\\s+x')).toMatch(/\\s and \\S mean different characters/);
    expect(why('^[[:alpha:]]+$')).toMatch(/a \[ inside a class/);
    expect(why('(?i)beta')).toMatch(/only \(…\) and \(\?:…\) groups/);
    expect(why('^x{,3}$')).toMatch(/a \{ starts a repeat/);
  });
});
