// The plan as people read it: one line per segment, flag and flag state, with the changed fields under it,
//   + create   ~ update   = unchanged
// and then one line per step as apply carries it out.
import * as yaml from 'yaml';
import type { Output } from '../output.js';
import { compactYaml } from '../yaml.js';
import type { StepOutcome } from './apply.js';
import { diffLines } from './diff.js';
import { type FieldChange, type Plan, type PlanStep, summarise } from './plan.js';

const MARK = { create: '+', update: '~', unchanged: '=' } as const;

export function stepTitle(step: PlanStep): string {
  switch (step.resource) {
    case 'segment':
      return `segment ${step.key} in ${step.env}`;
    case 'flag':
      return `flag ${step.key}${step.desired.kind ? ` (${step.desired.kind})` : ''}`;
    case 'state':
      return `${step.key} in ${step.env}`;
  }
}

export function printPlan(out: Output, plan: Plan): void {
  const { style } = out;
  const paint = { create: style.green, update: style.yellow, unchanged: style.dim };
  for (const step of plan.steps) {
    const version = step.version === undefined ? '' : style.dim(` (version ${step.version})`);
    out.line(paint[step.action](`${MARK[step.action]} ${stepTitle(step)}`) + version);
    for (const change of step.changes) for (const line of changeLines(change)) out.line(`    ${colourLine(out, line)}`);
  }
  const counts = summarise(plan);
  out.line();
  out.line(`Plan: ${counts.create} to create, ${counts.update} to update, ${counts.unchanged} unchanged.`);
}

/**
 * `on: false → true` when both sides fit on a line (scalars, short lists: `tags: [a] → [a, b]`);
 * otherwise the field's YAML with -/+ lines.
 */
export function changeLines(change: FieldChange): string[] {
  const { field, before, after } = change;
  const [beforeLines, afterLines] = [yamlLines(before), yamlLines(after)];
  const inline = (value: unknown, lines: string[]) => (isScalar(value) ? JSON.stringify(value) : lines[0]);
  if (beforeLines.length <= 1 && afterLines.length === 1) {
    return before === undefined
      ? [`+ ${field}: ${inline(after, afterLines)}`]
      : [`${field}: ${inline(before, beforeLines)} → ${inline(after, afterLines)}`];
  }
  const lines = diffLines(beforeLines, afterLines);
  return [`${field}:`, ...lines.map(({ op, text }) => `  ${op} ${text}`)];
}

function yamlLines(value: unknown): string[] {
  if (value === undefined) return [];
  return compactYaml(yaml, value).trimEnd().split('\n');
}

function isScalar(value: unknown): boolean {
  return value === undefined || value === null || typeof value !== 'object';
}

function colourLine(out: Output, line: string): string {
  if (line.startsWith('  + ') || line.startsWith('+ ')) return out.style.green(line);
  if (line.startsWith('  - ')) return out.style.red(line);
  return line;
}

export function describeOutcome(out: Output, { step, status, message, version }: StepOutcome): string {
  const title = stepTitle(step);
  switch (status) {
    case 'applied': {
      const done = step.action === 'create' ? 'created' : 'updated';
      return out.style.green(`✓ ${done} ${title}${version === undefined ? '' : ` (version ${version})`}`);
    }
    case 'conflict':
      return out.style.red(`✗ conflict: ${title}: ${message}`);
    case 'failed':
      return out.style.red(`✗ refused: ${title}: ${message}`);
    case 'skipped':
      return out.style.yellow(`- skipped ${title}: ${message}`);
  }
}
