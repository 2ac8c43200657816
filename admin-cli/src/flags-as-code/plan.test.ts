import { describe, expect, it } from 'vitest';
import { adminFlag, flagState, segment } from '../testing/flags.js';
import { type FlagsDocument, toDocument } from './document.js';
import { planChanges, sameValue, type ServerState, summarise } from './plan.js';

const environments = ['development', 'production'];
const server = (fields: Partial<ServerState> = {}): ServerState => ({
  environments,
  flags: [
    adminFlag('checkout', {
      version: 3,
      description: 'one-page checkout',
      environments: {
        development: flagState({ version: 2, on: true }),
        production: flagState({ version: 7, on: true, fallthrough: { rollout: { bucketBy: 'key', weights: [75_000, 25_000] } } }),
      },
    }),
  ],
  segments: { production: [segment('beta', { version: 4, included: ['user-1'] })] },
  ...fields,
});

describe('planChanges', () => {
  it('finds nothing to do for a document exported from the same state', () => {
    const state = server();
    const plan = planChanges(toDocument(state.flags, state.segments, environments), state);
    expect(plan.problems).toEqual([]);
    expect(plan.steps.map((step) => step.action)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
    expect(summarise(plan)).toEqual({ create: 0, update: 0, unchanged: 4 });
  });

  it('lists the changed fields of an update with the version they were computed from', () => {
    const state = server();
    const document = toDocument(state.flags, state.segments, environments);
    document.flags.checkout!.description = 'new text';
    document.flags.checkout!.environments!.production!.fallthrough = { rollout: { bucketBy: 'key', weights: [50_000, 50_000] } };
    const plan = planChanges(document, state);
    const flag = plan.steps.find((step) => step.resource === 'flag')!;
    expect(flag).toMatchObject({
      action: 'update',
      version: 3,
      changes: [{ field: 'description', before: 'one-page checkout', after: 'new text' }],
    });
    const production = plan.steps.find((step) => step.resource === 'state' && step.env === 'production')!;
    expect(production).toMatchObject({ action: 'update', version: 7 });
    expect(production.changes.map((change) => change.field)).toEqual(['fallthrough']);
  });

  it('creates what the server does not have, listing the state that differs from the default', () => {
    const document: FlagsDocument = {
      format: 'flagstaff/v1',
      segments: { development: { staff: { included: ['ann'] } } },
      flags: { banner: { kind: 'string', variations: ['a', 'b'], environments: { development: { on: true }, production: {} } } },
    };
    const plan = planChanges(document, server());
    expect(plan.steps.map(({ resource, action, key }) => `${action} ${resource} ${key}`)).toEqual([
      'create segment staff',
      'create flag banner',
      'create state banner',
      'create state banner',
    ]);
    expect(plan.steps[1]!.changes).toEqual([{ field: 'variations', before: undefined, after: ['a', 'b'] }]);
    expect(plan.steps[2]!.changes).toEqual([{ field: 'on', before: false, after: true }]);
    expect(plan.steps[3]!.changes).toEqual([]);
  });

  it('leaves fields the file does not mention alone', () => {
    const document: FlagsDocument = { format: 'flagstaff/v1', flags: { checkout: { environments: { production: { on: true } } } } };
    const plan = planChanges(document, server());
    expect(plan.steps.map((step) => step.action)).toEqual(['unchanged', 'unchanged']);
  });

  it.each([
    [{ flags: { checkout: { environments: { qa: { on: true } } } } }, /environment qa does not exist/],
    [{ segments: { qa: { beta: {} } }, flags: {} }, /segments\.qa: environment qa does not exist/],
    [{ flags: { checkout: { kind: 'string' } } }, /kind is boolean on the server and cannot become string/],
  ] as const)('reports what cannot be applied at all: %#', (fields, message) => {
    const plan = planChanges({ format: 'flagstaff/v1', ...fields } as FlagsDocument, server());
    expect(plan.problems.join('\n')).toMatch(message);
  });

  it('reports a flag that is archived on the server', () => {
    const state = server({ flags: [adminFlag('old', { archived: true })] });
    const plan = planChanges({ format: 'flagstaff/v1', flags: { old: { description: 'x' } } }, state);
    expect(plan.problems).toEqual([expect.stringContaining('flagstaff flags unarchive old')]);
  });
});

describe('sameValue', () => {
  it('ignores the order of object keys but not of lists', () => {
    expect(sameValue({ rollout: { weights: [1, 2], bucketBy: 'key' } }, { rollout: { bucketBy: 'key', weights: [1, 2] } })).toBe(true);
    expect(sameValue([1, 2], [2, 1])).toBe(false);
    expect(sameValue(undefined, null)).toBe(false);
  });
});
