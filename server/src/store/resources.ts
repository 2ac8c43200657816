// The resources of the admin API as docs/api.md defines them: what the store returns and routes send.
import type { FlagKind, JsonValue, Rule, Serve, SegmentRule, Target } from '@flagstaff/core';

/** Who made a change: an admin token, an alert hook, or the server itself (bootstrap, seeding). */
export interface Actor {
  kind: 'admin' | 'hook' | 'system';
  id: string;
  name: string;
}

/** What every write carries besides its payload. */
export interface WriteMeta {
  actor: Actor;
  /** From `X-Flagstaff-Reason`. */
  reason?: string;
  /** The version the caller based the change on (`If-Match`); undefined skips the check. */
  ifMatch?: number;
}

export interface Environment {
  key: string;
  name: string;
  version: number;
  createdAt: string;
}

export interface FlagState {
  version: number;
  on: boolean;
  offVariation: number;
  targets: Target[];
  rules: Rule[];
  fallthrough: Serve;
  updatedAt: string;
}

/** The part of a FlagState a caller may write. */
export type FlagStateInput = Pick<FlagState, 'on' | 'offVariation' | 'targets' | 'rules' | 'fallthrough'>;

export interface FlagResource {
  key: string;
  name: string;
  kind: FlagKind;
  variations: JsonValue[];
  description: string;
  tags: string[];
  clientSide: boolean;
  seed: string | null;
  archived: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
  environments: Record<string, FlagState>;
}

export interface SegmentResource {
  key: string;
  name: string;
  description: string;
  version: number;
  included: string[];
  excluded: string[];
  rules: SegmentRule[];
  createdAt: string;
  updatedAt: string;
}

export type KeyKind = 'admin' | 'server' | 'client';
export type Scope = 'read' | 'write' | 'admin';

export interface KeyInfo {
  id: string;
  kind: KeyKind;
  name: string;
  env?: string;
  scopes?: Scope[];
  hint: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: Actor;
  action: string;
  env?: string;
  resource: { kind: string; key: string };
  reason?: string;
  before?: unknown;
  after?: unknown;
}

export const iso = (ms: number) => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
