// The format of Flagstaff's secrets: a recognisable prefix (so leaked ones can be found by scanners)
// and 192 random bits in base64url. They are random enough to be stored as a plain SHA-256 (REFERENCE.md).
import { createHash, randomBytes } from 'node:crypto';
import { KEY_PREFIX } from '@flagstaff/core';

export type SecretKind = keyof typeof KEY_PREFIX;

export function generateSecret(kind: SecretKind): string {
  return `${KEY_PREFIX[kind]}${randomBytes(24).toString('base64url')}`;
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** What the API shows instead of the secret: its prefix and last four characters. */
export function hintOf(secret: string): string {
  const prefix = Object.values(KEY_PREFIX).find((p) => secret.startsWith(p)) ?? '';
  return `${prefix}…${secret.slice(-4)}`;
}

/** The kind a secret claims by its prefix, or null. */
export function kindOf(secret: string): SecretKind | null {
  for (const [kind, prefix] of Object.entries(KEY_PREFIX)) if (secret.startsWith(prefix)) return kind as SecretKind;
  return null;
}

/** Short public ids for keys (`key_3f9a…`): safe to log, to show, and to put in URLs. */
export const newKeyId = () => `key_${randomBytes(6).toString('hex')}`;
