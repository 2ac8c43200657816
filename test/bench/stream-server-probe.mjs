// Loaded into a server process with `NODE_OPTIONS="--expose-gc --import=<this file>"`, so that a benchmark or a
// test can look inside the real server without the server exposing anything for it: on SIGUSR2 it collects
// garbage (when --expose-gc is on) and prints one line to stderr,
//   flagstaff-probe {"rss":…,"heapUsed":…,"cpuMicros":…,"timers":3,"resources":{"TCPSocketWrap":7,…}}
// `resources` counts what keeps the event loop alive (process.getActiveResourcesInfo(), which leaves out
// unref'd timers); `timers` counts every pending setTimeout/setInterval, unref'd ones included.
export const PROBE_PREFIX = 'flagstaff-probe ';

const pending = new Set();
const {
  setTimeout: nativeSetTimeout,
  setInterval: nativeSetInterval,
  clearTimeout: nativeClearTimeout,
  clearInterval: nativeClearInterval,
} = globalThis;

globalThis.setTimeout = function setTimeout(callback, ...rest) {
  const timer = nativeSetTimeout(
    function fire(...args) {
      pending.delete(timer);
      return callback.apply(this, args);
    },
    ...rest,
  );
  pending.add(timer);
  return timer;
};
globalThis.setInterval = function setInterval(...args) {
  const timer = nativeSetInterval(...args);
  pending.add(timer);
  return timer;
};
globalThis.clearTimeout = function clearTimeout(timer) {
  pending.delete(timer);
  return nativeClearTimeout(timer);
};
globalThis.clearInterval = function clearInterval(timer) {
  pending.delete(timer);
  return nativeClearInterval(timer);
};

process.on('SIGUSR2', () => {
  // Two passes: the first can leave finalizers' garbage behind for the second.
  globalThis.gc?.();
  globalThis.gc?.();
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  const { user, system } = process.cpuUsage();
  const resources = {};
  for (const name of process.getActiveResourcesInfo()) resources[name] = (resources[name] ?? 0) + 1;
  process.stderr.write(
    `${PROBE_PREFIX}${JSON.stringify({ rss, heapUsed, external, arrayBuffers, cpuMicros: user + system, timers: pending.size, resources })}\n`,
  );
});
