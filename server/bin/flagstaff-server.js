#!/usr/bin/env node
// The `flagstaff-server` command. A committed file rather than dist/main.js itself because npm links a
// workspace's bins before the root `prepare` script has built dist/, and silently skips a bin whose file
// does not exist yet: pointing at dist/ would leave `npx flagstaff-server` missing after a fresh install.
const main = new URL('../dist/main.js', import.meta.url);

try {
  await import(main.href);
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || error.url !== main.href) throw error;
  process.stderr.write('flagstaff-server: the server is not built yet; run `npm run build` in the Flagstaff checkout\n');
  process.exitCode = 2;
}
