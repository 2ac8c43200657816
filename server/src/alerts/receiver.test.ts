// The kill switch end to end inside one process: notifications in, flag states, audit entries and stream
// changes out.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { Rollouts } from '../rollout/plans.js';
import { alertmanagerBody, amAlert } from './testing/payloads.js';
import { admin, ENV, killFixture, type KillFixture } from './testing/store.js';

let fx: KillFixture;
const meta = { actor: admin };
const labels = (flag: string, extra: Record<string, string> = {}) => ({ alertname: 'HighErrorRate', flag, severity: 'page', ...extra });
const firing = (flag: string, extra?: Record<string, string>) =>
  amAlert({ status: 'firing', labels: labels(flag, extra), annotations: { runbook_url: 'https://runbooks/errors' } });
const resolved = (flag: string, extra?: Record<string, string>) => amAlert({ status: 'resolved', labels: labels(flag, extra) });
const state = (flag: string) => fx.store.flagStates.get(flag, ENV);
const audit = (action: string) => fx.store.audit.query({ action, limit: 50 }).entries;

beforeEach(() => {
  fx = killFixture();
  for (const key of ['new-checkout', 'search-v2', 'untouched']) {
    fx.store.flags.create({ key }, meta);
    fx.store.flagStates.patch(key, ENV, { on: true }, meta);
  }
});
afterEach(() => fx.close());

describe('a firing alert', () => {
  it('turns the flag its label names off, once, with one audit entry naming the alert', () => {
    fx.store.killRules.create(ENV, { alert: 'HighErrorRate', flagLabel: 'flag' }, meta);
    const am = fx.hook('alertmanager');
    const before = fx.changes.length;

    const receipt = am.send(alertmanagerBody([firing('new-checkout')]));

    expect(receipt.alerts[0]!.actions).toEqual([expect.objectContaining({ flag: 'new-checkout', outcome: 'off' })]);
    expect(state('new-checkout').on).toBe(false);
    expect(state('untouched').on).toBe(true);
    expect(fx.changes.slice(before).map((c) => [c.key, (c.value as { on: boolean }).on])).toEqual([['new-checkout', false]]);
    const [entry] = audit('flag_state.kill');
    expect(entry).toMatchObject({ actor: { kind: 'hook', id: am.id }, env: ENV, resource: { kind: 'flag', key: 'new-checkout' } });
    expect(entry!.reason).toContain('alertmanager alert "HighErrorRate" firing');
    expect(entry!.reason).toContain(`fingerprint ${firing('new-checkout').fingerprint}`);
    expect(entry!.reason).toContain('runbook: https://runbooks/errors');
  });

  it('changes nothing when delivered again (repeat_interval, HA pairs), even after a person turned the flag back on', () => {
    fx.store.killRules.create(ENV, { alert: 'HighErrorRate', flag: 'new-checkout' }, meta);
    const am = fx.hook('alertmanager');
    am.send(alertmanagerBody([firing('new-checkout')]));
    fx.store.flagStates.patch('new-checkout', ENV, { on: true }, meta);
    const version = state('new-checkout').version;

    const again = am.send(alertmanagerBody([firing('new-checkout')]));

    expect(again.alerts[0]).toMatchObject({ duplicate: true, actions: [] });
    expect(state('new-checkout')).toMatchObject({ on: true, version });
    expect(audit('flag_state.kill')).toHaveLength(1);
  });

  it('acts once per flag for a grouped notification of many alerts, and separately on each flag', () => {
    fx.store.killRules.create(ENV, { alert: 'HighErrorRate', flagLabel: 'flag' }, meta);
    const am = fx.hook('alertmanager');
    const receipt = am.send(
      alertmanagerBody([firing('new-checkout', { pod: 'a' }), firing('new-checkout', { pod: 'b' }), firing('search-v2', { pod: 'a' })]),
    );
    expect(receipt.alerts.map((a) => a.actions.map((x) => `${x.flag}:${x.outcome}`))).toEqual([
      ['new-checkout:off'],
      ['new-checkout:held'],
      ['search-v2:off'],
    ]);
    expect(
      audit('flag_state.kill')
        .map((e) => e.resource.key)
        .sort(),
    ).toEqual(['new-checkout', 'search-v2']);
  });

  it('answers a well-formed alert that matches no rule with a receipt and no change', () => {
    fx.store.killRules.create(ENV, { alert: 'HighErrorRate', flagLabel: 'flag' }, meta);
    const before = fx.changes.length;
    const receipt = fx
      .hook('alertmanager')
      .send(alertmanagerBody([amAlert({ status: 'firing', labels: { alertname: 'DiskFull', flag: 'new-checkout' } })]));
    expect(receipt).toMatchObject({ received: 1, alerts: [{ alert: 'DiskFull', actions: [], skipped: [] }] });
    expect(fx.changes.length).toBe(before);
  });

  it('honours label matchers and the rule’s environment', () => {
    fx.store.killRules.create(
      ENV,
      { alert: 'HighErrorRate', flagLabel: 'flag', matchers: [{ label: 'severity', op: '=~', value: 'page|critical' }] },
      meta,
    );
    const am = fx.hook('alertmanager');
    am.send(alertmanagerBody([firing('search-v2', { severity: 'ticket' })]));
    expect(state('search-v2').on).toBe(true);
    am.send(alertmanagerBody([firing('new-checkout', { severity: 'critical' })]));
    expect(state('new-checkout').on).toBe(false);
    expect(fx.store.flagStates.get('new-checkout', 'staging').on).toBe(false); // never on there: untouched
    expect(audit('flag_state.kill').every((e) => e.env === ENV)).toBe(true);
  });
});

