// Label matchers of kill rules, with Prometheus' meaning: `=` and `!=` compare the whole value, `=~` is a
// regular expression anchored at both ends, and a label the alert lacks has the value "".
// `=~` runs on RE2 (re2js), as in Prometheus and Alertmanager: the syntax is theirs, and an alert's labels,
// which anyone holding a hook's URL writes, cost time linear in their length whatever the pattern. Core's
// bounds for `matches` hold here too: a program of at most MAX_PROGRAM_SIZE instructions, and a label value
// past MAX_TESTED_LENGTH characters is not tested (`=~` does not match it).
import type { LabelMatcher } from '@flagstaff/core/admin';
import { MAX_PROGRAM_SIZE, MAX_TESTED_LENGTH } from '@flagstaff/core';
import { RE2JS } from 're2js';
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

/** `^(?:pattern)$` as Alertmanager builds it, in RE2. */
const anchored = (pattern: string) => RE2JS.compile(`^(?:${pattern})$`);

function regexProblem(pattern: string): string | null {
  try {
    const size = anchored(pattern).programSize();
    return size > MAX_PROGRAM_SIZE ? `pattern is too large: it compiles to ${size} RE2 instructions, over ${MAX_PROGRAM_SIZE}` : null;
  } catch (error) {
    return `not a regular expression (RE2 syntax, as in Alertmanager; no backreferences or lookaround): ${(error as Error).message.replace(/^error parsing regexp: /, '')}`;
  }
}

export type CompiledMatcher = (labels: Record<string, string>) => boolean;

/** The alert's own label, "" when it lacks one: a label named `constructor` must not read Object.prototype's. */
export const labelValue = (labels: Record<string, string>, name: string): string => (Object.hasOwn(labels, name) ? labels[name]! : '');

/** Compiles a validated matcher once; the rule engine calls the result per alert. */
export function compileMatcher({ label, op, value }: LabelMatcher): CompiledMatcher {
  if (op === '=') return (labels) => labelValue(labels, label) === value;
  if (op === '!=') return (labels) => labelValue(labels, label) !== value;
  const regex = anchored(value);
  return (labels) => {
    const text = labelValue(labels, label);
    return text.length <= MAX_TESTED_LENGTH && regex.test(text);
  };
}
