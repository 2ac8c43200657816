// An in-memory Io for unit tests: captured stdout/stderr, a scripted stdin, and a fetch that is either
// scripted or fails the test when a command should not have touched the network.
import { PassThrough } from 'node:stream';
import type { Io } from '../io.js';

export interface FakeIo extends Io {
  out(): string;
  err(): string;
  requests: { method: string; url: string; headers: Record<string, string>; body?: unknown }[];
}

export interface FakeIoOptions {
  env?: Record<string, string | undefined>;
  /** Lines typed on stdin; stdin ends after them. */
  input?: string;
  stdinIsTTY?: boolean;
  stdoutIsTTY?: boolean;
  /** Answers every request; the third argument lets a test pass a request on to a real server. */
  respond?: (method: string, url: URL, init?: RequestInit) => Response | Promise<Response>;
}

export function fakeIo(options: FakeIoOptions = {}): FakeIo {
  let stdout = '';
  let stderr = '';
  const stdin = Object.assign(new PassThrough(), { isTTY: options.stdinIsTTY ?? false });
  stdin.end(options.input ?? '');
  const requests: FakeIo['requests'] = [];
  const fetchStub = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => (headers[name] = value));
    requests.push({
      method,
      url: url.href,
      headers,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    });
    if (!options.respond) throw new Error(`unexpected request ${method} ${url.href}`);
    return options.respond(method, url, init);
  }) as typeof fetch;
  return {
    stdout: { write: (text: string) => (stdout += text), isTTY: options.stdoutIsTTY ?? false },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    stdin,
    env: { HOME: '/nonexistent-home', XDG_CONFIG_HOME: '/nonexistent-config', ...options.env },
    fetch: fetchStub,
    out: () => stdout,
    err: () => stderr,
    requests,
  };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}
