import { describe, expect, it } from 'vitest';
import { parseHold, parseSteps } from './plans.js';

describe('parseHold', () => {
  it.each([
    ['90', 90],
    ['90s', 90],
    ['15m', 900],
    ['1h', 3600],
    ['2d', 172_800],
    [' 1h ', 3600],
  ])('reads %j as %i seconds', (text, seconds) => {
    expect(parseHold(text)).toBe(seconds);
  });

  it.each(['', '0', '0h', '1.5h', '1w', 'soon', '-1h', '1 h'])('refuses %j with a usage error', (text) => {
    expect(() => parseHold(text)).toThrow(expect.objectContaining({ code: 'usage', message: expect.stringMatching(/--hold is a duration/) }));
  });
});

describe('parseSteps', () => {
  it.each([
    ['5,25,50,100', [5, 25, 50, 100]],
    ['0.5, 1, 100', [0.5, 1, 100]],
    ['100', [100]],
  ])('reads %j', (text, steps) => {
    expect(parseSteps(text)).toEqual(steps);
  });

  it.each(['', '5,,50', '5,abc', '5,101', '5,0.0001'])('refuses %j with a usage error', (text) => {
    expect(() => parseSteps(text)).toThrow(expect.objectContaining({ code: 'usage' }));
  });
});
