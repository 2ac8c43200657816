// The in-memory current state of every environment, in the full (server-key) view. Built once at
// start-up and moved forward after each commit by replacing (never mutating) what changed, so that a
// snapshot handed out earlier stays consistent.
//
// The evaluation-ready form (core's PreparedSnapshot) is built on first use — by /api/v1/evaluate or
// OFREP — rather than at start-up, which keeps "ready in ≤ 1 s with 5,000 flags" within budget; once
// built, it moves forward with core's applyEvent, the same routine SDKs use.
import { applyEvent, prepareSnapshot, type PreparedSnapshot, type Snapshot } from '@flagstaff/core';
import { applyChange, changeEvent, type EnvChange, type SnapshotSource } from './changes.js';

export class Snapshots implements SnapshotSource {
  readonly #raw = new Map<string, Snapshot>();
  readonly #prepared = new Map<string, PreparedSnapshot>();

  snapshot(env: string): Snapshot | null {
    return this.#raw.get(env) ?? null;
  }

  /** The current state prepared for core's `evaluate`; its `raw` is `snapshot(env)`. */
  prepared(env: string): PreparedSnapshot | null {
    const raw = this.#raw.get(env);
    if (raw === undefined) return null;
    let prepared = this.#prepared.get(env);
    if (prepared?.raw !== raw) {
      prepared = prepareSnapshot(raw);
      this.#prepared.set(env, prepared);
    }
    return prepared;
  }

  environments(): string[] {
    return [...this.#raw.keys()];
  }

  /** Installs a whole environment (start-up, a new environment). */
  install(env: string, snapshot: Snapshot): void {
    this.#raw.set(env, snapshot);
    this.#prepared.delete(env);
  }

  /** Applies one committed change, exactly as an SDK applies the matching stream event. */
  apply(change: EnvChange): void {
    const raw = this.#raw.get(change.env);
    if (raw === undefined) return;
    const prepared = this.#prepared.get(change.env);
    if (prepared !== undefined && prepared.raw === raw) {
      const next = applyEvent(prepared, changeEvent(change));
      this.#prepared.set(change.env, next);
      this.#raw.set(change.env, next.raw);
    } else {
      this.#raw.set(change.env, applyChange(raw, change));
    }
  }
}
