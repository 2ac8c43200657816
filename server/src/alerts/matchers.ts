// Label matchers of kill rules, with Prometheus' meaning: `=` and `!=` compare the whole value, `=~` is a
// regular expression anchored at both ends, and a label the alert lacks has the value "".
import type { LabelMatcher } from '@flagstaff/core/admin';
import { z } from 'zod';

export const MAX_PATTERN_LENGTH = 256;
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export const labelMatcherSchema = z
  .strictObject({
    label: z.string().regex(LABEL_NAME, 'a label name: letters, digits, _ . -, not starting with a digit'),
    op: z.enum(['=', '!=', '=~'], { error: 'op is one of =, !=, =~' }),
    value: z.string().max(MAX_PATTERN_LENGTH),
  })
  .superRefine((matcher, ctx) => {
    const problem = matcher.op === '=~' ? regexProblem(matcher.value) : null;
    if (problem) ctx.addIssue({ code: 'custom', path: ['value'], message: problem });
  });

function regexProblem(pattern: string): string | null {
  try {
    new RegExp(`^(?:${pattern})$`);
    return null;
  } catch (error) {
    return `not a regular expression: ${(error as Error).message}`;
  }
}

export type CompiledMatcher = (labels: Record<string, string>) => boolean;

/** The alert's own label, "" when it lacks one: a label named `constructor` must not read Object.prototype's. */
export const labelValue = (labels: Record<string, string>, name: string): string => (Object.hasOwn(labels, name) ? labels[name]! : '');

/** Compiles a validated matcher once; the rule engine calls the result per alert. */
export function compileMatcher({ label, op, value }: LabelMatcher): CompiledMatcher {
  if (op === '=') return (labels) => labelValue(labels, label) === value;
  if (op === '!=') return (labels) => labelValue(labels, label) !== value;
  const regex = new RegExp(`^(?:${value})$`);
  return (labels) => regex.test(labelValue(labels, label));
}
