// One-line descriptions of flag state for people: what a flag serves, to whom, in words an operator reads
// during an incident ("on · rollout by key: false 75%, true 25%").
import type { Clause, JsonValue, Rule, Serve, Target } from '@flagstaff/core';
import type { FlagState } from '@flagstaff/core/admin';
import { formatValue } from './parse.js';

/** 25000 → "25%", 500 → "0.5%": weights are thousandths of a percent. */
export function formatPercent(thousandths: number): string {
  return `${Number((thousandths / 1000).toFixed(3))}%`;
}

export function describeServe(serve: Serve, variations: JsonValue[]): string {
  if ('variation' in serve) return formatValue(variations[serve.variation]);
  const shares = serve.rollout.weights
    .map((weight, index) => ({ weight, index }))
    .filter(({ weight }) => weight > 0)
    .map(({ weight, index }) => `${formatValue(variations[index])} ${formatPercent(weight)}`);
  return `rollout by ${serve.rollout.bucketBy}: ${shares.join(', ') || 'nobody'}`;
}

export function describeClause(clause: Clause): string {
  const not = clause.negate ? 'not ' : '';
  if (clause.op === 'segmentMatch') return `${not}in segment ${clause.values.map((v) => formatValue(v)).join(', ')}`;
  return `${clause.attribute} ${not}${clause.op} ${clause.values.map((v) => formatValue(v)).join(', ')}`;
}

export function describeRule(rule: Rule, variations: JsonValue[]): string {
  const when = rule.clauses.map(describeClause).join(' and ') || 'everyone';
  return `${rule.id}: if ${when} → ${describeServe(rule.serve, variations)}`;
}

export function describeTarget(target: Target, variations: JsonValue[]): string {
  return `${formatValue(variations[target.variation])} ← ${target.values.join(', ')}`;
}

/** What the environment serves to a user who matches no target and no rule. */
export function describeState(state: FlagState, variations: JsonValue[]): string {
  if (!state.on) return `off · serving ${formatValue(variations[state.offVariation])}`;
  const extras = [
    state.targets.length ? `${state.targets.reduce((n, t) => n + t.values.length, 0)} targeted` : '',
    state.rules.length ? `${state.rules.length} rule${state.rules.length === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  const suffix = extras.length ? ` (+ ${extras.join(', ')})` : '';
  return `on · ${describeServe(state.fallthrough, variations)}${suffix}`;
}
