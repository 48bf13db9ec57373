import { describe, expect, it } from 'vitest';
import { mergeListing } from '../../../src/pipeline/dataset-objects.ts';
import { decideTick, firstDue, nextDue, type TickInput } from '../../../src/schedule/index.ts';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('due times', () => {
  it('an interval is due at once and stays on its grid; a cron at its next matching minute', () => {
    const set = at('2026-12-01T10:07:30Z');
    expect(iso(firstDue({ every: '6h' }, set))).toBe('2026-12-01T10:07:30.000Z');
    expect(iso(firstDue({ cron: '*/15 * * * *' }, set))).toBe('2026-12-01T10:15:00.000Z');
    expect(iso(firstDue({ cron: '0 0 30 2 *' }, set))).toBeNull();
    // A tick 40 minutes late on a 15-minute grid: the next due time is the grid point after it.
    const due = at('2026-12-01T10:00:00Z');
    expect(iso(nextDue({ every: '15m' }, due, at('2026-12-01T10:40:00Z')))).toBe('2026-12-01T10:45:00.000Z');
    expect(iso(nextDue({ every: '15m' }, due, due))).toBe('2026-12-01T10:15:00.000Z');
    expect(iso(nextDue({ every: '1d' }, due, at('2026-12-01T10:00:59Z')))).toBe('2026-12-02T10:00:00.000Z');
    expect(
      iso(nextDue({ cron: '0 9 * * MON-FRI' }, at('2026-12-04T09:00:00Z'), at('2026-12-04T09:00:20Z'))),
    ).toBe('2026-12-07T09:00:00.000Z');
  });
});

describe('decideTick', () => {
  const base: TickInput = {
    enabled: true,
    retries: 2,
    dueAt: 1000,
    active: false,
    failuresInRow: 0,
    force: false,
  };
  const d = (over: Partial<TickInput>, now = 1000) => decideTick({ ...base, ...over }, now);
  it('never starts a second run, starts a due one, retries failures up to the limit, forces on request', () => {
    expect(d({ active: true })).toEqual({ start: false, action: 'busy' });
    expect(d({ active: true, force: true })).toEqual({ start: false, action: 'busy' });
    expect(d({}, 999)).toEqual({ start: false, action: 'not_due' });
    expect(d({})).toEqual({ start: true, trigger: 'due', advance: true });
    expect(d({ dueAt: null })).toEqual({ start: false, action: 'not_due' });
    expect(d({ failuresInRow: 1 }, 999)).toEqual({ start: true, trigger: 'retry', advance: false });
    expect(d({ failuresInRow: 2 }, 999)).toEqual({ start: true, trigger: 'retry', advance: false });
    expect(d({ failuresInRow: 3 }, 999)).toEqual({ start: false, action: 'not_due' });
    // Due wins over a retry (and moves the due time on).
    expect(d({ failuresInRow: 1 })).toEqual({ start: true, trigger: 'due', advance: true });
    expect(d({ enabled: false })).toEqual({ start: false, action: 'disabled' });
    expect(d({ enabled: false, force: true })).toEqual({ start: true, trigger: 'manual', advance: false });
    expect(d({ force: true }, 10)).toEqual({ start: true, trigger: 'manual', advance: false });
  });
});

describe('mergeListing (append-only datasets)', () => {
  const o = (key: string, etag = 'e', size = 10) => ({ key, size, etag });
  it('keeps known objects in order, appends new ones in key order, follows changes and deletions', () => {
    const manifest = [
      o('datasets/d/upload'),
      o('raw/registered.jsonl'), // outside the prefix: kept as it is
      o('datasets/d/parts/0002'),
      {
        ...o('datasets/d/.winnow/gunzip/parts/z.gz', 'c1', 99),
        source: { key: 'datasets/d/parts/z.gz', etag: 'g1' },
      },
      o('datasets/d/parts/gone'),
    ];
    const listed = [
      o('datasets/d/manifest.json'),
      o('datasets/d/latest.json'),
      o('datasets/d/upload'),
      o('datasets/d/parts/0002', 'e2', 12),
      o('datasets/d/parts/0010'),
      o('datasets/d/parts/0003'),
      o('datasets/d/parts/z.gz', 'g1'),
      o('datasets/d/zz-direct.jsonl'),
    ];
    const m = mergeListing('d', manifest, listed);
    expect(m.objects.map((x) => x.key)).toEqual([
      'datasets/d/upload',
      'raw/registered.jsonl',
      'datasets/d/parts/0002',
      'datasets/d/.winnow/gunzip/parts/z.gz',
      'datasets/d/parts/0003',
      'datasets/d/parts/0010',
      'datasets/d/zz-direct.jsonl',
    ]);
    expect(m.added.map((x) => x.key)).toEqual([
      'datasets/d/parts/0003',
      'datasets/d/parts/0010',
      'datasets/d/zz-direct.jsonl',
    ]);
    expect(m.changed).toEqual([o('datasets/d/parts/0002', 'e2', 12)]);
    expect(m.objects[2]).toEqual(o('datasets/d/parts/0002', 'e2', 12));
    expect(m.removed.map((x) => x.key)).toEqual(['datasets/d/parts/gone']);
    // A gzip original that changed is listed as changed (its copy is made again).
    const again = mergeListing('d', m.objects, [
      ...listed.filter((x) => !x.key.endsWith('z.gz')),
      o('datasets/d/parts/z.gz', 'g2'),
    ]);
    expect(again.changed.map((x) => x.key)).toEqual(['datasets/d/parts/z.gz']);
    expect(again.added).toEqual([]);
  });
});
