// A tiny shop front that asks Flagstaff which checkout to show. Every request evaluates flags locally,
// in memory: no call to the Flagstaff server per request; changes arrive over the stream on their own.
//
//   FLAGSTAFF_URL=http://localhost:8420 FLAGSTAFF_SDK_KEY=fss_… node server.mjs
//   curl 'http://localhost:3000/?user=user-1&country=ZA'
import { createServer } from 'node:http';
import { consoleLogger, createClient } from '@flagstaff/node';

const flags = createClient({
  url: process.env.FLAGSTAFF_URL ?? 'http://localhost:8420',
  sdkKey: process.env.FLAGSTAFF_SDK_KEY,
  logger: consoleLogger('info'),
});

flags.on('change', ({ keys, version }) => console.log(`flags changed at version ${version}: ${keys.join(', ')}`));

// Start serving either way: until the flags arrive, every flag answers its default.
const status = await flags.ready({ timeoutMs: 2_000 });
console.log(`flags ${status.state} (version ${status.version ?? 'none'})`);

const app = createServer((req, res) => {
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
  const user = { key: query.get('user') ?? 'anonymous', country: query.get('country') ?? 'US' };

  if (req.url?.startsWith('/status')) {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(flags.status()));
    return;
  }
  const checkout = flags.isEnabled('new-checkout', user) ? 'the new checkout' : 'the old checkout';
  const banner = flags.variation('banner-text', user, 'Welcome');
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${banner}, ${user.key}: ${checkout}\n`);
});

const port = Number(process.env.PORT ?? 3000);
app.listen(port, () => console.log(`example app on http://localhost:${app.address().port}/?user=user-1&country=ZA`));

// Closing the client sends the last usage report, so the server knows these flags are still in use.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    app.close();
    void flags.close().then(() => process.exit(0));
  });
}
