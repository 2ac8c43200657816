// Individual targeting: `flagstaff target KEY --variation V --add a,b --remove c`. A context key can be
// targeted to one variation only, so adding a key to V takes it out of any other variation's list.
import type { Target } from '@flagstaff/core';
import { UsageError } from './errors.js';

export interface TargetChange {
  targets: Target[];
  /** Keys that were targeted to another variation before and now get this one. */
  moved: { key: string; from: number }[];
  /** Keys asked to be removed that were not targeted to this variation. */
  notTargeted: string[];
  changed: boolean;
}

export function changeTargets(current: Target[], variation: number, add: string[], remove: string[]): TargetChange {
  const both = add.filter((key) => remove.includes(key));
  if (both.length) throw new UsageError(`cannot both add and remove ${both.join(', ')}`);
  if (!add.length && !remove.length) throw new UsageError('say which keys to --add or --remove');

  const adding = new Set(add);
  const moved: TargetChange['moved'] = [];
  const next = current.map((target) => {
    if (target.variation === variation) {
      const kept = target.values.filter((key) => !remove.includes(key));
      return { variation, values: [...kept, ...add.filter((key) => !kept.includes(key))] };
    }
    for (const key of target.values) if (adding.has(key)) moved.push({ key, from: target.variation });
    return { variation: target.variation, values: target.values.filter((key) => !adding.has(key)) };
  });
  if (add.length && !next.some((target) => target.variation === variation)) next.push({ variation, values: [...add] });

  const before = new Set(current.find((target) => target.variation === variation)?.values ?? []);
  const notTargeted = remove.filter((key) => !before.has(key));
  const targets = next.filter((target) => target.values.length > 0);
  return { targets, moved, notTargeted, changed: JSON.stringify(targets) !== JSON.stringify(current) };
}
