// Shared by the provider parsers: turning a zod failure into the one-line reason a 400 carries.
import type { z } from 'zod';
import { issuesOf } from '@flagstaff/core';
import { PayloadError } from './alert.js';

export function parsePayload<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issues = issuesOf(result.error);
  const first = issues[0];
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  throw new PayloadError(`not ${what}: ${first ? `${first.path || 'body'}: ${first.message}` : 'invalid'}${more}`);
}
