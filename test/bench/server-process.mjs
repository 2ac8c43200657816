// Starts the `flagstaff-server` command (server/bin/flagstaff-server.js) for a benchmark on a fresh SQLite file under `dir`, with the given admin
// token, and resolves once it listens. Not a *.bench.mjs: run.mjs does not run it on its own.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SERVER_MAIN = fileURLToPath(new URL('../../server/bin/flagstaff-server.js', import.meta.url));

/**
 * `env` adds to (and overrides) the server's settings; `nodeArgs` go before the script. With
 * `raiseFileLimit`, the server runs under the hard limit of open files (every stream is a socket).
 * The result's `stderr()` is everything the server wrote there so far.
 */
export async function startBenchServer({ dir, token, env = {}, nodeArgs = [], raiseFileLimit = false }) {
  const serverEnv = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('FLAGSTAFF_') && k !== 'REDIS_URL')),
    FLAGSTAFF_PORT: '0',
    FLAGSTAFF_DB: join(dir, 'flagstaff.db'),
    FLAGSTAFF_ADMIN_TOKEN: token,
    FLAGSTAFF_LOG_LEVEL: 'warn',
    FLAGSTAFF_RATE_LIMIT: '0',
    ...env,
  };
  const command = raiseFileLimit
    ? ['sh', ['-c', 'ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"', process.execPath, ...nodeArgs, SERVER_MAIN]]
    : [process.execPath, [...nodeArgs, SERVER_MAIN]];
  const proc = spawn(command[0], command[1], { env: serverEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stderr.setEncoding('utf8').on('data', (chunk) => (err += chunk));
  const port = await new Promise((resolve, reject) => {
    const exited = (code) => reject(new Error(`the server exited with ${code}:\n${out}${err}`));
    proc.once('exit', exited);
    proc.stdout.setEncoding('utf8').on('data', (chunk) => {
      out += chunk;
      const listening = /"msg":"listening".*?"port":(\d+)/.exec(out);
      if (listening) {
        proc.off('exit', exited);
        resolve(Number(listening[1]));
      }
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    proc,
    stderr: () => err,
    async stop() {
      if (proc.exitCode !== null) return;
      proc.kill('SIGTERM');
      await new Promise((resolve) => proc.once('exit', resolve));
    },
  };
}