describe('when the alert resolves', () => {
  it('keep (the default): the flag stays off, and the audit log says why', () => {
    fx.store.killRules.create(ENV, { alert: 'HighErrorRate', flag: 'new-checkout' }, meta);
    const am = fx.hook('alertmanager');
    am.send(alertmanagerBody([firing('new-checkout')]));
    const receipt = am.send(alertmanagerBody([resolved('new-checkout')]));
    expect(receipt.alerts[0]!.actions).toEqual([expect.objectContaining({ flag: 'new-checkout', outcome: 'kept' })]);
    expect(state('new-checkout').on).toBe(false);
    const [kept] = audit('kill.resolved');
    expect(kept!.reason).toMatch(/alertmanager alert "HighErrorRate" resolved .*: kept, onResolve is keep/);
    expect(kept!.after).toEqual(kept!.before);
  });

  it('restore: puts back exactly the state from before', () => {
    const rollout = { rollout: { bucketBy: 'key', weights: [75_000, 25_000] } };
    fx.store.flagStates.patch('new-checkout', ENV, { fallthrough: rollout }, meta);
    const original = state('new-checkout');
    fx.store.killRules.create(ENV, { alert: 'HighErrorRate', flag: 'new-checkout', onResolve: 'restore' }, meta);
    const am = fx.hook('alertmanager');
    am.send(alertmanagerBody([firing('new-checkout')]));
    expect(state('new-checkout').on).toBe(false);

    const receipt = am.send(alertmanagerBody([resolved('new-checkout')]));

    expect(receipt.alerts[0]!.actions[0]!.outcome).toBe('restored');
    const { version: _v, updatedAt: _u, ...restored } = state('new-checkout');
    const { version: _v0, updatedAt: _u0, ...expected } = original;
    expect(restored).toEqual(expected);
    expect(audit('flag_state.restore')).toHaveLength(1);
  });

  it('restore is refused after a person changed the flag: it stays as they left it, and the audit log says why', () => {
    fx.store.killRules.create(ENV, { alert: 'HighErrorRate', flag: 'new-checkout', onResolve: 'restore' }, meta);
    const am = fx.hook('alertmanager');
    am.send(alertmanagerBody([firing('new-checkout')]));
    fx.store.flagStates.patch('new-checkout', ENV, { fallthrough: { variation: 0 } }, meta);
    const manual = state('new-checkout');

    const receipt = am.send(alertmanagerBody([resolved('new-checkout')]));

    expect(receipt.alerts[0]!.actions[0]!.outcome).toBe('kept');
    expect(state('new-checkout')).toEqual(manual);
    expect(audit('kill.restore_refused')[0]!.reason).toMatch(/: kept, the flag was changed after the kill \(version \d+ → \d+\)/);
  });

  it('restore waits for the last of several alerts holding the flag', () => {
    fx.store.killRules.create(ENV, { alert: 'HighErrorRate', flagLabel: 'flag', onResolve: 'restore' }, meta);
    const am = fx.hook('alertmanager');
    am.send(alertmanagerBody([firing('new-checkout', { pod: 'a' }), firing('new-checkout', { pod: 'b' })]));
    am.send(alertmanagerBody([resolved('new-checkout', { pod: 'a' }), firing('new-checkout', { pod: 'b' })]));
    expect(state('new-checkout').on).toBe(false);
    am.send(alertmanagerBody([resolved('new-checkout', { pod: 'b' })]));
    expect(state('new-checkout').on).toBe(true);
  });

  it('a resolved notification never turns a flag off, and re-delivered it changes nothing', () => {
    fx.store.killRules.create(ENV, { alert: 'HighErrorRate', flag: 'new-checkout', onResolve: 'restore' }, meta);
    const am = fx.hook('alertmanager');
    am.send(alertmanagerBody([resolved('new-checkout')]));
    expect(state('new-checkout').on).toBe(true);
    am.send(alertmanagerBody([firing('new-checkout')]));
    am.send(alertmanagerBody([resolved('new-checkout')]));
    const restoredVersion = state('new-checkout').version;
    expect(am.send(alertmanagerBody([resolved('new-checkout')])).alerts[0]!.duplicate).toBe(true);
    expect(state('new-checkout')).toMatchObject({ on: true, version: restoredVersion });
  });
});

