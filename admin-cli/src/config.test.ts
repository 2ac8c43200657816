import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configPath, readLogin, removeLogin, resolveConnection, writeLogin } from './config.js';
import { UsageError } from './errors.js';

describe('configPath', () => {
  it('uses XDG_CONFIG_HOME when set, else ~/.config', () => {
    expect(configPath({ XDG_CONFIG_HOME: '/x', HOME: '/h' })).toBe('/x/flagstaff/config.json');
    expect(configPath({ XDG_CONFIG_HOME: '', HOME: '/h' })).toBe('/h/.config/flagstaff/config.json');
  });
});

describe('the login file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flagstaff-config-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('is written with mode 0600 and read back', async () => {
    const path = join(dir, 'flagstaff', 'config.json');
    await writeLogin(path, { url: 'http://flags:8420', token: 'fsa_secret' });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readLogin(path)).toEqual({ url: 'http://flags:8420', token: 'fsa_secret' });
  });

  it('tightens a file that was readable by others', async () => {
    const path = join(dir, 'config.json');
    await writeFile(path, '{}', { mode: 0o644 });
    await writeLogin(path, { url: 'http://flags:8420', token: 'fsa_secret' });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('is absent before login and after logout', async () => {
    const path = join(dir, 'config.json');
    expect(await readLogin(path)).toBeUndefined();
    await writeLogin(path, { url: 'http://flags:8420', token: 'fsa_secret' });
    expect(await removeLogin(path)).toBe(true);
    expect(await removeLogin(path)).toBe(false);
    await expect(readFile(path)).rejects.toThrow();
  });

  it('names itself when it is broken', async () => {
    const path = join(dir, 'config.json');
    await writeFile(path, 'not json');
    await expect(readLogin(path)).rejects.toThrow(`${path} is not valid JSON`);
  });
});

describe('resolveConnection', () => {
  const stored = { url: 'http://stored:8420', token: 'fsa_stored' };

  it('prefers flags, then the environment, then the login file', () => {
    const env = { FLAGSTAFF_URL: 'http://env:8420', FLAGSTAFF_TOKEN: 'fsa_env' };
    expect(resolveConnection({ url: 'http://flag:8420', token: 'fsa_flag' }, env, stored)).toEqual({
      url: 'http://flag:8420',
      token: 'fsa_flag',
    });
    expect(resolveConnection({}, env, stored)).toEqual({ url: 'http://env:8420', token: 'fsa_env' });
    expect(resolveConnection({}, {}, stored)).toEqual(stored);
    expect(resolveConnection({ token: 'fsa_flag' }, {}, undefined)).toEqual({ url: 'http://localhost:8420', token: 'fsa_flag' });
  });

  it('sends the stored token only to the stored server', () => {
    expect(resolveConnection({ url: 'http://stored:8420/' }, {}, stored).token).toBe('fsa_stored');
    expect(() => resolveConnection({ url: 'http://elsewhere:8420' }, {}, stored)).toThrow('no admin token for http://elsewhere:8420');
  });

  it('refuses what is not an http URL', () => {
    expect(() => resolveConnection({ url: 'flags.example.com', token: 't' }, {}, undefined)).toThrow(UsageError);
    expect(() => resolveConnection({ url: 'ftp://flags', token: 't' }, {}, undefined)).toThrow(/not an http/);
  });
});
