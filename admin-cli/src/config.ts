// Where the CLI finds its server and token: --url/--token, then FLAGSTAFF_URL/FLAGSTAFF_TOKEN, then the file
// `flagstaff login` wrote (mode 0600, since it holds an admin token).
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { UsageError } from './errors.js';

export const DEFAULT_URL = 'http://localhost:8420';

export interface StoredLogin {
  url: string;
  token: string;
}

export interface Connection {
  url: string;
  token: string;
}

type Env = Record<string, string | undefined>;

/** `$XDG_CONFIG_HOME/flagstaff/config.json`, else `~/.config/flagstaff/config.json` (the XDG default). */
export function configPath(env: Env): string {
  const base = env.XDG_CONFIG_HOME?.trim() ? env.XDG_CONFIG_HOME : join(env.HOME || homedir(), '.config');
  return join(base, 'flagstaff', 'config.json');
}

export async function readLogin(path: string): Promise<StoredLogin | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`${path} is not valid JSON`, 'run `flagstaff login` again to rewrite it');
  }
  const { url, token } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof url !== 'string' || typeof token !== 'string') {
    throw new UsageError(`${path} has no "url" and "token"`, 'run `flagstaff login` again to rewrite it');
  }
  return { url, token };
}

/** Writes the login with mode 0600: the file holds an admin token, which nobody else on the machine may read. */
export async function writeLogin(path: string, login: StoredLogin): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  // writeFile's mode only applies when it creates the file; an older, looser file is tightened here.
  await chmod(path, 0o600);
}

export async function removeLogin(path: string): Promise<boolean> {
  try {
    await rm(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

export function normaliseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`"${raw}" is not a URL`, 'use the server address, e.g. http://localhost:8420');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`"${raw}" is not an http(s) URL`);
  }
  return url.href.replace(/\/+$/, '');
}

/**
 * Flags beat the environment, which beats the login file, setting by setting. One exception keeps a token
 * from leaking to a server it was not issued for: the stored token is only sent to the stored URL.
 */
export function resolveConnection(flags: { url?: string; token?: string }, env: Env, stored: StoredLogin | undefined): Connection {
  const url = normaliseUrl(flags.url ?? nonEmpty(env.FLAGSTAFF_URL) ?? stored?.url ?? DEFAULT_URL);
  const storedToken = stored && normaliseUrl(stored.url) === url ? stored.token : undefined;
  const token = flags.token ?? nonEmpty(env.FLAGSTAFF_TOKEN) ?? storedToken;
  if (!token) {
    throw new UsageError(`no admin token for ${url}`, 'run `flagstaff login`, set FLAGSTAFF_TOKEN, or pass --token');
  }
  return { url, token };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value?.trim() ? value.trim() : undefined;
}
