// Admin API records for unit tests, shaped as docs/api.md describes them.
import type { FlagResource, FlagState, SegmentResource } from '@flagstaff/core/admin';

export function flagState(fields: Partial<FlagState> = {}): FlagState {
  return {
    version: 1,
    on: false,
    offVariation: 0,
    targets: [],
    rules: [],
    fallthrough: { variation: 1 },
    updatedAt: '2026-11-23T10:00:00.000Z',
    ...fields,
  };
}

export function adminFlag(key: string, fields: Partial<FlagResource> = {}): FlagResource {
  return {
    key,
    name: key,
    kind: 'boolean',
    variations: [false, true],
    description: '',
    tags: [],
    clientSide: false,
    seed: null,
    archived: false,
    version: 1,
    createdAt: '2026-11-23T10:00:00.000Z',
    updatedAt: '2026-11-23T10:00:00.000Z',
    environments: { development: flagState(), production: flagState() },
    ...fields,
  };
}

export function segment(key: string, fields: Partial<SegmentResource> = {}): SegmentResource {
  return {
    key,
    name: key,
    description: '',
    version: 1,
    included: [],
    excluded: [],
    rules: [],
    createdAt: '2026-11-23T10:00:00.000Z',
    updatedAt: '2026-11-23T10:00:00.000Z',
    ...fields,
  };
}
