import { describe, expect, it } from 'vitest';
import { confirmationFor, confirmChange } from './confirm.js';
import { Declined, UsageError } from './errors.js';
import { fakeIo } from './testing/fake-io.js';

describe('confirmationFor', () => {
  it.each([
    [['staging'], false, true, 'proceed'],
    [['production'], false, true, 'ask'],
    [['production'], true, true, 'proceed'],
    [['production'], false, false, 'refuse'],
    [['production'], true, false, 'proceed'],
    [['staging', 'production'], false, true, 'ask'],
  ] as const)('envs %j, --yes %s, terminal %s → %s', (envs, yes, interactive, expected) => {
    expect(confirmationFor({ envs: [...envs] }, yes, interactive)).toBe(expected);
  });

  it('guards changes that reach every environment even without production named', () => {
    expect(confirmationFor({ envs: [], always: true }, false, true)).toBe('ask');
  });
});

describe('confirmChange', () => {
  const change = { summary: 'turn off new-checkout in production', envs: ['production'] };

  it('asks on a terminal and goes ahead on "y"', async () => {
    const io = fakeIo({ stdinIsTTY: true, input: 'y\n' });
    await expect(confirmChange(io, change, false)).resolves.toBeUndefined();
    expect(io.err()).toContain('Turn off new-checkout in production? [y/N]');
  });

  it.each(['n\n', '\n', 'maybe\n', ''])('changes nothing on %j (Enter, other answers, end of input)', async (input) => {
    const io = fakeIo({ stdinIsTTY: true, input });
    await expect(confirmChange(io, change, false)).rejects.toBeInstanceOf(Declined);
  });

  it('refuses without a terminal unless --yes, saying how to confirm', async () => {
    const io = fakeIo({ stdinIsTTY: false });
    const refusal = confirmChange(io, change, false);
    await expect(refusal).rejects.toBeInstanceOf(UsageError);
    await expect(refusal).rejects.toMatchObject({ hint: 'add --yes to confirm the change' });
    await expect(confirmChange(io, change, true)).resolves.toBeUndefined();
  });

  it('does not ask about other environments', async () => {
    const io = fakeIo({ stdinIsTTY: true });
    await expect(confirmChange(io, { summary: 'x', envs: ['staging'] }, false)).resolves.toBeUndefined();
    expect(io.err()).toBe('');
  });
});
