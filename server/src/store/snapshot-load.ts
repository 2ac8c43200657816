// Reads environments' full SDK snapshots out of the database: at start-up for all of them, and for a
// newly created environment. The budget is "ready in ≤ 1 s with 5,000 flags", so SQLite assembles each
// environment's flags and segments as one JSON document (json_group_object) and JavaScript parses it
// once, instead of mapping and parsing 15,000 rows field by field. The shape is core's wire Flag and
// Segment, exactly as toWireFlag / toWireSegment build them (store.test.ts checks the two agree).
import { sql } from 'drizzle-orm';
import type { Snapshot } from '@flagstaff/core';
import type { Db } from './db.js';

const bool = (column: string) => `json(CASE WHEN ${column} THEN 'true' ELSE 'false' END)`;

const FLAGS = `
  SELECT json_group_object(f.key, json_remove(json_object(
      'key', f.key, 'version', s.version, 'kind', f.kind, 'on', ${bool('s."on"')},
      'variations', json(f.variations), 'offVariation', s.off_variation,
      'targets', json(s.targets), 'rules', json(s.rules), 'fallthrough', json(s.fallthrough),
      'clientSide', ${bool('f.client_side')}, 'seed', f.seed),
    -- a flag without a seed has no "seed" field at all (not null)
    CASE WHEN f.seed IS NULL THEN '$.seed' ELSE '$.__none' END))
  FROM flag_states s JOIN flags f ON f.id = s.flag_id
  WHERE s.env_id = e.id AND f.archived = 0`;

const SEGMENTS = `
  SELECT json_group_object(g.key, json_object(
      'key', g.key, 'version', g.version,
      'included', json(g.included), 'excluded', json(g.excluded), 'rules', json(g.rules)))
  FROM segments g WHERE g.env_id = e.id`;

export function loadSnapshots(db: Db, onlyEnvId?: number): Map<string, Snapshot> {
  const rows = db.all<{ env: string; version: number; flags: string; segments: string }>(sql`
    SELECT e.key AS env, e.version AS version, (${sql.raw(FLAGS)}) AS flags, (${sql.raw(SEGMENTS)}) AS segments
    FROM environments e
    ${onlyEnvId === undefined ? sql`` : sql`WHERE e.id = ${onlyEnvId}`}`);
  return new Map(
    rows.map((row) => [row.env, { version: row.version, flags: JSON.parse(row.flags), segments: JSON.parse(row.segments) }]),
  );
}
