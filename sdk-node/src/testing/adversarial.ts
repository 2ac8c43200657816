// Inputs an application might hand the SDK by mistake, or an attacker on purpose: every evaluation call
// must answer them with a value and a reason, never an exception. Shared by the unit tests and the e2e
// tests against a real server's flags.

const boom = () => {
  throw new Error('boom');
};
const throwing = new Proxy({}, { get: boom, has: boom, ownKeys: boom, getPrototypeOf: boom });
const getter = Object.defineProperty({}, 'email', { get: boom, enumerable: true });
const cyclic: Record<string, unknown> = { key: 'c' };
cyclic.self = cyclic;

/** A context that throws on every kind of access. */
export const THROWING_CONTEXT: object = throwing;

export const ADVERSARIAL_CONTEXTS: [string, unknown][] = [
  ['undefined', undefined],
  ['null', null],
  ['a number', 42],
  ['a string', 'user-1'],
  ['an array', ['a']],
  ['a proxy that throws', throwing],
  ['a throwing getter', getter],
  ['a cyclic object', cyclic],
  ['a null-prototype object', Object.assign(Object.create(null), { key: 'n', email: 'x@example.com' })],
  ['__proto__ as an own key', JSON.parse('{"__proto__": {"email": "x@example.com"}, "key": "p"}')],
  ['non-string attributes', { key: { toString: boom }, email: 12, plan: [null, {}, 'pro'], version: { valueOf: boom } }],
  ['a huge key', { key: 'x'.repeat(1_000_000), plan: 'pro' }],
  ['a lone surrogate key', { key: '\ud800', plan: 'pro' }],
  ['a symbol key', { key: Symbol('k') }],
  ['dates and numbers of the wrong kinds', { key: 'd', createdAt: new Date(Number.NaN), age: Number.NaN, score: -Infinity, n: 10n }],
];

/** Flag keys that are not flag keys. */
export const ADVERSARIAL_KEYS: unknown[] = [undefined, null, 42, {}, '__proto__', 'constructor', 'hasOwnProperty', 'x'.repeat(100_000)];
