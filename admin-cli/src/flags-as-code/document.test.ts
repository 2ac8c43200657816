import { describe, expect, it } from 'vitest';
import { adminFlag, flagState, segment } from '../testing/flags.js';
import { parseDocument, renderDocument, toDocument } from './document.js';

const rollout = { rollout: { bucketBy: 'key', weights: [75_000, 25_000] } };
const flags = [
  adminFlag('zeta', { environments: { production: flagState({ version: 9, on: true, fallthrough: rollout }), development: flagState() } }),
  adminFlag('alpha', { kind: 'string', variations: ['red', 'green'], tags: ['ui'], seed: 'reshuffled' }),
  adminFlag('gone', { archived: true }),
];
const segments = { production: [segment('beta', { version: 4, included: ['user-1'] })], development: [] };

describe('toDocument', () => {
  it('holds desired state only, sorted by key, without archived flags, versions or timestamps', () => {
    const document = toDocument(flags, segments, ['production', 'development']);
    expect(Object.keys(document.flags)).toEqual(['alpha', 'zeta']);
    expect(Object.keys(document.flags.zeta!.environments!)).toEqual(['development', 'production']);
    expect(document.flags.zeta).toEqual({
      kind: 'boolean',
      name: 'zeta',
      description: '',
      tags: [],
      clientSide: false,
      environments: {
        development: { on: false, offVariation: 0, targets: [], rules: [], fallthrough: { variation: 1 } },
        production: { on: true, offVariation: 0, targets: [], rules: [], fallthrough: rollout },
      },
    });
    expect(document.flags.alpha).toMatchObject({ kind: 'string', variations: ['red', 'green'], seed: 'reshuffled' });
    expect(document.segments).toEqual({
      production: { beta: { name: 'beta', description: '', included: ['user-1'], excluded: [], rules: [] } },
    });
    expect(JSON.stringify(document)).not.toMatch(/version"|updatedAt|createdAt/);
  });

  it('keeps only the environments asked for', () => {
    const document = toDocument(flags, segments, ['development']);
    expect(Object.keys(document.flags.zeta!.environments!)).toEqual(['development']);
    expect(document.segments).toBeUndefined();
  });
});

describe('renderDocument and parseDocument', () => {
  it('round-trip, and render the same state to the same bytes', async () => {
    const document = toDocument(flags, segments, ['production', 'development']);
    const text = await renderDocument(document);
    expect(text.startsWith('# Flagstaff flags as code.')).toBe(true);
    expect(await parseDocument(text, 'flags.yaml')).toEqual(document);
    expect(await renderDocument(toDocument([...flags].reverse(), segments, ['development', 'production']))).toBe(text);
  });

  it.each([
    ['flags: {}', /format must be "flagstaff\/v1"/],
    ['format: flagstaff/v1\nflags: []', /flags must be a mapping/],
    ['format: flagstaff/v1\nflag: {}', /flag is not a known field/],
    ['format: flagstaff/v1\nflags:\n  x:\n    enviroments: {}', /flags\.x\.enviroments is not a known field/],
    ['format: flagstaff/v1\nflags:\n  x:\n    kind: bool', /flags\.x\.kind must be boolean, string, number or json/],
    [
      'format: flagstaff/v1\nflags:\n  x:\n    environments:\n      production:\n        on: "yes"',
      /flags\.x\.environments\.production\.on must be a boolean/,
    ],
    ['format: flagstaff/v1\nflags:\n  x:\n    environments:\n      production:\n        fallthrough: 1', /fallthrough must be an object/],
    [
      'format: flagstaff/v1\nsegments:\n  production:\n    beta:\n      included: user-1',
      /segments\.production\.beta\.included must be an array/,
    ],
    ['format: [unclosed', /not valid YAML or JSON/],
  ])('names what is wrong in %j', async (text, message) => {
    await expect(parseDocument(text, 'flags.yaml')).rejects.toThrow(message);
  });

  it('accepts JSON, and a file that manages only some fields', async () => {
    const document = await parseDocument('{"format":"flagstaff/v1","flags":{"x":{"environments":{"production":{"on":true}}}}}', 'f.json');
    expect(document.flags.x).toEqual({ environments: { production: { on: true } } });
  });
});
