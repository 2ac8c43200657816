// Request bodies: JSON only (415 otherwise), no larger than the configured limit (413), nested no deeper
// than MAX_BODY_DEPTH (400), parsed (400 invalid_json) and validated into typed values (400
// validation_failed) before any route logic runs.
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { z } from 'zod';
import { issuesOf } from '@flagstaff/core';
import { ApiError, validationFailed } from '../errors.js';

/**
 * Arrays and objects nested deeper than this are refused before parsing: validation walks values
 * recursively, and 5,000 levels overflowed its stack (a 500). Core refuses JSON values nested past 64
 * (schema.ts), and no body holds one deeper than a handful of levels below its top.
 */
export const MAX_BODY_DEPTH = 100;

/** Whether JSON text nests arrays and objects deeper than `limit`: one pass over the text, no parsing. */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c)
        i++; // a backslash escapes the next character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x7b || ch === 0x5b) {
      if (++depth > limit) return true;
    } else if (ch === 0x7d || ch === 0x5d) depth--;
  }
  return false;
}

export const TOO_DEEP = `the body nests arrays and objects deeper than ${MAX_BODY_DEPTH} levels`;

/** The 413 message, naming the setting an operator would change. */
export const tooLarge = (maxBytes: number) =>
  `request bodies are limited to ${maxBytes} bytes (the server's FLAGSTAFF_BODY_LIMIT sets this)`;

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

// Headers first: touching `c.req.raw.body` makes @hono/node-server build a full Request (AbortController,
// Headers, URL), which a long-lived SSE stream would then hold for its whole life (~2 KiB per connection).
const hasBody = (c: Context) =>
  (c.req.header('Transfer-Encoding') !== undefined || Number(c.req.header('Content-Length') ?? 0) > 0) && c.req.raw.body !== null;

/** Refuses oversized and non-JSON bodies before anything reads them. */
export function jsonBodies(maxBytes: number): MiddlewareHandler {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ApiError('payload_too_large', tooLarge(maxBytes));
    },
  });
  return async (c, next) => {
    if (!hasBody(c)) return next();
    const declared = Number(c.req.header('Content-Length') ?? 0);
    if (declared > maxBytes) throw new ApiError('payload_too_large', tooLarge(maxBytes));
    const type = c.req.header('Content-Type');
    if (!type || !JSON_TYPE.test(type)) {
      throw new ApiError('unsupported_media_type', `send JSON with Content-Type: application/json${type ? `, not ${type}` : ''}`);
    }
    return limit(c, next);
  };
}

/** The parsed JSON body, or undefined when there is none. */
export async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return undefined;
  if (nestsDeeperThan(text, MAX_BODY_DEPTH)) throw validationFailed([{ path: '', message: TOO_DEEP }]);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError('invalid_json', `the body is not valid JSON: ${(error as Error).message}`);
  }
}

/** `schema`'s typed value of `input`, or a validation_failed listing every problem by path. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  if (input === undefined) throw validationFailed([{ path: '', message: 'a JSON body is required' }]);
  const result = schema.safeParse(input);
  if (!result.success) throw validationFailed(issuesOf(result.error));
  return result.data;
}

/** readJson + parseWith. */
export async function readBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  return parseWith(schema, await readJson(c));
}
