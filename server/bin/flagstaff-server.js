#!/usr/bin/env node
// The `flagstaff-server` command (and `npm start`): picks which build of the server to load, then that
// build's main.js runs it. The bundle (dist/bundle/main.mjs, one file) while it is current, else the plain
// modules (dist/main.js): loading ~400 modules one by one costs over half the start-up budget, and a stale
// bundle must never run (src/bundle.ts, docs/decisions/002-server-bundle.md). FLAGSTAFF_NO_BUNDLE=1 forces
// the modules; it is read here because the choice is made before any of the server is loaded.
//
// A committed file rather than a file in dist/ because npm links a workspace's bins before the root
// `prepare` script has built dist/, and silently skips a bin whose file does not exist yet: pointing at
// dist/ would leave `npx flagstaff-server` missing after a fresh install.
import { pathToFileURL } from 'node:url';

const picker = new URL('../dist/bundle.js', import.meta.url);
const modules = new URL('../dist/main.js', import.meta.url);

async function load() {
  let freshBundle;
  try {
    ({ freshBundle } = await import(picker.href));
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || error.url !== picker.href) throw error;
    process.stderr.write('flagstaff-server: the server is not built yet; run `npm run build` in the Flagstaff checkout\n');
    process.exitCode = 2;
    return;
  }
  const bundle = process.env.FLAGSTAFF_NO_BUNDLE === '1' ? undefined : freshBundle();
  if (bundle === undefined) {
    await import(modules.href);
    return;
  }
  try {
    await import(pathToFileURL(bundle).href);
  } catch (error) {
    // Only loading can fail here (main.ts handles its own errors): the modules are as good, if slower.
    process.stderr.write(`flagstaff-server: the bundle failed to load (${error?.message}); loading the modules\n`);
    await import(modules.href);
  }
}

await load();
