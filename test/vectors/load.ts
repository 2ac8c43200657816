// Reads the shared evaluation vectors (README.md beside this file) for Node-side runners: core, the Node
// SDK, the server. Types only from core, so that importing this pulls no evaluator into a runner.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context, JsonValue, Reason, Snapshot } from '@flagstaff/core';

/** The typed entry point a case calls; `default` always fits it (README.md, "Format"). */
export type VectorCall = 'boolean' | 'string' | 'number' | 'json' | 'any';

export interface VectorExpectation {
  value: JsonValue;
  variationIndex: number | null;
  reason: Reason;
  /** Present exactly when `reason.inRollout` is true. */
  bucket?: number;
}

export interface VectorCase {
  name: string;
  flag: string;
  context: Context;
  default: JsonValue;
  call: VectorCall;
  expect: VectorExpectation;
}

export interface VectorFile {
  /** The file name, e.g. `rollouts.json`: with the case name, what a failure report shows. */
  file: string;
  description: string;
  snapshot: Snapshot;
  cases: VectorCase[];
}

/** The folder holding the vector files. */
export const VECTORS_DIR = fileURLToPath(new URL('.', import.meta.url));

/** Every `*.json` file of the vectors folder, sorted by name. */
export function loadVectorFiles(dir: string = VECTORS_DIR): VectorFile[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((file) => {
      const parsed = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Omit<VectorFile, 'file'>;
      return { file, ...parsed };
    });
}
