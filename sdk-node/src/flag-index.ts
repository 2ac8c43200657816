// The held flags by key, each beside its usage counters, so that an evaluation finds both with one Map
// lookup: DESIGN.md's budget for a simply-on flag (25 ns) has no room for a second lookup to count it.
// The client hands it every new state (follow); evaluation then reads only the index, not FlagSync.
// Why it is written this way, and what must not be "tidied": docs/decisions/006-evaluator-hot-path-idioms.md.
import {
  evaluate,
  evaluateFlag,
  type Context,
  type EvaluationDetail,
  type JsonValue,
  type PreparedFlag,
  type PreparedSnapshot,
} from '@flagstaff/core/evaluate';

/** One flag's evaluation counts in the current window: `counts[0]` the default served, `counts[i + 1]` variation i. */
interface Slot {
  /** Undefined for a key the held flags lack (unknown, or deleted while counts wait to be reported). */
  flag: PreparedFlag | undefined;
  counts: number[];
  /** What `isEnabled` answers when the flag is boolean and serves one value to everyone (on with no rules, or off). */
  fixed: boolean | undefined;
  /** Where in `counts` that answer is counted... */
  fixedAt: number;
  /** ...once it is moved there (at a drain, or when the flag changes): `isEnabled`'s counter, one field. */
  fixedHits: number;
}

export interface UsageWindow {
  start: number;
  end: number;
  /** `variation` null counts evaluations that served the caller's default. */
  flags: { key: string; variation: number | null; count: number }[];
}

// Keys that cannot be flags (a typo'd or garbage argument) are not counted, and the unknown keys of one
// window are capped, so that no caller can grow the report, or this index, without bound.
const FLAG_KEY = /^[a-z0-9][a-z0-9._-]{0,127}$/;
export const MAX_UNKNOWN_KEYS = 10_000;

const zeros = (length: number): number[] => Array.from({ length }, () => 0);

export class FlagIndex {
  #slots = new Map<string, Slot>();
  #indexed: PreparedSnapshot | null = null;
  #unknown = 0;
  #since = Date.now();

  /** `counting` false keeps no usage at all. */
  constructor(readonly counting: boolean) {}

  /**
   * Serves `state` from now on. The client calls it after every change FlagSync accepts; states are
   * immutable, so the same object means nothing changed.
   */
  follow(state: PreparedSnapshot | null): void {
    if (state !== this.#indexed) this.#reindex(state);
  }

  /** core's evaluate over the state followed, counted as usage. Never throws (neither does core's). */
  evaluate<T extends JsonValue>(flagKey: string, context: Context, defaultValue: T): EvaluationDetail<T> {
    return this.#evaluateIn(this.#slots.get(flagKey), flagKey, context, defaultValue);
  }

  /**
   * `isEnabled`'s path: the same answer and count as `evaluate(flagKey, context, false).value === true`,
   * minus the detail's type check for the common case, a boolean flag that serves one value to everyone
   * (on with no rules, or off). DESIGN.md's 25 ns for such a flag is a Map lookup and a counter away.
   */
  isEnabled(flagKey: string, context: Context): boolean {
    const slot = this.#slots.get(flagKey);
    const fixed = slot?.fixed;
    if (fixed === undefined) return this.#evaluateIn<boolean>(slot, flagKey, context, false).value === true;
    if (this.counting) slot!.fixedHits++;
    return fixed;
  }

  /** `evaluate` once the key's slot is found (one Map lookup per evaluation, whichever the path). */
  #evaluateIn<T extends JsonValue>(slot: Slot | undefined, flagKey: string, context: Context, defaultValue: T): EvaluationDetail<T> {
    const flag = slot?.flag;
    if (flag === undefined) return this.#miss(slot, flagKey, context, defaultValue);
    const detail = evaluateFlag(flag, context, defaultValue);
    if (this.counting) count(slot!, detail.variationIndex);
    return detail;
  }

  /** The window's counts, and a new window from `now`. */
  drain(now = Date.now()): UsageWindow {
    const flags: UsageWindow['flags'] = [];
    for (const [key, slot] of this.#slots) {
      settle(slot);
      const counts = slot.counts;
      for (let i = 0; i < counts.length; i++) {
        if (counts[i]! === 0) continue;
        flags.push({ key, variation: i === 0 ? null : i - 1, count: counts[i]! });
        counts[i] = 0;
      }
      if (slot.flag === undefined) this.#forget(key);
    }
    const window = { start: this.#since, end: now, flags };
    this.#since = now;
    return window;
  }

  /** An unknown flag, or nothing held yet: core says which (FLAG_NOT_FOUND, CLIENT_NOT_READY). */
  #miss<T extends JsonValue>(slot: Slot | undefined, flagKey: string, context: Context, defaultValue: T): EvaluationDetail<T> {
    const detail = evaluate(this.#indexed as PreparedSnapshot, flagKey, context, defaultValue);
    if (!this.counting) return detail;
    if (slot === undefined) {
      if (typeof flagKey !== 'string' || this.#unknown >= MAX_UNKNOWN_KEYS || !FLAG_KEY.test(flagKey)) return detail;
      this.#slots.set(flagKey, (slot = { flag: undefined, counts: [0], fixed: undefined, fixedAt: 0, fixedHits: 0 }));
      this.#unknown++;
    }
    count(slot, detail.variationIndex);
    return detail;
  }

  #reindex(state: PreparedSnapshot | null): void {
    for (const [key, slot] of this.#slots) {
      const flag = state?.flags.get(key);
      if (flag === undefined && slot.flag !== undefined) this.#unknown++;
      if (flag !== undefined && slot.flag === undefined) this.#unknown--;
      setFlag(slot, flag);
      // A flag gone with nothing left to report is forgotten now; one with counts, at the next drain.
      if (flag === undefined && slot.counts.every((n) => n === 0)) this.#forget(key);
    }
    if (state !== null) {
      for (const [key, flag] of state.flags) {
        if (this.#slots.has(key)) continue;
        const slot: Slot = { flag, counts: zeros(flag.raw.variations.length + 1), fixed: undefined, fixedAt: 0, fixedHits: 0 };
        this.#slots.set(key, setFlag(slot, flag));
      }
    }
    this.#indexed = state;
  }

  #forget(key: string): void {
    if (this.#slots.get(key)?.flag === undefined) this.#unknown--;
    this.#slots.delete(key);
  }
}

/** Moves the fast path's counter into `counts`. */
function settle(slot: Slot): void {
  slot.counts[slot.fixedAt]! += slot.fixedHits;
  slot.fixedHits = 0;
}

function setFlag(slot: Slot, flag: PreparedFlag | undefined): Slot {
  settle(slot);
  slot.flag = flag;
  const constant = flag?.constant;
  const fixed = constant != null && typeof constant.value === 'boolean' && constant.variationIndex !== null;
  slot.fixed = fixed ? (constant.value as boolean) : undefined;
  slot.fixedAt = fixed ? constant.variationIndex! + 1 : 0;
  while (slot.counts.length <= slot.fixedAt) slot.counts.push(0);
  return slot;
}

function count(slot: Slot, variation: number | null): void {
  const at = variation === null ? 0 : variation + 1;
  const counts = slot.counts;
  if (at < counts.length) counts[at]!++;
  else {
    while (counts.length < at) counts.push(0);
    counts.push(1);
  }
}
