import { describe, expect, it } from 'vitest';
import { ChangeLog, type LogEntry } from './change-log.js';

const entry = (version: number): LogEntry => ({
  version,
  server: Buffer.from(`s${version}`),
  client: version % 2 ? Buffer.from(`c${version}`) : null,
});
const versions = (entries: LogEntry[] | null) => entries?.map((e) => e.version) ?? null;

describe('ChangeLog', () => {
  it('returns exactly the changes after a held version, oldest first', () => {
    const log = new ChangeLog(10);
    for (let v = 11; v <= 15; v++) log.push(entry(v));
    expect(versions(log.since(12, 15))).toEqual([13, 14, 15]);
    expect(versions(log.since(10, 15))).toEqual([11, 12, 13, 14, 15]);
    expect(versions(log.since(15, 15))).toEqual([]);
  });

  it('answers null when the missed changes are no longer all held', () => {
    const log = new ChangeLog(3);
    for (let v = 1; v <= 6; v++) log.push(entry(v));
    expect(log.size).toBe(3);
    expect(versions(log.since(3, 6))).toEqual([4, 5, 6]);
    expect(log.since(2, 6)).toBeNull();
  });

  it('answers null for a version ahead of the head, or when the log is not at the head', () => {
    const log = new ChangeLog(5);
    log.push(entry(1));
    log.push(entry(2));
    expect(log.since(3, 2)).toBeNull();
    expect(log.since(1, 3)).toBeNull();
    expect(new ChangeLog(5).since(0, 4)).toBeNull();
  });

  it('refuses a change that does not follow the last one', () => {
    const log = new ChangeLog(5);
    log.push(entry(1));
    expect(() => log.push(entry(3))).toThrow(/expects version 2/);
    expect(versions(log.since(0, 1))).toEqual([1]);
  });

  it('forgets everything on clear', () => {
    const log = new ChangeLog(5);
    log.push(entry(1));
    log.clear();
    expect(log.size).toBe(0);
    log.push(entry(7));
    expect(versions(log.since(6, 7))).toEqual([7]);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new ChangeLog(0)).toThrow(RangeError);
  });
});
