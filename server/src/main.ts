#!/usr/bin/env node
// `flagstaff-server` / `npm start`: loads the server from its bundle when that is current, else from
// the plain modules (bundle.ts says why), then runs cli.ts. FLAGSTAFF_NO_BUNDLE=1 forces the modules.
import { pathToFileURL } from 'node:url';
import { freshBundle } from './bundle.js';

const bundle = process.env.FLAGSTAFF_NO_BUNDLE === '1' ? undefined : freshBundle();
if (bundle === undefined) {
  await import('./cli.js');
} else {
  try {
    await import(pathToFileURL(bundle).href);
  } catch (error) {
    // Only loading can fail here (cli.ts handles its own errors): the modules are as good, if slower.
    process.stderr.write(`flagstaff-server: the bundle failed to load (${(error as Error).message}); loading the modules\n`);
    await import('./cli.js');
  }
}
