import { describe, expect, it } from 'vitest';
import { cronMatches, nextCron, parseCron, parseEvery } from '../../../src/schedule/index.ts';

const next = (expr: string, after: string) => nextCron(parseCron(expr), new Date(after))?.toISOString();

describe('cron (UTC, five fields)', () => {
  it('finds the next matching minute (hand-checked references)', () => {
    expect(next('*/15 * * * *', '2026-11-26T10:07:30Z')).toBe('2026-11-26T10:15:00.000Z');
    expect(next('*/15 * * * *', '2026-11-26T10:15:00Z')).toBe('2026-11-26T10:30:00.000Z');
    // 2026-11-27 is a Friday: the next weekday 09:00 after Friday 10:00 is Monday the 30th.
    expect(next('0 9 * * MON-FRI', '2026-11-27T10:00:00Z')).toBe('2026-11-30T09:00:00.000Z');
    expect(next('30 2 1 JAN,JUL *', '2026-11-26T00:00:00Z')).toBe('2027-01-01T02:30:00.000Z');
    // 29 February: the next one after March 2026 is in 2028.
    expect(next('0 0 29 2 *', '2026-03-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
    // Both day fields restricted: either matches (the 13th, or any Friday).
    expect(next('0 12 13 * FRI', '2026-11-28T00:00:00Z')).toBe('2026-12-04T12:00:00.000Z');
    expect(next('0 12 13 * 5', '2026-12-05T00:00:00Z')).toBe('2026-12-11T12:00:00.000Z');
    expect(next('0 12 13 * 5', '2026-12-12T00:00:00Z')).toBe('2026-12-13T12:00:00.000Z');
    // Weekday 7 is Sunday; steps over a range.
    expect(next('0 0 * * 7', '2026-11-26T00:00:00Z')).toBe('2026-11-29T00:00:00.000Z');
    expect(next('10-50/20 * * * *', '2026-11-26T10:31:00Z')).toBe('2026-11-26T10:50:00.000Z');
    expect(next('0 0 31 2 *', '2026-01-01T00:00:00Z')).toBeUndefined(); // never: 31 February
    expect(cronMatches(parseCron('* * * * *'), new Date('2026-11-26T10:07:00Z'))).toBe(true);
  });

  it('explains a bad expression by field', () => {
    expect(() => parseCron('* * *')).toThrow(
      'cron needs 5 fields (minute hour day-of-month month day-of-week), got 3 in "* * *"',
    );
    expect(() => parseCron('61 * * * *')).toThrow('cron minute: 61 is outside 0-59');
    expect(() => parseCron('* * * FOO *')).toThrow('cron month: "FOO" is not a number or a name');
    expect(() => parseCron('*/0 * * * *')).toThrow('cron minute: step "0" must be a whole number ≥ 1');
    expect(() => parseCron('* 5-1 * * *')).toThrow('cron hour: range "5-1" runs backwards');
  });

  it('parses every', () => {
    expect(parseEvery('15m')).toBe(15 * 60_000);
    expect(parseEvery('6h')).toBe(6 * 3_600_000);
    expect(parseEvery('1d')).toBe(86_400_000);
    expect(() => parseEvery('0h')).toThrow('every must look like 15m, 6h or 1d, got "0h"');
    expect(() => parseEvery('6 hours')).toThrow('every must look like 15m, 6h or 1d');
  });
});
