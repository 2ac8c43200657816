import { describe, expect, it } from 'vitest';
import { fingerprintOf, linksFromAnnotations } from './alert.js';

describe('fingerprintOf (Alertmanager fingerprint: FNV-1a 64 over sorted labels)', () => {
  it.each([
    // Vectors of prometheus/common's model package.
    [{}, BigInt('14695981039346656037')],
    [{ name: 'garland, briggs', fear: 'love is not enough' }, BigInt('5799056148416392346')],
  ])('fingerprints %j', (labels, expected) => {
    expect(fingerprintOf(labels)).toBe(expected.toString(16).padStart(16, '0'));
  });

  it('does not depend on the order labels arrive in', () => {
    expect(fingerprintOf({ a: '1', b: '2' })).toBe(fingerprintOf({ b: '2', a: '1' }));
    expect(fingerprintOf({ a: '1', b: '2' })).not.toBe(fingerprintOf({ a: '2', b: '1' }));
  });
});

describe('linksFromAnnotations', () => {
  it.each([
    [{ runbook_url: 'https://runbooks/x' }, {}, { runbook: 'https://runbooks/x' }],
    [{ runbook: 'https://r', dashboard: 'https://d' }, {}, { runbook: 'https://r', dashboard: 'https://d' }],
    [{ summary: 'nothing useful' }, { source: 'https://prom' }, { source: 'https://prom' }],
    [{ runbook_url: '' }, { dashboard: 'https://panel' }, { dashboard: 'https://panel' }],
  ])('%j + %j → %j', (annotations, extra, links) => {
    expect(linksFromAnnotations(annotations, extra)).toEqual(links);
  });
});
