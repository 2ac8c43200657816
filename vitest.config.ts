import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./${pkg}/src/`, import.meta.url));

// Tests run against the TypeScript sources of every workspace package; child processes
// (a real server, the CLI binary) run the compiled dist/, which `pretest` builds.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@flagstaff\/core$/, replacement: `${src('core')}index.ts` },
      { find: /^@flagstaff\/core\/testing$/, replacement: `${src('core')}testing/index.ts` },
      { find: /^@flagstaff\/core\/(.*)$/, replacement: `${src('core')}$1.ts` },
      { find: /^@flagstaff\/node$/, replacement: `${src('sdk-node')}index.ts` },
      { find: /^@flagstaff\/node\/(.*)$/, replacement: `${src('sdk-node')}$1.ts` },
      { find: /^@flagstaff\/browser$/, replacement: `${src('sdk-browser')}index.ts` },
      { find: /^@flagstaff\/browser\/(.*)$/, replacement: `${src('sdk-browser')}$1.ts` },
    ],
  },
  test: {
    include: ['*/src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
