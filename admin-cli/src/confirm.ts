// The guard on production: a change there is one command, but never one typed by accident. On a terminal
// the operator confirms (or passes --yes). Without a terminal nobody can answer, and a change to production
// must not come from a stray pipe, so the command refuses unless --yes says it was meant (docs/cli.md).
import { Declined, UsageError } from './errors.js';
import type { Io } from './io.js';
import { askLine } from './prompt.js';

export const PROTECTED_ENVIRONMENTS: readonly string[] = ['production'];

export type Confirmation = 'proceed' | 'ask' | 'refuse';

export function confirmationFor(change: { envs: string[]; always?: boolean }, yes: boolean, interactive: boolean): Confirmation {
  const guarded = change.always || change.envs.some((env) => PROTECTED_ENVIRONMENTS.includes(env));
  if (!guarded || yes) return 'proceed';
  return interactive ? 'ask' : 'refuse';
}

/**
 * Stops unless this change may go ahead. `summary` says what will happen, e.g.
 * "turn off new-checkout in production".
 */
export async function confirmChange(io: Io, change: { summary: string; envs: string[]; always?: boolean }, yes: boolean): Promise<void> {
  const decision = confirmationFor(change, yes, Boolean(io.stdin.isTTY));
  if (decision === 'proceed') return;
  if (decision === 'refuse') {
    throw new UsageError(
      `refusing to ${change.summary} without confirmation (stdin is not a terminal, so I cannot ask)`,
      'add --yes to confirm the change',
    );
  }
  if (!(await ask(io, `${capitalise(change.summary)}? [y/N] `))) {
    throw new Declined('not confirmed; nothing changed');
  }
}

export async function ask(io: Io, question: string): Promise<boolean> {
  return /^y(es)?$/i.test((await askLine(io, question)).trim());
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
