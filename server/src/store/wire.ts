// Rows → the shapes that leave the store: wire Flags and Segments for SDK snapshots (core's model),
// and the admin API's resources (docs/api.md).
import type { Flag, Segment, Serve } from '@flagstaff/core';
import { iso, type FlagResource, type FlagState, type SegmentResource } from './resources.js';
import type { flagStates, flags, segments } from './schema.js';

export type FlagRow = typeof flags.$inferSelect;
export type FlagStateRow = typeof flagStates.$inferSelect;
export type SegmentRow = typeof segments.$inferSelect;

/** The definition fields a wire Flag needs. */
export type FlagDefinition = Pick<FlagRow, 'key' | 'kind' | 'variations' | 'clientSide' | 'seed'>;
/** The state fields a wire Flag needs. */
export type FlagStateFields = Pick<FlagStateRow, 'version' | 'on' | 'offVariation' | 'targets' | 'rules' | 'fallthrough'>;

export function toWireFlag(def: FlagDefinition, state: FlagStateFields): Flag {
  const flag: Flag = {
    key: def.key,
    version: state.version,
    kind: def.kind,
    on: state.on,
    variations: def.variations,
    offVariation: state.offVariation,
    targets: state.targets,
    rules: state.rules,
    fallthrough: state.fallthrough,
    clientSide: def.clientSide,
  };
  if (def.seed !== null) flag.seed = def.seed;
  return flag;
}

export function toWireSegment(row: Pick<SegmentRow, 'key' | 'version' | 'included' | 'excluded' | 'rules'>): Segment {
  return { key: row.key, version: row.version, included: row.included, excluded: row.excluded, rules: row.rules };
}

export function toFlagState(row: FlagStateRow): FlagState {
  return {
    version: row.version,
    on: row.on,
    offVariation: row.offVariation,
    targets: row.targets,
    rules: row.rules,
    fallthrough: row.fallthrough,
    updatedAt: iso(row.updatedAt),
  };
}

export function toFlagResource(row: FlagRow, states: Record<string, FlagState>): FlagResource {
  return {
    key: row.key,
    name: row.name,
    kind: row.kind,
    variations: row.variations,
    description: row.description,
    tags: row.tags,
    clientSide: row.clientSide,
    seed: row.seed,
    archived: row.archived,
    version: row.version,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    environments: states,
  };
}

export function toSegmentResource(row: SegmentRow): SegmentResource {
  return {
    key: row.key,
    name: row.name,
    description: row.description,
    version: row.version,
    included: row.included,
    excluded: row.excluded,
    rules: row.rules,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

/** The state every flag starts with in every environment: off, serving `true` once turned on. */
export function defaultState(kind: FlagRow['kind']): Pick<FlagStateRow, 'on' | 'offVariation' | 'targets' | 'rules' | 'fallthrough'> {
  const fallthrough: Serve = { variation: kind === 'boolean' ? 1 : 0 };
  return { on: false, offVariation: 0, targets: [], rules: [], fallthrough };
}
