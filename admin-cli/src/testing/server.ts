// The whole CLI in-process against a real server process (test/helpers/server.ts starts `server/dist`; build
// it first with `npx tsc -b`). The CLI still only speaks HTTP to it: nothing here imports the server.
import { startServer, type RunningServer, type StartServerOptions } from '../../../test/helpers/server.js';
import { run } from '../cli.js';
import { fakeIo, type FakeIoOptions } from './fake-io.js';

export interface CliRun {
  code: number;
  out: string;
  err: string;
  requests: ReturnType<typeof fakeIo>['requests'];
}

export interface ServerCliOptions extends Omit<FakeIoOptions, 'respond'> {
  /** Runs before each request of the CLI reaches the server: the place for "someone else" to edit meanwhile. */
  beforeRequest?: (method: string, url: URL) => Promise<void>;
}

export interface ServerCli {
  server: RunningServer;
  /** Runs one command line against the server, with its URL and admin token in the environment. */
  cli(args: string[], options?: ServerCliOptions): Promise<CliRun>;
  stop(): Promise<void>;
}

export async function startServerCli(options?: StartServerOptions): Promise<ServerCli> {
  const server = await startServer(options);
  return {
    server,
    async cli(args, { beforeRequest, ...options } = {}) {
      const io = fakeIo({
        ...options,
        env: { FLAGSTAFF_URL: server.url, FLAGSTAFF_TOKEN: server.adminToken, ...options.env },
        respond: async (method, url, init) => {
          await beforeRequest?.(method, url);
          return fetch(url, init);
        },
      });
      const code = await run(args, io);
      return { code, out: io.out(), err: io.err(), requests: io.requests };
    },
    stop: () => server.stop(),
  };
}