describe('alerts remembered', () => {
  const DAY = 24 * 60 * 60 * 1000;

  it('forgets a resolved alert after a week (a late resend is news that changes nothing), never a firing one', () => {
    const timed = killFixture({ storeOnFixtureClock: true });
    try {
      for (const key of ['new-checkout', 'search-v2']) {
        timed.store.flags.create({ key }, meta);
        timed.store.flagStates.patch(key, ENV, { on: true }, meta);
      }
      timed.store.killRules.create(ENV, { alert: 'HighErrorRate', flagLabel: 'flag' }, meta);
      const am = timed.hook('alertmanager');
      const send = (alert: ReturnType<typeof amAlert>) => am.send(alertmanagerBody([alert])).alerts[0]!;
      send(firing('new-checkout'));
      send(resolved('new-checkout'));
      send(firing('search-v2'));

      timed.now += DAY;
      expect(send(resolved('new-checkout')).duplicate).toBe(true);

      timed.now += 7 * DAY;
      const late = send(resolved('new-checkout'));
      expect(late).toMatchObject({ duplicate: false, actions: [] });
      // Still firing after eight days: its repeat is still a repeat, and its flag stays as a person leaves it.
      timed.store.flagStates.patch('search-v2', ENV, { on: true }, meta);
      expect(send(firing('search-v2'))).toMatchObject({ duplicate: true, actions: [] });
      expect(timed.store.flagStates.get('search-v2', ENV).on).toBe(true);
    } finally {
      timed.close();
    }
  });
});

describe('action rollback', () => {
  it('sets the rollout to 0% and aborts the flag’s rollout plan in the same write', () => {
    fx.store.flagStates.patch('new-checkout', ENV, { fallthrough: { variation: 0 } }, meta);
    const plan = new Rollouts(fx.store.rolloutPlans).create(
      { flag: 'new-checkout', env: ENV, steps: [10, 50, 100], holdSeconds: 3600 },
      meta,
    );
    expect(state('new-checkout').fallthrough).toEqual({ rollout: { bucketBy: 'key', weights: [90_000, 10_000] } });
    fx.store.killRules.create(ENV, { alert: 'HighErrorRate', flag: 'new-checkout', action: 'rollback' }, meta);

    const receipt = fx.hook('alertmanager').send(alertmanagerBody([firing('new-checkout')]));

    expect(receipt.alerts[0]!.actions[0]).toMatchObject({
      outcome: 'rolled_back',
      detail: expect.stringContaining(`rollout plan ${plan.id} aborted`),
    });
    expect(state('new-checkout')).toMatchObject({ on: true, fallthrough: { rollout: { weights: [100_000, 0] } } });
    expect(fx.store.rolloutPlans.get(plan.id).state).toBe('aborted');
    expect(audit('flag_state.rollback')).toHaveLength(1);
  });
});

