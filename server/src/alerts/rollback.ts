// What a `rollback` kill does to a flag's state: every percentage rollout (the fallthrough's and each
// rule's) goes to 0% — everyone in it gets the off variation — while the flag stays on, so individual
// targets and fixed-variation rules (staff, beta testers) keep what they had. bucketBy is kept, so a plan
// that later resumes from 0% adds users in the same order as before.
import type { Serve } from '@flagstaff/core';
import type { FlagStateInput } from '../store/resources.js';

function atZero(serve: Serve, offVariation: number, isFallthrough: boolean): Serve {
  if ('rollout' in serve) {
    const weights = serve.rollout.weights.map((_, i) => (i === offVariation ? 100_000 : 0));
    return { rollout: { ...serve.rollout, weights } };
  }
  // The fallthrough at a fixed variation is a rollout at 100%: it goes to the off variation too.
  return isFallthrough ? { variation: offVariation } : serve;
}

export function rolledBack(state: FlagStateInput): FlagStateInput {
  return {
    ...state,
    rules: state.rules.map((rule) => ({ ...rule, serve: atZero(rule.serve, state.offVariation, false) })),
    fallthrough: atZero(state.fallthrough, state.offVariation, true),
  };
}
