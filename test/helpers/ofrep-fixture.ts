// The flags OFREP is tested against, written once: the in-process route tests (server/src/routes/ofrep.test.ts)
// and the OpenFeature provider over a real socket (test/e2e/server-ofrep.test.ts) must see the same store.
type Call = (method: string, path: string, body?: unknown) => Promise<unknown>;

/** Creates new-checkout (a rule and a rollout), theme (client-side string), max-items, layout and an archived flag. */
export async function seedOfrepFlags(ok: Call): Promise<void> {
  await ok('POST', '/api/v1/flags', { key: 'new-checkout' });
  await ok('PATCH', '/api/v1/flags/new-checkout/environments/production', {
    on: true,
    rules: [{ id: 'africa', clauses: [{ attribute: 'country', op: 'in', values: ['ZA', 'KE'] }], serve: { variation: 1 } }],
    fallthrough: { rollout: { bucketBy: 'key', weights: [0, 100000] } },
  });
  await ok('POST', '/api/v1/flags', { key: 'theme', kind: 'string', variations: ['light', 'dark'], clientSide: true });
  await ok('PATCH', '/api/v1/flags/theme/environments/production', { on: true, fallthrough: { variation: 1 } });
  await ok('POST', '/api/v1/flags', { key: 'max-items', kind: 'number', variations: [10, 50] });
  await ok('PATCH', '/api/v1/flags/max-items/environments/production', { on: true, targets: [{ variation: 1, values: ['vip'] }] });
  await ok('POST', '/api/v1/flags', { key: 'layout', kind: 'json', variations: [{ cols: 1 }, { cols: 2 }] });
  await ok('POST', '/api/v1/flags', { key: 'retired' });
  await ok('POST', '/api/v1/flags/retired/archive');
}
