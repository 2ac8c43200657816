import { describe, expect, it } from 'vitest';
import { loadedFrom } from './loaded-from.js';

// The bundled answer is checked end to end: test/e2e/server-bundle.test.ts reads it from the log.
describe('loadedFrom', () => {
  it('says "modules" outside the bundle', () => {
    expect(loadedFrom()).toBe('modules');
  });
});
