// /hooks/v1/alerts/:provider[/:hookId] — where alerting systems deliver notifications (docs/alerts.md).
// Authorised by the hook's own secret, never by admin tokens. The raw body is read as text because an
// HMAC signature covers the exact bytes sent.
import { Hono, type Context } from 'hono';
import { AlertReceiver } from '../alerts/receiver.js';
import { STORE_ROLLOUT_PLANS, type RolloutPlans } from '../alerts/rollout-plans.js';
import type { AppDeps, AppEnv } from '../http/context.js';

export function hookRoutes({ store, log }: AppDeps, plans: RolloutPlans = STORE_ROLLOUT_PLANS): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const receiver = new AlertReceiver({ store, log, plans });

  const receive = async (c: Context<AppEnv>) => {
    const receipt = receiver.receive({
      provider: c.req.param('provider')!,
      hookId: c.req.param('hookId'),
      header: (name) => c.req.header(name),
      body: await c.req.text(),
    });
    return c.json(receipt, 200);
  };

  // Grafana's contact point may be set to PUT.
  for (const path of ['/:provider', '/:provider/:hookId']) {
    app.post(path, receive);
    app.put(path, receive);
  }
  return app;
}
