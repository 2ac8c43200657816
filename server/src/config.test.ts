// The configuration: one object from the environment (and --relay), validated at once, read in one place,
// documented in one table.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, loadConfig, STREAM_DEFAULTS } from './config.js';

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

describe('the stream settings', () => {
  it('are part of the one Config, with the documented defaults', () => {
    expect(loadConfig({}).stream).toEqual(STREAM_DEFAULTS);
    expect(
      loadConfig({ FLAGSTAFF_HEARTBEAT_MS: '2000', FLAGSTAFF_STREAM_RETRY_MS: '500', FLAGSTAFF_STREAM_MAX_CLIENTS: '7' }).stream,
    ).toEqual({
      ...STREAM_DEFAULTS,
      heartbeatMs: 2000,
      retryMs: 500,
      maxConnections: 7,
    });
  });

  it('are validated with the rest, every bad variable named at once', () => {
    expect(() => loadConfig({ FLAGSTAFF_PORT: 'eighty', FLAGSTAFF_STREAM_GAP_MS: '1', FLAGSTAFF_STREAM_LOG_SIZE: 'many' })).toThrow(
      new ConfigError(
        'invalid configuration:\n' +
          '  - FLAGSTAFF_PORT must be an integer from 0 to 65535, not "eighty"\n' +
          '  - FLAGSTAFF_STREAM_LOG_SIZE must be an integer from 1 to 1000000, not "many"\n' +
          '  - FLAGSTAFF_STREAM_GAP_MS must be an integer from 10 to 600000, not "1"',
      ),
    );
  });
});

describe('--relay', () => {
  it('is FLAGSTAFF_ROLE=relay, and needs REDIS_URL like it', () => {
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }, { relay: true }).role).toBe('relay');
    expect(() => loadConfig({}, { relay: true })).toThrow('FLAGSTAFF_ROLE=relay (--relay) needs REDIS_URL');
  });
});

describe('where configuration comes from', () => {
  const SRC = fileURLToPath(new URL('.', import.meta.url));

  it('is read from process.env by main.ts alone, and passed down from there', () => {
    const readers = readdirSync(SRC, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
      .filter((file) =>
        readFileSync(join(SRC, file), 'utf8')
          .split('\n')
          .some((line) => !/^\s*(\/\/|\*)/.test(line) && /\bprocess\.env\b/.test(line)),
      );
    expect(readers).toEqual(['main.ts']);
  });

  it('is documented variable by variable in docs/operations.md, one table', () => {
    const doc = readFileSync(join(SRC, '../../docs/operations.md'), 'utf8');
    const section = doc.slice(doc.indexOf('\n## Configuration\n'), doc.indexOf('\n## ', doc.indexOf('\n## Configuration\n') + 1));
    const documented = [...section.matchAll(/^\| `([A-Z_]+)` +\|/gm)].map((m) => m[1]);
    expect(documented).toEqual(CONFIG_VARIABLES.map(([name]) => name));
  });
});
