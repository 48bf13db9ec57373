import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DryRunSchema } from '../../../schemas/dryrun.ts';
import { RecipeSchema } from '../../../schemas/recipe.ts';
import { dryRun, dryRunText, sampleKey } from '../../../src/dryrun/index.ts';
import { memoryJob, runLocal } from '../../../src/pipeline/index.ts';
import { judgeMessages } from '../../../src/score/judge/prompt.ts';
import { alpacaPrompt } from '../../../src/score/prompt.ts';
import { dataFile } from '../../support/data.ts';
import { writeParquet } from '../../support/parquet.ts';

// A file with known content: 400 distinct records whose answers have 1…400 random words (so the
// length score orders them and no two are near duplicates), then 40 exact copies of records 0…39
// with 7 invalid lines among them.

function words(n: number, seed: number): string {
  let x = seed * 2654435761;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let w = '';
    for (let j = 0; j < 6; j++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      w += String.fromCharCode(97 + ((x >>> 16) % 26));
    }
    out.push(w);
  }
  return out.join(' ');
}

const DISTINCT = 400;
const DUPLICATES = 40;
const records = Array.from({ length: DISTINCT }, (_, i) => ({
  instruction: `Task ${i}: write ${i + 1} words about ${words(3, 10_000 + i)}.`,
  output: words(i + 1, i + 1),
}));
const INVALID = [
  '{"instruction": "broken',
  '[1, 2, 3]',
  '{"instruction": "no output field here"}',
  '"just a string"',
  '{"messages": []}',
  '{"conversations": 7}',
  'not json at all',
];
// Input order: the 400 records, then the duplicates and invalid lines interleaved.
const lines = records.map((r) => JSON.stringify(r));
for (let i = 0; i < DUPLICATES; i++) {
  lines.push(JSON.stringify(records[i]));
  if (i < INVALID.length) lines.push(INVALID[i]);
}
const FILE = new TextEncoder().encode(`${lines.join('\n')}\n`);

const recipe = (extra: object = {}) =>
  RecipeSchema.parse({
    scorers: [{ id: 'length', config: { saturateWords: 200 } }],
    select: { filters: [], rank: { terms: [{ score: 'length' }] }, budget: 100, dedup: { near: false } },
    ...extra,
  });

