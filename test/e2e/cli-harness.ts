// Runs the real `flagstaff` binary (admin-cli/bin/flagstaff.js, what npm links as `flagstaff`) as a child
// process, the way an operator's shell or a CI script does: no terminal on stdin, a private HOME, and only
// the environment given here. cli-terminal.ts runs it on a pseudo-terminal instead.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../admin-cli/bin/flagstaff.js', import.meta.url));
const BUILT = fileURLToPath(new URL('../../admin-cli/dist/main.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string>;
  /** Written to stdin, which then ends (stdin is a pipe, never a terminal). */
  input?: string;
}

export type Cli = (args: string[], options?: CliOptions) => Promise<CliResult>;

/** A CLI bound to a home directory of its own (the login file lives there) and a base environment. */
export function cliIn(home: string, base: Record<string, string> = {}): Cli {
  assertBuilt();
  return (args, options = {}) =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], {
        env: { ...baseEnv(home), ...base, ...options.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(options.input ?? '');
    });
}

export function assertBuilt(): void {
  if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: build it with \`npx tsc -b admin-cli\``);
}

/** The environment every run starts from: a private HOME, nothing inherited but PATH. */
export function baseEnv(home: string): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: join(home, '.config') };
}

export async function tempHome(): Promise<{ home: string; remove: () => Promise<void> }> {
  const home = await mkdtemp(join(tmpdir(), 'flagstaff-cli-home-'));
  return { home, remove: () => rm(home, { recursive: true, force: true }) };
}

/** A URL where nothing listens: a port the OS just handed out and took back. */
export async function deadUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return `http://127.0.0.1:${port}`;
}

export function parseJson<T>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
}
