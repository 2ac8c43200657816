// The file `flags set-rules` reads: the rules of one flag in one environment, as JSON or YAML.
// Only the shape is checked here; the server validates every clause against the flag and its segments.
import type { Rule } from '@flagstaff/core';
import { UsageError } from './errors.js';
import { type Io, readInput } from './io.js';
import { loadYaml } from './yaml.js';

export async function readRulesFile(io: Io, path: string): Promise<Rule[]> {
  return parseRules(await readInput(io, path), path);
}

export async function parseRules(text: string, source: string): Promise<Rule[]> {
  const { parse } = await loadYaml();
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new UsageError(`${source} is not valid JSON or YAML: ${(error as Error).message}`);
  }
  const rules = Array.isArray(document) ? document : (document as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(rules)) {
    throw new UsageError(`${source} must hold a list of rules, or an object with "rules"`, 'see docs/cli.md, "Rules files"');
  }
  rules.forEach((rule: unknown, index) => {
    const { id, clauses, serve } = (rule ?? {}) as Record<string, unknown>;
    if (typeof id !== 'string' || !Array.isArray(clauses) || typeof serve !== 'object' || serve === null) {
      throw new UsageError(`${source}: rule ${index} needs "id" (text), "clauses" (a list) and "serve"`);
    }
  });
  return rules as Rule[];
}
