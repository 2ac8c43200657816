// Which way the server's dependencies may run (docs/architecture.md, STYLE.md "Feature folders own their
// rules"): store/ is SQL and transactions, so it never reaches up into the features built on it, and no two
// server folders lean on each other. `npm run lint:deps` checks it; .ci/run runs that before the tests.
// Tests are left out: a test may reach wherever it must to set a scene.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'store-is-sql-and-transactions',
      comment:
        'store/ holds SQL and transactions only: the features (alerts, rollout, stream, notify) and the routes build on ' +
        'it. A type or a rule the store needs from them belongs in the store (or core) instead.',
      severity: 'error',
      from: { path: '^server/src/store/' },
      to: { path: '^server/src/(alerts|rollout|stream|notify|routes)/' },
    },
    {
      name: 'no-cycle-between-server-folders',
      comment:
        'Dependencies between server folders run one way (route → feature → store), so each folder can be ' +
        'read, and changed, knowing only what it imports.',
      severity: 'error',
      scope: 'folder',
      from: { path: '^server/src' },
      to: { path: '^server/src', circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['\\.test\\.ts$', '/dist/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
  },
};
