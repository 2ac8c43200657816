// How an operator gets the `flagstaff` command: `npm install` in the checkout links it as
// node_modules/.bin/flagstaff (so `npx flagstaff` works), to a committed loader for the compiled CLI.
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CLI, tempHome } from './cli-harness.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

describe('the flagstaff binary', () => {
  it('is declared as a committed file, not one under dist/ (npm skips linking a bin that is not built yet)', async () => {
    const pkg = JSON.parse(await readFile(join(REPO, 'admin-cli/package.json'), 'utf8')) as {
      bin: Record<string, string>;
      files: string[];
    };
    expect(join(REPO, 'admin-cli', pkg.bin.flagstaff!)).toBe(CLI);
    expect(pkg.files).toContain('bin');
  });

  it('is linked into node_modules/.bin by npm install and prints the package version', async () => {
    const linked = join(REPO, 'node_modules/.bin/flagstaff');
    expect(await realpath(linked)).toBe(await realpath(CLI));
    const { version } = JSON.parse(await readFile(join(REPO, 'admin-cli/package.json'), 'utf8')) as { version: string };
    // Run through the link itself, as a shell does: this needs the shebang and the executable bit.
    const { stdout } = await run(linked, ['--version']);
    expect(stdout.trim()).toBe(version);
  });

  it('says how to build the CLI, with exit 2, when dist/ is missing', async () => {
    const unbuilt = await tempHome();
    try {
      // A package like admin-cli (ESM), with the loader but without dist/.
      await mkdir(join(unbuilt.home, 'bin'));
      await writeFile(join(unbuilt.home, 'package.json'), '{ "type": "module" }\n');
      const loader = join(unbuilt.home, 'bin/flagstaff.js');
      await copyFile(CLI, loader);
      const failure = await run(process.execPath, [loader, '--version']).catch((error: { code: number; stderr: string }) => error);
      expect(failure).toMatchObject({ code: 2, stderr: expect.stringContaining('run `npm run build`') });
    } finally {
      await unbuilt.remove();
    }
  });
});
