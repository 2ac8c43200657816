import { describe, expect, it } from 'vitest';
import { Admission } from './admission.js';

describe('Admission', () => {
  it('admits up to one second of new streams at once, then refuses with a jittered wait', () => {
    let now = 0;
    const admission = new Admission(
      { maxConnections: 1000, maxNewPerSecond: 5 },
      () => now,
      () => 0,
    );
    for (let i = 0; i < 5; i++) expect(admission.admit(i)).toBeNull();
    expect(admission.admit(5)).toBe(2);
    now += 200; // one token back
    expect(admission.admit(5)).toBeNull();
    expect(admission.admit(6)).not.toBeNull();
  });

  it('refuses every new stream while the instance holds its maximum', () => {
    const admission = new Admission(
      { maxConnections: 3, maxNewPerSecond: 100 },
      () => 0,
      () => 0.5,
    );
    expect(admission.admit(2)).toBeNull();
    expect(admission.admit(3)).toBe(8);
  });

  it('spreads Retry-After between the base and twice it', () => {
    const admission = new Admission({ maxConnections: 1, maxNewPerSecond: 1 });
    const waits = new Set(Array.from({ length: 100 }, () => admission.retryAfter(5)));
    for (const wait of waits) expect(wait).toBeGreaterThanOrEqual(5);
    for (const wait of waits) expect(wait).toBeLessThanOrEqual(10);
    expect(waits.size).toBeGreaterThan(2);
  });
});
