// The process's streams and environment, passed in rather than reached for, so the whole CLI runs in a test.
import { readFile } from 'node:fs/promises';
import { UsageError } from './errors.js';

export interface Writable {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface Io {
  stdout: Writable;
  stderr: Writable;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Record<string, string | undefined>;
  fetch: typeof fetch;
}

export function processIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, fetch };
}

/** Reads all of stdin (for `-f -` and `login` fed by a pipe). */
export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** A file named on the command line, or stdin for `-`; a missing file is a usage error, not a crash. */
export async function readInput(io: Io, path: string): Promise<string> {
  if (path === '-') return readAll(io.stdin);
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
}