describe('refused requests', () => {
  const before = () => ({ version: state('new-checkout').version, changes: fx.changes.length });

  it('a wrong secret is a 401, changes nothing, and is audited without the secret', () => {
    fx.store.killRules.create(ENV, { alert: 'HighErrorRate', flag: 'new-checkout' }, meta);
    const am = fx.hook('alertmanager');
    const was = before();
    const attempt = () =>
      fx.receiver.receive({
        provider: 'alertmanager',
        hookId: am.id,
        header: () => 'Bearer fsh_guess',
        body: JSON.stringify(alertmanagerBody([firing('new-checkout')])),
      });
    expect(attempt).toThrow(expect.objectContaining({ code: 'unauthorized' }));
    expect(before()).toEqual(was);
    const [rejected] = audit('hook.rejected');
    expect(rejected).toMatchObject({ env: ENV, resource: { kind: 'hook', key: am.id }, after: { status: 401, why: 'wrong hook secret' } });
    expect(JSON.stringify(rejected)).not.toContain('fsh_guess');
  });

  it.each([
    ['a hook of another provider', 'grafana', (id: string) => id],
    ['an unknown hook id', 'alertmanager', () => 'hook_000000000000'],
  ])('%s is a 401', (_, provider, id) => {
    const am = fx.hook('alertmanager');
    expect(() => fx.receiver.receive({ provider, hookId: id(am.id), header: () => `Bearer ${am.secret}`, body: '{"alerts":[]}' })).toThrow(
      expect.objectContaining({ code: 'unauthorized' }),
    );
  });

  it('a revoked hook is a 401', () => {
    const am = fx.hook('alertmanager');
    fx.store.hooks.revoke(ENV, am.id, meta);
    expect(() => am.send(alertmanagerBody([]))).toThrow(expect.objectContaining({ code: 'unauthorized' }));
  });

  it('a malformed payload from an authenticated sender is a 400 naming the problem, audited', () => {
    const am = fx.hook('alertmanager');
    let error: unknown;
    try {
      am.send({ alerts: [{ status: 'firing', labels: {} }] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, message: expect.stringContaining('alertname') });
    expect(audit('hook.rejected')[0]!.after).toMatchObject({ status: 400 });
  });

  it('the id-less URL finds a bearer hook by its secret', () => {
    fx.store.killRules.create(ENV, { alert: 'HighErrorRate', flag: 'new-checkout' }, meta);
    const am = fx.hook('alertmanager');
    const receipt = fx.receiver.receive({
      provider: 'alertmanager',
      header: () => `Bearer ${am.secret}`,
      body: JSON.stringify(alertmanagerBody([firing('new-checkout')])),
    });
    expect(receipt.hook).toBe(am.id);
    expect(state('new-checkout').on).toBe(false);
  });
});

describe('failures while applying', () => {
  it('a transient database failure is a 503, so the sender retries (and nothing half-done is kept)', () => {
    fx.store.killRules.create(ENV, { alert: 'HighErrorRate', flag: 'new-checkout' }, meta);
    const am = fx.hook('alertmanager');
    fx.store.alertEvents.record = () => {
      throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    };
    expect(() => am.send(alertmanagerBody([firing('new-checkout')]))).toThrow(
      expect.objectContaining({ status: 503, code: 'unavailable' }),
    );
  });

  it('a refused change is reported for its alert while the others still act', () => {
    fx.store.killRules.create(ENV, { alert: 'HighErrorRate', flagLabel: 'flag' }, meta);
    const am = fx.hook('alertmanager');
    const record = fx.store.alertEvents.record.bind(fx.store.alertEvents);
    fx.store.alertEvents.record = (input) => {
      if (input.alert.labels.flag === 'new-checkout') throw new ApiError('validation_failed', 'fallthrough: no such variation');
      return record(input);
    };
    const receipt = am.send(alertmanagerBody([firing('new-checkout'), firing('search-v2')]));
    expect(receipt.alerts.map((a) => [a.error ?? null, a.actions.map((x) => x.outcome)])).toEqual([
      ['fallthrough: no such variation', []],
      [null, ['off']],
    ]);
    expect(state('search-v2').on).toBe(false);
  });
});
