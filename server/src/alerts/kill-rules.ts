// Which flags an alert acts on: the kill rules of the hook's environment whose alert name and label
// matchers match, each naming a flag by key or through a label of the alert (`flag="new-checkout"`),
// so that one receiver serves many flags. One alert acts at most once per flag.
import type { KillRule } from '@flagstaff/core/admin';
import type { NormalisedAlert } from './alert.js';
import { compileMatcher, labelValue } from './matchers.js';

export type { KillAction, KillRule, OnResolve } from '@flagstaff/core/admin';

export interface KillTarget {
  flag: string;
  rule: KillRule;
}

export interface Skipped {
  rule: string;
  why: string;
}

export interface AlertTargets {
  targets: KillTarget[];
  skipped: Skipped[];
}

const compiled = new WeakMap<KillRule, Array<(labels: Record<string, string>) => boolean>>();

function matches(rule: KillRule, alert: NormalisedAlert): boolean {
  if (rule.alert !== alert.name) return false;
  let tests = compiled.get(rule);
  if (!tests) compiled.set(rule, (tests = rule.matchers.map(compileMatcher)));
  return tests.every((test) => test(alert.labels));
}

/**
 * The flags `alert` acts on, one target per flag. When several rules reach one flag, `off` wins over
 * `rollback` (it is the stronger action), then the older rule.
 */
export function targetsOf(alert: NormalisedAlert, rules: readonly KillRule[]): AlertTargets {
  const byFlag = new Map<string, KillTarget>();
  const skipped: Skipped[] = [];
  for (const rule of rules) {
    if (!matches(rule, alert)) continue;
    const flag = rule.flag ?? labelValue(alert.labels, rule.flagLabel!);
    if (!flag) {
      skipped.push({ rule: rule.id, why: `the alert has no "${rule.flagLabel}" label to name the flag` });
      continue;
    }
    const held = byFlag.get(flag);
    if (!held || (held.rule.action === 'rollback' && rule.action === 'off')) byFlag.set(flag, { flag, rule });
  }
  return { targets: [...byFlag.values()], skipped };
}
