// clause-inline.ts for browsers (core's package.json maps it here under the "browser" condition): nothing
// written out and one read site, so every clause takes operators.ts's compiled test, which gives the same answers.
import type { PreparedClause } from './prepare.js';

export const inlineClause = (_op: string, _values: readonly unknown[]): [kind: number, operand: unknown] => [0, null];

export const testValue = (clause: PreparedClause, value: unknown): boolean => clause.test!(value);

export const readSite = (_name: string): number => 0;

export const readAttribute = (context: object, name: string, _site: number): unknown => (context as Record<string, unknown>)[name];
