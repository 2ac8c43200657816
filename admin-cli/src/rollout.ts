// The percentage rollout the `rollout` command writes into a flag's fallthrough. The weights come from core's
// twoWayRollout (shared with the server's rollout plans; see core/src/rollout.ts for why raising the
// percentage only ever adds users). That holds as long as chosen, baseline, bucketBy and the seed stay the
// same, so the command reuses the current baseline and bucketBy, and warns when a step would move users anyway.
import type { FlagKind, JsonValue, Rollout, Serve } from '@flagstaff/core';
// The zod-free entry: the CLI need not load validation to start.
import { ALL_BUCKETS, bucketRange, twoWayRollout } from '@flagstaff/core/rollout';
import { UsageError } from './errors.js';
import { formatPercent } from './describe.js';
import { formatValue } from './parse.js';

export const ALL = ALL_BUCKETS;
export { bucketRange };

export interface RolloutRequest {
  kind: FlagKind;
  variations: JsonValue[];
  offVariation: number;
  current: Serve;
  /** Share of the chosen variation, in thousandths of a percent. */
  thousandths: number;
  chosen?: number;
  baseline?: number;
  bucketBy?: string;
}

export interface RolloutChange {
  fallthrough: { rollout: Rollout };
  chosen: number;
  baseline: number;
  /** Things the operator should know before this goes live (users moved, not added). */
  warnings: string[];
}

export function planRollout(request: RolloutRequest): RolloutChange {
  const { variations, current, thousandths } = request;
  if (variations.length < 2) {
    throw new UsageError('a rollout splits users between two variations, and this flag has only one');
  }
  const chosen = request.chosen ?? (request.kind === 'boolean' ? 1 : undefined);
  if (chosen === undefined) {
    throw new UsageError(`say which variation to roll out with --variation (one of: ${variations.map((v) => formatValue(v)).join(', ')})`);
  }
  const baseline = request.baseline ?? inferBaseline(request, chosen);
  if (baseline === chosen) throw new UsageError('--from must name a different variation than the one rolled out');

  const currentRollout = 'rollout' in current ? current.rollout : undefined;
  const bucketBy = request.bucketBy ?? currentRollout?.bucketBy ?? 'key';
  const fallthrough = twoWayRollout(variations.length, chosen, baseline, thousandths, bucketBy);

  return { fallthrough, chosen, baseline, warnings: movementWarnings(request, fallthrough, chosen) };
}

/** Everybody else keeps what they get now: the one other variation the fallthrough serves today. */
function inferBaseline(request: RolloutRequest, chosen: number): number {
  const { kind, current, offVariation } = request;
  if (kind === 'boolean') return 1 - chosen;
  const others =
    'variation' in current
      ? [current.variation].filter((index) => index !== chosen)
      : current.rollout.weights.flatMap((weight, index) => (weight > 0 && index !== chosen ? [index] : []));
  if (others.length === 1) return others[0]!;
  if (others.length === 0 && offVariation !== chosen) return offVariation;
  throw new UsageError(
    others.length
      ? 'the fallthrough splits users between several variations; say which one the rest get with --from'
      : 'everyone already gets this variation; say which one the rest should get with --from',
  );
}

function movementWarnings(request: RolloutRequest, next: Serve, chosen: number): string[] {
  const [oldStart, oldEnd] = bucketRange(request.current, chosen);
  const [newStart, newEnd] = bucketRange(next, chosen);
  const oldShare = oldEnd - oldStart;
  if (oldShare === 0 || oldShare === ALL || request.thousandths < oldShare) return [];
  const label = formatValue(request.variations[chosen]);
  const currentBucketBy = 'rollout' in request.current ? request.current.rollout.bucketBy : undefined;
  const nextBucketBy = 'rollout' in next ? next.rollout.bucketBy : undefined;
  if (currentBucketBy && currentBucketBy !== nextBucketBy) {
    return [`bucketing changes from "${currentBucketBy}" to "${nextBucketBy}": users are reshuffled, some who had ${label} lose it`];
  }
  if (newStart > oldStart || newEnd < oldEnd) {
    return [`the ${formatPercent(oldShare)} who have ${label} now are not all kept: the split changes which users are in it`];
  }
  return [];
}
