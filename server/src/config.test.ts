import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'flagstaff-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('FLAGSTAFF_DB', () => {
  it('names the SQLite file, resolved from the working directory', () => {
    expect(loadConfig({ FLAGSTAFF_DB: join(dir, 'flags.db') }).dbPath).toBe(join(dir, 'flags.db'));
    expect(loadConfig({}).dbPath).toBe(join(process.cwd(), 'data', 'flagstaff.db'));
  });

  it.each([
    ['ends in "/"', 'data/', 'data/flagstaff.db'],
    ['ends in "\\\\"', 'data\\', 'data/flagstaff.db'],
    ['is a folder that exists', dir, join(dir, 'flagstaff.db')],
  ])('is refused when it %s, suggesting a file inside', (_, value, suggestion) => {
    expect(() => loadConfig({ FLAGSTAFF_DB: value })).toThrow(
      `FLAGSTAFF_DB names the database file, not a folder: "${value}" is a folder; use e.g. "${suggestion}"`,
    );
  });
});
