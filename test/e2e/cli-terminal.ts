// Runs the real `flagstaff` binary on a pseudo-terminal, for what only happens when a person is at the
// keyboard: the production confirmation, the token prompt that does not echo, colours. util-linux `script`
// provides the terminal (Debian's bsdutils, which every Debian system has): `-q` no banner, `-f` flush as
// output comes so a test can wait for a prompt, `-e` exit with the command's code, `/dev/null` no log file.
import { type ChildProcess, spawn } from 'node:child_process';
import { assertBuilt, baseEnv, CLI } from './cli-harness.js';

export interface TerminalSession {
  /** Resolves when the screen so far matches; rejects if the command exits first or after timeoutMs. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Keys typed at the terminal; "\r" is Enter. */
  type(keys: string): void;
  /** The exit code and everything the terminal showed (stdout and stderr interleaved, typed keys echoed). */
  done: Promise<{ code: number | null; screen: string }>;
}

export type Terminal = (args: string[], options?: { env?: Record<string, string> }) => TerminalSession;

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

/** Like cliIn (cli-harness.ts), but stdin, stdout and stderr are one terminal. */
export function terminalIn(home: string, base: Record<string, string> = {}): Terminal {
  assertBuilt();
  return (args, options = {}) => {
    const command = [process.execPath, CLI, ...args].map(quote).join(' ');
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: { ...baseEnv(home), SHELL: '/bin/sh', ...base, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    live.add(child);
    let screen = '';
    let exited = false;
    const watchers = new Set<() => void>();
    const notify = () => watchers.forEach((watch) => watch());

    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      // The terminal turns every "\n" into "\r\n"; tests match plain lines.
      screen += chunk.replaceAll('\r\n', '\n');
      notify();
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (screen += `[script] ${chunk}`));

    const done = new Promise<{ code: number | null; screen: string }>((resolve, reject) => {
      child.on('error', (error) => reject(new Error(`cannot start \`script\` (util-linux) for a pseudo-terminal: ${error.message}`)));
      child.on('close', (code) => {
        exited = true;
        live.delete(child);
        notify();
        resolve({ code, screen });
      });
    });
    // stdin stays open while the command runs: closing it would hang up the terminal under the command.
    void done.finally(() => child.stdin.end()).catch(() => undefined);

    const waitFor = (pattern: RegExp, timeoutMs = 10_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`no ${pattern} on the terminal after ${timeoutMs} ms:\n${screen}`)), timeoutMs);
        const finish = (error?: Error) => {
          clearTimeout(timer);
          watchers.delete(check);
          if (error) reject(error);
          else resolve();
        };
        const check = () => {
          if (pattern.test(screen)) finish();
          else if (exited) finish(new Error(`the command exited without showing ${pattern}:\n${screen}`));
        };
        watchers.add(check);
        check();
      });

    return { waitFor, type: (keys) => child.stdin.write(keys), done };
  };
}
