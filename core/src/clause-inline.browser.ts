// clause-inline.ts for browsers (core's package.json maps it here under the "browser" condition): nothing
// written out and one read site, so every clause takes operators.ts's compiled test, which gives the same
// answers; names are not internalized, and the context's key is checked to be own the one general way.
// Why it is written this way, and what must not be "tidied": docs/decisions/005-browser-twin-files.md.
import type { Context } from './model.js';
import type { PreparedClause } from './prepare.js';

export const inlineClause = (_op: string, _values: readonly unknown[]): [kind: number, operand: unknown] => [0, null];

export const testValue = (clause: PreparedClause, value: unknown): boolean => clause.test!(value);

export const readSite = (_name: string): number => 0;

export const readAttribute = (context: object, name: string, _site: number): unknown => (context as Record<string, unknown>)[name];

export const internName = (name: string): string => name;

/** The context's own `key`, when it is a string. */
export const ownKey = (context: object): string | undefined => {
  const key = (context as Context).key;
  return typeof key === 'string' && Object.hasOwn(context, 'key') ? key : undefined;
};
