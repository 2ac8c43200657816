// A store that disappears under a running server (its data directory deleted, or replaced by another) is
// noticed: /readyz answers 503 with the reason, writes are refused with 503 instead of landing in a file
// nobody will ever open again, an error is logged, and SDK streams keep serving the last state.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKey, startServer, type RunningServer } from '../helpers/server.js';
import { until } from '../helpers/sse.js';
import { watchStream, type StreamWatcher } from '../helpers/stream-client.js';

const ENV = 'production';

let server: RunningServer | undefined;
let watcher: StreamWatcher | undefined;
afterEach(async () => {
  watcher?.close();
  await server?.stop();
});

describe('the data directory disappearing under a running server', () => {
  // biome-ignore lint/suspicious/noConfusingVoidType: a case returns what undoes it, or nothing (rmSync's void)
  it.each<[string, (dir: string) => (() => void) | void]>([
    ['deleted', (dir) => rmSync(dir, { recursive: true, force: true })],
    [
      'replaced by another directory with another file of the same name',
      (dir) => {
        renameSync(dir, `${dir}-moved`);
        mkdirSync(dir);
        writeFileSync(`${dir}/flagstaff.db`, '');
        return () => rmSync(`${dir}-moved`, { recursive: true, force: true });
      },
    ],
  ])('%s: unready with the reason, writes refused with 503, an error logged, streams keep their state', async (_, disappear) => {
    server = await startServer({ env: { FLAGSTAFF_RATE_LIMIT: '0' } });
    expect((await server.api('POST', '/api/v1/flags', { key: 'checkout' })).status).toBe(201);
    expect((await server.api('PATCH', `/api/v1/flags/checkout/environments/${ENV}`, { on: true })).status).toBe(200);
    const { key } = await createKey(server, { kind: 'server', env: ENV });
    watcher = watchStream(server.url, key);
    await until(() => watcher!.state?.raw.flags.checkout?.on === true, 'the stream to hold the flag');
    const held = watcher.checksum();

    const cleanup = disappear(dirname(server.dbPath));
    try {
      const ready = await until(
        async () => {
          const res = await fetch(`${server!.url}/readyz`);
          return res.status === 503 ? ((await res.json()) as { error: { code: string; message: string } }) : null;
        },
        '/readyz to answer 503',
        2000,
      );
      expect(ready.error.code).toBe('unavailable');
      expect(ready.error.message).toContain(server.dbPath);
      expect(ready.error.message).toMatch(/deleted|replaced/);

      const write = await server.api('PATCH', `/api/v1/flags/checkout/environments/${ENV}`, { on: false });
      expect(write.status).toBe(503);
      expect(write.body.error.code).toBe('unavailable');
      expect(write.body.error.message).toMatch(/not saved/);
      expect((await server.api('POST', '/api/v1/flags', { key: 'lost' })).status).toBe(503);
      expect(server.logs().some((line) => line.level === 'error' && String(line.msg).includes(server!.dbPath))).toBe(true);

      // The streams keep what they had: no reset to an empty state, the flag still on, and new SDKs get it too.
      expect(watcher.events.filter((e) => e.type === 'put')).toHaveLength(1);
      expect(watcher.checksum()).toBe(held);
      const snapshot = await fetch(`${server.url}/sdk/v1/flags`, { headers: { Authorization: key } });
      expect(snapshot.status).toBe(200);
      expect(((await snapshot.json()) as { flags: Record<string, { on: boolean }> }).flags.checkout?.on).toBe(true);
    } finally {
      cleanup?.();
    }
  });
});
