// The server's entry point, and the only module that reads process.env: the command line and the
// environment → one Config (config.ts), validated before anything opens → a running primary (start.ts) or
// relay (stream/relay-start.ts), stopped gracefully on SIGTERM or SIGINT (a second signal exits at once).
// Exit code 2 for a bad configuration, 1 for anything else that stops the start. `flagstaff-server` and
// `npm start` reach it through bin/flagstaff-server.js, which loads it from the bundle while that is current
// (docs/decisions/002-server-bundle.md); `node server/dist/main.js` runs it from the modules.
import { readFileSync } from 'node:fs';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from './config.js';
import { start } from './start.js';
import { MIGRATIONS_FOLDER } from './store/db.js';
import { startRelay } from './stream/relay-start.js';

const USAGE = `flagstaff-server — self-hosted feature flags

Usage: flagstaff-server [--relay] [--help] [--version]

  --relay   no database: serve the SDK endpoints from the state kept in Redis (FLAGSTAFF_ROLE=relay)

Configuration is by environment variables:
${CONFIG_VARIABLES.map(([name, meaning]) => `  ${name.padEnd(34)} ${meaning}`).join('\n')}
`;

async function main(args: string[]): Promise<void> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  if (args.includes('--version')) {
    // Found beside the migrations, which every layout (dist/ or the bundle) locates the same way.
    const pkg = JSON.parse(readFileSync(`${MIGRATIONS_FOLDER}../package.json`, 'utf8')) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return;
  }
  const unknown = args.filter((arg) => arg.startsWith('-') && arg !== '--relay');
  if (unknown.length > 0) throw new ConfigError(`unknown option ${unknown.join(', ')} (see --help)`);

  const config = loadConfig(process.env, { relay: args.includes('--relay') });
  const server = config.role === 'relay' ? await startRelay(config) : await start(config);
  let signals = 0;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      signals += 1;
      if (signals > 1) process.exit(1);
      void server.shutdown(signal).then(() => process.exit(0));
    });
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`flagstaff-server: ${message}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