describe('dryRun on a file with known invalid lines, duplicates and budget', () => {
  it('a sample of the whole file: exact counts, dedup, selected count and cut', async () => {
    const d = await dryRun(FILE, recipe(), { sample: 5000, name: 'known.jsonl' });
    expect(DryRunSchema.parse(d)).toEqual(d);
    expect(d.counts).toEqual({ input: DISTINCT + DUPLICATES + INVALID.length, valid: 440, invalid: 7 });
    expect(Object.values(d.invalidByCode).reduce((a, b) => a + b, 0)).toBe(7);
    // The first invalid line is line 402 of the file (400 records, then the first duplicate).
    expect(d.invalidExamples[0].at).toBe('line 402');
    expect(d.sample.records).toBe(440);
    // 40 of 440 valid records are exact duplicates; 400 candidates; budget 100 cuts 300.
    expect(d.projected.rejectedByReason).toEqual({ duplicate: 40, budget: 300 });
    expect(d.projected.dedupRate).toBeCloseTo(40 / 440, 12);
    expect(d.projected.candidates).toBe(400);
    expect(d.projected.selected).toBe(100);
    // The records with 301…400 words are selected: length = 1 − exp(−words / 200) at the cut.
    expect(d.projected.cut.lowestSelected).toBeCloseTo(1 - Math.exp(-301 / 200), 12);
    expect(d.projected.cut.highestCut).toBeCloseTo(1 - Math.exp(-300 / 200), 12);
    expect(d.models).toEqual([]);
    expect(d.withinBudget).toBe(true);
  });

  it('a smaller sample keeps duplicate groups whole and projects near the true rates', async () => {
    const d = await dryRun(FILE, recipe(), { sample: 150 });
    // Duplicates share their sample key: a group of 2 is in or out whole (150 or 151 records).
    const keys = records.map((r) =>
      sampleKey(
        [
          { role: 'user', content: r.instruction },
          { role: 'assistant', content: r.output },
        ],
        0,
      ),
    );
    expect(new Set(keys).size).toBe(DISTINCT);
    expect(d.sample.records).toBeGreaterThanOrEqual(150);
    expect(d.sample.records).toBeLessThanOrEqual(151);
    expect(d.sample.budget).toBe(Math.floor((100 * d.sample.records) / 440 + 0.5));
    const dup = d.projected.rejectedByReason.duplicate;
    expect(dup).toBeGreaterThan(20);
    expect(dup).toBeLessThan(60);
    expect(d.projected.selected).toBe(100);
    expect(
      d.projected.selected + Object.values(d.projected.rejectedByReason).reduce((a, b) => a + b, 0),
    ).toBe(440);
  });

  it('projects a judge and IFD: requests per distinct record, tokens from the rendered prompts, cost, budget', async () => {
    const r = recipe({
      providers: {
        lm: {
          kind: 'openai',
          baseUrl: 'http://127.0.0.1:9/v1',
          model: 'm',
          requestBudget: 1000,
          pricePer1kTokens: 0.5,
        },
      },
      scorers: [
        { id: 'length', config: { saturateWords: 200 } },
        { id: 'judge', config: { provider: 'lm', maxTokens: 100 } },
        { id: 'ifd', config: { provider: 'lm' } },
      ],
    });
    const d = await dryRun(FILE, r, { sample: 5000 });
    // The judge's template around an instruction and an answer, and IFD's Alpaca prompt.
    const judgeOverhead = judgeMessages('', '').reduce((n, m) => n + m.content.length, 0);
    const judgeChars = records.reduce(
      (n, x) => n + judgeOverhead + x.instruction.length + x.output.length,
      0,
    );
    const ifdChars = records.reduce(
      (n, x) => n + alpacaPrompt(x.instruction).length + 2 * x.output.length,
      0,
    );
    // The score stage computes each distinct content once: 400 records, not 440.
    expect(d.models).toEqual([
      expect.objectContaining({
        path: 'scorers[1]',
        id: 'judge',
        records: 400,
        requests: 400,
        promptTokens: Math.ceil(judgeChars / 4),
        completionTokens: 400 * 100,
      }),
      expect.objectContaining({
        path: 'scorers[2]',
        id: 'ifd',
        records: 400,
        requests: 800,
        promptTokens: Math.ceil(ifdChars / 4),
        completionTokens: 0,
      }),
    ]);
    const tokens = Math.ceil(judgeChars / 4) + 400 * 100 + Math.ceil(ifdChars / 4);
    expect(d.providers).toEqual([
      {
        name: 'lm',
        requests: 1200,
        tokens,
        requestBudget: 1000,
        pricePer1kTokens: 0.5,
        cost: (tokens / 1000) * 0.5,
        overBudget: true,
      },
    ]);
    expect(d.withinBudget).toBe(false);
    // The selection is the offline recipe's: the same as without the model-backed scorers.
    expect(d.projected.selected).toBe(100);
    expect(d.leftOut.map((l) => l.path)).toEqual(['scorers[1] (judge)', 'scorers[2] (ifd)']);
    expect(dryRunText(d)).toContain('OVER BUDGET');
  });

  it('counts distinct contents per shard, as the score stage computes them', async () => {
    // 1 KiB shards: the copies at the end of the file are in other shards than their originals.
    const r = recipe({
      shardBytes: 1024,
      providers: { lm: { kind: 'openai', baseUrl: 'http://127.0.0.1:9/v1', model: 'm' } },
      scorers: [{ id: 'judge', config: { provider: 'lm' } }],
      select: { filters: [], budget: 100 },
    });
    const d = await dryRun(FILE, r, { sample: 50 });
    expect(d.models.map((m) => [m.records, m.requests])).toEqual([[440, 440]]);
    expect(d.providers[0]).toMatchObject({ requests: 440, requestBudget: 100_000, overBudget: false });
    expect(d.providers[0].cost).toBeUndefined();
  });

  it('reads Parquet the same (the valid records, in row groups)', async () => {
    const rows = [...records, ...records.slice(0, DUPLICATES)];
    const d = await dryRun(writeParquet(rows, { rowGroupSize: 100 }), recipe(), { sample: 5000 });
    expect(d.counts).toEqual({ input: 440, valid: 440, invalid: 0 });
    expect(d.projected.rejectedByReason).toEqual({ duplicate: 40, budget: 300 });
    expect(d.projected.cut.lowestSelected).toBeCloseTo(1 - Math.exp(-301 / 200), 12);
  });

  it('refuses an invalid recipe before reading the input', async () => {
    const r = recipe({ scorers: [{ id: 'judge', config: { provider: 'nowhere' } }] });
    await expect(dryRun(FILE, r)).rejects.toThrow(/unknown provider "nowhere"/);
  });
});

describe('dryRun with a sample of every record', () => {
  it('projects what the job selects and rejects (dolly-3k, the default recipe, budget 500)', async () => {
    const input = new Uint8Array(readFileSync(dataFile('dolly-3k.json')));
    const r = RecipeSchema.parse({ select: { budget: 500 } });
    const d = await dryRun(input, r, { sample: 10_000 });
    const { store, spec } = await memoryJob({ input }, r);
    const report = await runLocal(store, spec);
    expect(d.counts).toEqual({
      input: report.counts.input,
      valid: report.counts.valid,
      invalid: report.counts.invalid,
    });
    expect(d.sample.records).toBe(report.counts.valid);
    expect(d.projected.rejectedByReason).toEqual(report.rejectedByReason);
    expect(d.projected.selected).toBe(report.counts.selected);
    expect(d.projected.cut.lowestSelected).toBeGreaterThanOrEqual(report.threshold!.rank);
    expect(d.projected.cut.highestCut).toBeLessThanOrEqual(report.threshold!.rank);
  });
});
