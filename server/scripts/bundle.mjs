#!/usr/bin/env node
// Bundles the compiled server (dist/main.js and everything it imports, dependencies included) into one
// file, dist/bundle/main.mjs, plus the manifest that bin/flagstaff-server.js checks before using it
// (src/bundle.ts; docs/decisions/002-server-bundle.md). Run after `tsc -b`; `npm run build` does both.
//
// better-sqlite3 stays outside: it is a native addon, loaded from node_modules as usual; so does recheck
// (src/client-patterns.ts), which finds its worker script and its binary beside its own files. Without esbuild
// (a production install without devDependencies) this does nothing, and the server runs from dist/.
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('../', import.meta.url));
const DIR = resolve(SERVER, 'dist/bundle');
const ENTRY = resolve(SERVER, 'dist/main.js');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.warn('flagstaff bundle: esbuild is not installed; the server will run from its modules (slower start).');
  process.exit(0);
}

const OPTIONS = {
  entryPoints: [ENTRY],
  outfile: resolve(DIR, 'main.mjs'),
  absWorkingDir: SERVER,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3', 'recheck'],
  define: { FLAGSTAFF_BUNDLED: 'true' },
  // CommonJS dependencies (ioredis) call require() for Node built-ins; an ES module has none of its own.
  banner: { js: "import { createRequire as __flagstaffRequire } from 'node:module'; const require = __flagstaffRequire(import.meta.url);" },
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
  write: false,
};

/**
 * [path relative to DIR, mtimeMs, size] of every file a build read: ours one by one, a dependency by its
 * package.json, which every install or upgrade rewrites (its hundreds of files would cost the start-up more
 * to check than they are worth).
 */
function inputsOf(result) {
  const packageOf = (path) => /^(.*\/node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1];
  const paths = Object.keys(result.metafile.inputs).map((path) => resolve(SERVER, path));
  return [...new Set(paths.map((path) => (packageOf(path) ? `${packageOf(path)}/package.json` : path)))].sort().map((path) => {
    const { mtimeMs, size } = statSync(path);
    return [relative(DIR, path), mtimeMs, size];
  });
}

/**
 * A build and the state of its inputs, consistent with each other: built twice, it must give the same
 * bytes from inputs that did not move in between. Otherwise a `tsc -b` was rewriting dist/ meanwhile, and
 * the manifest could call current a bundle that holds an input's old content.
 */
async function consistentBuild(attempts = 3) {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const first = await esbuild.build(OPTIONS);
    const inputs = inputsOf(first);
    const second = await esbuild.build(OPTIONS);
    const same = (a, b) => a.length === b.length && a.every((file, i) => Buffer.compare(file.contents, b[i].contents) === 0);
    if (same(first.outputFiles, second.outputFiles) && JSON.stringify(inputsOf(second)) === JSON.stringify(inputs)) {
      return { outputFiles: first.outputFiles, inputs, count: Object.keys(first.metafile.inputs).length };
    }
  }
  return undefined;
}

mkdirSync(DIR, { recursive: true });
// Any old manifest goes first: a bundle written below must never look current before its manifest is.
rmSync(resolve(DIR, 'manifest.json'), { force: true });
const built = await consistentBuild();
if (built === undefined) {
  console.warn('flagstaff bundle: the inputs kept changing while bundling; the server will run from its modules.');
  process.exit(0);
}
// Each file replaced by a rename, so that a server starting meanwhile reads the old one or the new one,
// never half of one.
for (const file of built.outputFiles) {
  writeFileSync(`${file.path}.tmp`, file.contents);
  renameSync(`${file.path}.tmp`, file.path);
}
const { mtimeMs, size } = statSync(resolve(DIR, 'main.mjs'));
const manifest = { bundle: 'main.mjs', files: [['main.mjs', mtimeMs, size], ...built.inputs] };
writeFileSync(resolve(DIR, 'manifest.json.tmp'), `${JSON.stringify(manifest)}\n`);
renameSync(resolve(DIR, 'manifest.json.tmp'), resolve(DIR, 'manifest.json'));
console.log(`flagstaff bundle: dist/bundle/main.mjs from ${built.count} files (${built.inputs.length} watched for changes)`);
