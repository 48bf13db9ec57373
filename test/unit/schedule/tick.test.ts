import { describe, expect, it } from 'vitest';
import {
  leftOver,
  mergeListing,
  newVersion,
  versionKey,
  withPart,
} from '../../../src/pipeline/dataset-objects.ts';
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

describe('dataset versions (a job reads the version it started on)', () => {
  const o = (key: string, etag = 'e', size = 10) => ({ key, size, etag });
  it('versions sort by time and never repeat', () => {
    const vs = Array.from({ length: 200 }, () => newVersion());
    expect(new Set(vs).size).toBe(200);
    expect(versionKey('d', 'v1', 'parts/0001')).toBe('datasets/d/.winnow/v/v1/parts/0001');
  });
  it('keeps versions Winnow wrote as they are, though the listing (which skips .winnow/) lacks them', () => {
    const up = o(versionKey('d', 'v1', 'upload'));
    const part = { ...o(versionKey('d', 'v2', 'parts/0001')), part: '0001' };
    const m = mergeListing('d', [up, part], [o('datasets/d/parts/0003')]);
    expect(m.objects).toEqual([up, part, o('datasets/d/parts/0003')]);
    expect(m.removed).toEqual([]);
    // An object waiting to be deleted is not new data.
    const r = mergeListing('d', [up], [o('datasets/d/upload')], new Set(['datasets/d/upload']));
    expect(r.added).toEqual([]);
  });
  it('a part put again takes its old place; a new one is appended; old-layout parts are matched by key', () => {
    const objects = [
      o('datasets/d/.winnow/v/v1/upload'),
      { ...o('datasets/d/.winnow/v/v2/parts/a'), part: 'a' },
      o('datasets/d/parts/b'),
    ];
    const again = withPart('d', objects, 'a', o('datasets/d/.winnow/v/v3/parts/a', 'e3', 5));
    expect(again.objects.map((x) => x.key)).toEqual([
      'datasets/d/.winnow/v/v1/upload',
      'datasets/d/.winnow/v/v3/parts/a',
      'datasets/d/parts/b',
    ]);
    expect(again.objects[1]).toEqual({
      key: 'datasets/d/.winnow/v/v3/parts/a',
      size: 5,
      etag: 'e3',
      part: 'a',
    });
    expect(again.replaced?.key).toBe('datasets/d/.winnow/v/v2/parts/a');
    const legacy = withPart('d', objects, 'b', o('datasets/d/.winnow/v/v4/parts/b'));
    expect(legacy.objects.map((x) => x.part ?? null)).toEqual([null, 'a', 'b']);
    expect(legacy.replaced?.key).toBe('datasets/d/parts/b');
    const added = withPart('d', objects, 'c', o('datasets/d/.winnow/v/v5/parts/c'));
    expect(added.objects.length).toBe(4);
    expect(added.replaced).toBeNull();
    // Parts no job has read yet are kept in name order, whatever order their uploads ended in;
    // what a job has read (the first `read` objects) keeps its place.
    const base = [o('datasets/d/.winnow/v/v1/upload')];
    const late = (p: string) => o(`datasets/d/.winnow/v/x/parts/${p}`);
    let m = withPart('d', base, '0003', late('0003'), 1).objects;
    m = withPart('d', m, '0001', late('0001'), 1).objects;
    m = withPart('d', m, '0002', late('0002'), 1).objects;
    expect(m.map((x) => x.part ?? null)).toEqual([null, '0001', '0002', '0003']);
    const afterJob = withPart('d', m, '0000', late('0000'), 4).objects;
    expect(afterJob.map((x) => x.part ?? null)).toEqual([null, '0001', '0002', '0003', '0000']);
    const partly = withPart('d', m, '00015', late('00015'), 2).objects;
    expect(partly.map((x) => x.part ?? null)).toEqual([null, '0001', '00015', '0002', '0003']);
  });
  it("only the dataset's own objects that left it are deleted, never registered keys", () => {
    const before = [o('datasets/d/.winnow/v/v1/upload'), o('raw/x.jsonl'), o('datasets/d/parts/b')];
    const after = [o('datasets/d/.winnow/v/v2/upload'), o('datasets/d/parts/b')];
    expect(leftOver('d', before, after)).toEqual(['datasets/d/.winnow/v/v1/upload']);
  });
});
