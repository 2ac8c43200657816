// The percentage rollout the `rollout` command writes into a flag's fallthrough.
//
// Bucketing (DESIGN.md) gives variation i the buckets [sum(w[0..i-1]), sum(w[0..i])). The CLI always splits
// users between exactly two variations — the one being rolled out ("chosen") and the one everybody else
// gets ("baseline") — and leaves every other weight at 0. Then the chosen variation's range is
//   [100000 - p, 100000)   when chosen comes after baseline (true after false: the boolean case), or
//   [0, p)                 when chosen comes before baseline,
// and in both cases a larger p only widens the range: raising the percentage adds users, nobody who had
// the variation loses it. That holds as long as chosen, baseline, bucketBy and the seed stay the same, so
// the command reuses the current baseline and bucketBy, and warns when a step would move users anyway.
import type { FlagKind, JsonValue, Rollout, Serve } from '@flagstaff/core';
import { UsageError } from './errors.js';
import { formatPercent } from './describe.js';
import { formatValue } from './parse.js';

export const ALL = 100_000;

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
    throw new UsageError(
      `say which variation to roll out with --variation (one of: ${variations.map((v) => formatValue(v)).join(', ')})`,
    );
  }
  const baseline = request.baseline ?? inferBaseline(request, chosen);
  if (baseline === chosen) throw new UsageError('--from must name a different variation than the one rolled out');

  const currentRollout = 'rollout' in current ? current.rollout : undefined;
  const bucketBy = request.bucketBy ?? currentRollout?.bucketBy ?? 'key';
  const weights = variations.map(() => 0);
  weights[chosen] = thousandths;
  weights[baseline] = ALL - thousandths;
  const fallthrough = { rollout: { bucketBy, weights } };

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

/** The buckets [start, end) a serve gives to one variation (empty when start === end). */
export function bucketRange(serve: Serve, variation: number): [number, number] {
  if ('variation' in serve) return serve.variation === variation ? [0, ALL] : [0, 0];
  const weights = serve.rollout.weights;
  const start = weights.slice(0, variation).reduce((sum, weight) => sum + weight, 0);
  return [start, start + (weights[variation] ?? 0)];
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
