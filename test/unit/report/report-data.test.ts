import { describe, expect, it } from 'vitest';
import type { InvalidLine, OutputLine, Report } from '../../../schemas/output.ts';
import { RecipeSchema } from '../../../schemas/recipe.ts';
import { type ReportData, ReportDataSchema } from '../../../schemas/report-data.ts';
import { generateDemo } from '../../../src/demo/index.ts';
import { MemoryStore, memoryOutput, runLocal } from '../../../src/pipeline/index.ts';
import { fromJsonl } from '../../../src/pipeline/jsonl.ts';
import { chooseSample } from '../../../src/pipeline/stages/report/data.ts';
import { REPORT_BINS, REPORT_CAPS, Smallest } from '../../../src/pipeline/stages/report/sample.ts';

/** The demo's records, a few invalid lines among them, run through the whole pipeline in one process. */
async function run(recipe: unknown, shardBytes: number, records = 1500) {
  const lines = generateDemo({ records, seed: 7 }).split('\n');
  const text = lines.join('\n');
  const store = new MemoryStore();
  await store.put('in', text);
  const spec = {
    id: 'j1',
    dataset: 'd',
    objects: [(await store.head('in'))!],
    recipe: RecipeSchema.parse({ shardBytes, ...(recipe as object) }),
    createdAt: '',
  };
  const report: Report = await runLocal(store, spec);
  const out = (file: string) => memoryOutput(store, 'j1', file);
  const data = ReportDataSchema.parse(JSON.parse(await out('report-data.json'))) as ReportData;
  return {
    report,
    data,
    html: await out('report.html'),
    rejected: fromJsonl<OutputLine>(await out('rejected.jsonl')),
    selected: fromJsonl<OutputLine>(await out('selected.jsonl')),
    invalid: fromJsonl<InvalidLine>(await out('invalid.jsonl')),
  };
}

describe('Smallest: the deterministic sample of a group', () => {
  it('keeps the cap smallest keys whatever the order they come in', () => {
    const keys = Array.from({ length: 500 }, (_, i) => ((i * 7919) % 1000).toString(16).padStart(4, '0'));
    const a = new Smallest<number>(17);
    const b = new Smallest<number>(17);
    for (const [i, k] of keys.entries()) a.add(k, i);
    for (const [i, k] of [...keys].reverse().entries()) b.add(k, i);
    const want = [...keys].sort().slice(0, 17);
    expect(a.done().map((e) => e.key)).toEqual(want);
    expect(b.done().map((e) => e.key)).toEqual(want);
  });

  it('merging shards keeps the global smallest per group, capped', () => {
    const { chosen, wanted } = chooseSample(
      [
        { groups: { 'reason:budget': [['05'], ['09']], selected: [['01']] } },
        { groups: { 'reason:budget': [['02', 'aa'], ['07']], invalid: [['00001:000000000000003']] } },
      ],
      0,
    );
    expect(chosen['reason:budget']).toEqual([
      [1, '02'],
      [0, '05'],
      [1, '07'],
      [0, '09'],
    ]);
    expect(chosen.selected).toEqual([[0, '01']]);
    expect(wanted).toEqual(['aa']);
  });
});

describe('report-data.json of a real run', () => {
  const recipe = { select: { budget: '10%' } };

  it('bins every record, caps the examples per reason, and shows what each duplicate duplicates', async () => {
    const { report, data, rejected, selected } = await run(recipe, 16 * 1024);
    // Histograms count every valid record, not a sample.
    for (const [name, h] of Object.entries(data.histograms)) {
      expect(h.selected).toHaveLength(REPORT_BINS);
      const all = h.selected.reduce((a, b) => a + b, 0) + h.rejected.reduce((a, b) => a + b, 0);
      expect(all, name).toBe(report.scores[name].count);
      expect(
        h.selected.reduce((a, b) => a + b, 0),
        name,
      ).toBe(selected.filter((l) => Number.isFinite(l.scores[name])).length);
    }
    const rank = data.rank!;
    const ranked = rank.selected.reduce((a, b) => a + b, 0) + rank.rejected.reduce((a, b) => a + b, 0);
    expect(ranked + rank.filtered).toBe(report.counts.valid);
    // Examples: every reason, capped, the smallest ids of each (a deterministic sample).
    expect(Object.keys(data.rejected).sort()).toEqual(Object.keys(report.rejectedByReason).sort());
    for (const [reason, n] of Object.entries(report.rejectedByReason)) {
      const ids = rejected
        .filter((l) => l.reason === reason)
        .map((l) => l.id)
        .sort();
      expect(data.rejected[reason].map((e) => e.id)).toEqual(
        ids.slice(0, Math.min(n, REPORT_CAPS.perReason)),
      );
    }
    expect(data.selected.map((e) => e.id)).toEqual(
      selected
        .map((l) => l.id)
        .sort()
        .slice(0, REPORT_CAPS.selected),
    );
    // A near duplicate's original is there, with its own text.
    const near = data.rejected.near_duplicate ?? data.rejected.duplicate;
    expect(near.length).toBeGreaterThan(0);
    const byId = new Map([...selected, ...rejected].map((l) => [l.id, l]));
    for (const e of near) {
      const o = data.originals[e.duplicateOf!];
      expect(o, e.id).toBeDefined();
      expect(o.id).toBe(byId.get(e.duplicateOf!)!.id);
    }
  });

  it('is the same file whatever the shard size, and again on a second run', async () => {
    const a = await run(recipe, 16 * 1024);
    const b = await run(recipe, 64 * 1024);
    const c = await run(recipe, 16 * 1024);
    expect(JSON.stringify(c.data)).toBe(JSON.stringify(a.data));
    expect(b.data).toEqual(a.data);
    // The page differs only in the times it shows.
    const untimed = (html: string) =>
      html.replace(/<section id="run">[\s\S]*<\/section>/, '').replace(/records, [0-9.]+ s/, '');
    expect(untimed(c.html)).toBe(untimed(a.html));
  });

  it('clusters: examples per cluster, and a 2-D map of a stratified sample', async () => {
    const { report, data } = await run({ ...recipe, cluster: { k: 4 } }, 32 * 1024);
    expect(report.clusters?.k).toBe(4);
    expect(data.clusters!.map((c) => c.cluster)).toEqual([0, 1, 2, 3]);
    for (const c of data.clusters!) {
      expect(c.examples.length).toBe(Math.min(REPORT_CAPS.perCluster, report.clusters!.sizes[c.cluster]));
      for (const e of c.examples) expect(e.cluster).toBe(c.cluster);
    }
    const points = data.map!.points;
    expect(points.length).toBeGreaterThan(100);
    expect(new Set(points.map((p) => p[2]))).toEqual(new Set([0, 1, 2, 3]));
    const [e1, e2] = data.map!.explained;
    expect(e1).toBeGreaterThanOrEqual(e2);
    expect(e1 + e2).toBeLessThanOrEqual(1.0001);
  });
});
