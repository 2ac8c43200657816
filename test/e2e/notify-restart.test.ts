// kill -9 between commit and delivery (docs/notifications.md, "Delivery"): the change is committed and its
// outbox row claimed, the request in flight to a receiver that has not answered — then the process dies.
// Restarted on the same file, the server delivers the message, once, with the same webhook-id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, until, type RunningServer } from '../helpers/server.js';
import { startReceiver, type Receiver } from '../../server/src/testing/receiver.js';

let server: RunningServer;
let receiver: Receiver;

beforeAll(async () => {
  // The first request is never answered: it is in flight when the process is killed.
  receiver = await startReceiver((n) => (n === 0 ? 'hang' : { status: 200 }));
  server = await startServer({ env: { FLAGSTAFF_NOTIFY_ALLOW_PRIVATE: '1', FLAGSTAFF_NOTIFY_TIMEOUT_MS: '1000' } });
});
afterAll(async () => {
  await server?.stop();
  await receiver?.close();
});

describe('notifications across a kill -9', () => {
  it('delivers a committed change after a restart, exactly once', async () => {
    expect((await server.api('POST', '/api/v1/flags', { key: 'checkout' })).status).toBe(201);
    const sub = (
      await server.api('POST', '/api/v1/environments/production/notifications', {
        target: 'webhook',
        url: receiver.url,
        events: ['change'],
      })
    ).body;
    expect((await server.api('PATCH', '/api/v1/flags/checkout/environments/production', { on: true })).status).toBe(200);
    const [inFlight] = await receiver.waitFor(1);
    await server.kill();
    await server.restart();
    const [, delivered] = await receiver.waitFor(2);
    expect(delivered!.headers['webhook-id']).toBe(inFlight!.headers['webhook-id']);
    const log = await until(async () => {
      const { deliveries } = (await server.api('GET', `/api/v1/environments/production/notifications/${sub.id}/deliveries`)).body;
      return deliveries[0]?.state === 'delivered' ? deliveries : undefined;
    });
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ state: 'delivered', lastStatus: 200, attempts: 1 });
    // Nothing more arrives: the row is done, on this instance and any other.
    await new Promise((resolve) => setTimeout(resolve, 3500));
    expect(receiver.received).toHaveLength(2);
  });
});
