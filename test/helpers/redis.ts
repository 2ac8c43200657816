// A private redis-server per test file: its own free port, no persistence (so `restart()` comes back
// empty, like a Redis that lost its data), and never the shared instance on 6379.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';

export interface RedisProcess {
  url: string;
  port: number;
  /** Stops the server; resolves once the process has exited. */
  stop(): Promise<void>;
  /** Stops and starts again on the same port, empty. */
  restart(): Promise<void>;
  /** Starts it again after `stop()`, on the same port, empty. */
  start(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Whether a redis-server binary is on the PATH. */
export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Null when tests needing Redis may run. In CI a missing redis-server fails loudly (.ci/run installs it);
 * on a developer machine without one, the reason is printed and the caller skips.
 */
export function requireRedis(): string | null {
  if (redisServerAvailable()) return null;
  const reason = 'redis-server is not on the PATH (apt-get install redis-server)';
  if (process.env.CI) throw new Error(`${reason}: CI must run the Redis tests`);
  console.warn(`skipping Redis tests: ${reason}`);
  return reason;
}

function waitForPort(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`redis-server exited with ${child.exitCode}`));
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.end();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`redis-server did not listen on ${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 20);
      });
    };
    attempt();
  });
}

export async function startRedis(): Promise<RedisProcess> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  let log = '';

  const start = async () => {
    log = '';
    const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout!.on('data', (chunk) => (log += chunk));
    proc.stderr!.on('data', (chunk) => (log += chunk));
    child = proc;
    try {
      await waitForPort(port, proc);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${log}`);
    }
  };

  const stop = async () => {
    const proc = child;
    child = null;
    if (proc === null || proc.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGKILL');
    await exited;
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    start,
    restart: async () => {
      await stop();
      await start();
    },
  };
}
