// single-value.ts for browsers (core's package.json maps it here under the "browser" condition): no
// written-out tests, so every clause takes operators.ts's general form, which gives the same answers.
import type { ValueTest } from './operators.js';

export const singleValueTest = (_op: string, _operand: unknown): ValueTest | undefined => undefined;
