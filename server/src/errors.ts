// The error contract of docs/api.md: `{ error: { code, message, details? } }` with the matching status.
// Code below throws ApiError; app.ts turns it (and anything unexpected) into that shape.
import type { ErrorBody, ErrorCode, Issue } from '@flagstaff/core/admin';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export type { ErrorBody, ErrorCode, Issue };

const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  invalid_json: 400,
  validation_failed: 400,
  invalid_query: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  already_exists: 409,
  version_conflict: 409,
  archived: 409,
  segment_in_use: 409,
  last_admin_token: 409,
  plan_finished: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  precondition_required: 428,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
};

export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: ContentfulStatusCode;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.status = STATUS[code];
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

export const notFound = (what: string) => new ApiError('not_found', `${what} does not exist`);

export function validationFailed(issues: Issue[], message?: string): ApiError {
  const first = issues[0];
  const summary = first ? `${first.path ? `${first.path}: ` : ''}${first.message}` : 'invalid request';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return new ApiError('validation_failed', message ?? `${summary}${more}`, { issues });
}
