import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshBundle, type BundleManifest } from './bundle.js';

let dir: string;

const manifestOf = (files: string[]): BundleManifest => ({
  bundle: 'main.mjs',
  files: files.map((name) => {
    const { mtimeMs, size } = statSync(join(dir, name));
    return [name, mtimeMs, size];
  }),
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flagstaff-bundle-'));
  for (const name of ['main.mjs', 'input-a.js', 'input-b.js']) writeFileSync(join(dir, name), `// ${name}\n`);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifestOf(['main.mjs', 'input-a.js', 'input-b.js'])));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('freshBundle', () => {
  it('returns the bundle while every file is as the manifest recorded it', () => {
    expect(freshBundle(join(dir, 'manifest.json'))).toBe(join(dir, 'main.mjs'));
  });

  it.each([
    ['an input was rebuilt (newer mtime)', () => utimesSync(join(dir, 'input-a.js'), new Date(), new Date(Date.now() + 5000))],
    ['an input changed size', () => writeFileSync(join(dir, 'input-b.js'), '// longer than before\n')],
    ['an input is gone', () => rmSync(join(dir, 'input-a.js'))],
    ['the bundle itself was replaced', () => writeFileSync(join(dir, 'main.mjs'), '// another bundle\n')],
    ['there is no manifest', () => rmSync(join(dir, 'manifest.json'))],
    ['the manifest is not JSON', () => writeFileSync(join(dir, 'manifest.json'), '{')],
  ])('returns undefined (use the plain modules) when %s', (_case, change) => {
    change();
    expect(freshBundle(join(dir, 'manifest.json'))).toBeUndefined();
  });
});
