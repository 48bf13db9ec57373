import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { OutputLine } from '../../../schemas/output.ts';
import { RecipeSchema } from '../../../schemas/recipe.ts';
import { generateDemo } from '../../../src/demo/index.ts';
import { MemoryStore, memoryOutput, runLocal } from '../../../src/pipeline/index.ts';
import { fromJsonl } from '../../../src/pipeline/jsonl.ts';
import { validateRecipe } from '../../../src/pipeline/validate-recipe.ts';
import type { ProviderSet } from '../../../src/providers/index.ts';
import { MemoryCellCache, registerScorer, type Scorer } from '../../../src/score/index.ts';
import { learningRateMultipliers } from '../../../src/score/self-critique/index.ts';
import { dataFile } from '../../support/data.ts';

// A learning scorer: its model is the mean answer length of what it was fitted on.
let fits = 0;
const meanScorer: Scorer<{ scale: number; reference?: string }, { mean: number; n: number }> = {
  id: 'test-mean',
  version: 1,
  kind: 'offline',
  description: 'answer length relative to the fitted mean',
  config: z.strictObject({ scale: z.number().default(1), reference: z.string().optional() }),
  outputs: ['rel_len'],
  references: (c) => (c.reference ? [c.reference] : []),
  fit({ self, references }, c) {
    fits++;
    const data = c.reference ? references[c.reference] : self;
    const lens = data.map((r) => r.turns.at(-1)?.content.length ?? 0);
    const mean = lens.reduce((a, b) => a + b, 0) / Math.max(1, lens.length);
    return { model: { mean, n: data.length }, summary: { records: data.length, mean } };
  },
  score(batch, c, { model }) {
    return batch.map((r) => ({
      scores: { rel_len: Math.min(1, ((r.turns.at(-1)?.content.length ?? 0) / model!.mean) * c.scale * 0.5) },
    }));
  },
};
registerScorer(meanScorer);

async function setup(text: string, extra?: string) {
  const store = new MemoryStore();
  await store.put('in', text);
  if (extra !== undefined) await store.put('in2', extra);
  const objects = [(await store.head('in'))!];
  if (extra !== undefined) objects.push((await store.head('in2'))!);
  return { store, objects };
}

async function run(
  store: MemoryStore,
  objects: { key: string; size: number; etag: string }[],
  recipe: unknown,
  cells: MemoryCellCache,
  id = 'j1',
  providers?: ProviderSet,
) {
  const spec = { id, dataset: 'd', objects, recipe: RecipeSchema.parse(recipe), createdAt: '' };
  validateRecipe(spec.recipe);
  const report = await runLocal(store, spec, {
    cells: () => cells,
    providers: providers && (() => providers),
  });
  const read = async (file: string) => fromJsonl<OutputLine>(await memoryOutput(store, id, file));
  return { report, selected: await read('selected.jsonl'), rejected: await read('rejected.jsonl') };
}

// Two scorers that report whether they saw the input row: one asks for it, one does not.
const rowScorer = (id: string, readsRecord: boolean): Scorer<Record<string, never>> => ({
  id,
  version: 1,
  kind: 'offline',
  description: 'whether the input row reached the scorer',
  config: z.strictObject({}),
  outputs: [id],
  ...(readsRecord ? { readsRecord } : {}),
  score: (batch) =>
    batch.map((r) => ({ scores: { [id]: (r.record as { tag?: number } | undefined)?.tag ?? -1 } })),
});
registerScorer(rowScorer('test-reads-row', true));
registerScorer(rowScorer('test-no-row', false));

const SCORERS = [
  { id: 'length', config: {} },
  { id: 'lexical', config: {} },
  { id: 'test-mean', config: {} },
];

describe('the input row at scoring', () => {
  const text = `${[0, 1, 2, 3]
    .map((i) => JSON.stringify({ instruction: `Say ${i} twice, please.`, output: `${i} ${i}`, tag: i * 10 }))
    .join('\n')}\n  {"instruction": "Spaced out row.",   "output": "Fine", "tag": 7}\n`;

  it('reaches a scorer that reads it (readsRecord), as given; without one, scoring reads no rows', async () => {
    const { store, objects } = await setup(text);
    const scored = async (id: string, job: string) => {
      const recipe = { scorers: [{ id, config: {} }], select: { budget: '100%' } };
      const out = await run(store, objects, recipe, new MemoryCellCache(), job);
      return [...out.selected, ...out.rejected].sort((a, b) => a.source.index - b.source.index);
    };
    const reads = await scored('test-reads-row', 'j1');
    expect(reads.map((l) => l.scores['test-reads-row'])).toEqual([0, 10, 20, 30, 7]);
    expect((await scored('test-no-row', 'j2')).map((l) => l.scores['test-no-row'])).toEqual([
      -1, -1, -1, -1, -1,
    ]);
    // The rows are kept as given, line for line with the records; the output wraps each one.
    const rows = new TextDecoder().decode(store.objects.get('jobs/j1/shards/00000/rows.jsonl')).split('\n');
    expect(rows[4]).toBe('  {"instruction": "Spaced out row.",   "output": "Fine", "tag": 7}');
    expect(reads[4].record).toEqual({ instruction: 'Spaced out row.', output: 'Fine', tag: 7 });
  });
});

describe('the cell cache', () => {
  it('a second identical run computes 0 cells and selects the same records', async () => {
    const { store, objects } = await setup(generateDemo({ records: 400, seed: 3 }));
    const cells = new MemoryCellCache();
    const recipe = { shardBytes: 8000, scorers: SCORERS, select: { budget: '25%' } };
    const a = await run(store, objects, recipe, cells, 'a');
    // One cell per distinct content of each shard: a copy of a record in another shard is scored
    // there too, unless that shard holds enough of this one's records to be read (LOCATE_MIN_SHARE).
    const distinct = new Set([...a.selected, ...a.rejected].map((l) => l.hash)).size;
    const { computed } = a.report.scoring.byScorer.length;
    expect(computed).toBeGreaterThanOrEqual(distinct);
    expect(computed).toBeLessThanOrEqual(a.report.counts.valid);
    expect(a.report.scoring.computed).toBe(3 * computed);
    const b = await run(store, objects, recipe, cells, 'b');
    const cells1 = a.report.scoring.computed + a.report.scoring.cached;
    expect(b.report.scoring).toMatchObject({ computed: 0, cached: cells1 });
    expect(b.selected.map((l) => l.id)).toEqual(a.selected.map((l) => l.id));
    expect(b.selected.map((l) => l.scores)).toEqual(a.selected.map((l) => l.scores));
    expect(b.report.fits['test-mean']).toMatchObject({ reused: true });
  });

  it('a changed config recomputes only that scorer; appended records score only the new ones', async () => {
    const { store, objects } = await setup(
      generateDemo({ records: 300, seed: 4 }),
      generateDemo({ records: 30, seed: 99 }),
    );
    const cells = new MemoryCellCache();
    const first = [objects[0]];
    const a = await run(store, first, { shardBytes: 8000, scorers: SCORERS }, cells, 'a');
    const n = a.report.scoring.byScorer.length.computed + a.report.scoring.byScorer.length.cached;
    const changed = SCORERS.map((s) => (s.id === 'lexical' ? { id: 'lexical', config: { window: 20 } } : s));
    const b = await run(store, first, { shardBytes: 8000, scorers: changed }, cells, 'b');
    const { computed, cached } = a.report.scoring.byScorer.lexical;
    expect(b.report.scoring.byScorer.lexical).toMatchObject({ computed, cached });
    expect(b.report.scoring.byScorer.length).toMatchObject({ computed: 0, cached: n });
    expect(b.report.scoring.byScorer['test-mean']).toMatchObject({ computed: 0, cached: n });
    const c = await run(store, objects, { shardBytes: 8000, scorers: changed }, cells, 'c');
    const added = c.report.scoring.byScorer.length.computed;
    expect(added).toBeGreaterThan(0);
    expect(added).toBeLessThanOrEqual(30);
    expect(c.report.counts.valid).toBe(a.report.counts.valid + 30);
    expect(c.report.scoring.byScorer.length.cached).toBe(n);
    // The fitted model is frozen per dataset, so old cells of the learning scorer stay valid.
    expect(c.report.scoring.byScorer['test-mean']).toEqual(
      expect.objectContaining({ computed: added, cached: n }),
    );
  });

  it('the embedder is fitted once per dataset: later jobs and appended records embed with its model', async () => {
    const { store, objects } = await setup(
      generateDemo({ records: 300, seed: 6 }),
      generateDemo({ records: 40, seed: 98 }),
    );
    const cells = new MemoryCellCache();
    const recipe = { shardBytes: 8000, scorers: SCORERS, cluster: { k: 3 } };
    const a = await run(store, [objects[0]], recipe, cells, 'a');
    expect(a.report.fits['embed:tfidf']).toMatchObject({ reused: false, summary: { dim: 128 } });
    expect(a.report.fits['embed:tfidf'].summary.vocabulary).toBeGreaterThan(50);
    const b = await run(store, objects, recipe, cells, 'b');
    expect(b.report.fits['embed:tfidf']).toMatchObject({
      reused: true,
      summary: a.report.fits['embed:tfidf'].summary,
    });
    const c = await run(store, objects, { ...recipe, fit: { refit: true } }, cells, 'c');
    expect(c.report.fits['embed:tfidf'].reused).toBe(false);
    // Without clustering or exported embeddings, nothing is embedded and nothing fitted for it.
    const d = await run(store, objects, { shardBytes: 8000, scorers: SCORERS }, cells, 'd');
    expect(d.report.fits['embed:tfidf']).toBeUndefined();
  });

  it('cache: false computes everything and leaves the cache alone', async () => {
    const { store, objects } = await setup(generateDemo({ records: 100, seed: 5 }));
    const cells = new MemoryCellCache();
    await run(store, objects, { scorers: SCORERS }, cells, 'a');
    const b = await run(store, objects, { scorers: SCORERS, cache: false }, cells, 'b');
    expect(b.report.scoring.cached).toBe(0);
    expect(b.report.fits['test-mean'].reused).toBe(false);
  });
});

describe('the fit stage', () => {
  it('fits on a hash-uniform sample of the dataset once, and reuses the model', async () => {
    const { store, objects } = await setup(generateDemo({ records: 500, seed: 6 }));
    const cells = new MemoryCellCache();
    const before = fits;
    const recipe = { shardBytes: 5000, scorers: SCORERS, fit: { sampleSize: 100 } };
    const a = await run(store, objects, recipe, cells, 'a');
    expect(fits).toBe(before + 1);
    const summary = a.report.fits['test-mean'].summary;
    // ~100 of ~500 valid records: a binomial sample, deterministic by content hash.
    expect(summary.records).toBeGreaterThan(60);
    expect(summary.records).toBeLessThan(140);
    const b = await run(store, objects, recipe, cells, 'b');
    expect(fits).toBe(before + 1);
    expect(b.report.fits['test-mean'].summary).toEqual(summary);
    await run(store, objects, { ...recipe, fit: { sampleSize: 100, refit: true } }, cells, 'c');
    expect(fits).toBe(before + 2);
  });

  it('fits on a reference object in any format, and fails clearly when it is missing', async () => {
    const { store, objects } = await setup(generateDemo({ records: 100, seed: 7 }));
    const ref = [
      { instruction: 'a', output: 'x'.repeat(10) },
      { instruction: 'b', output: 'y'.repeat(30) },
    ];
    await store.put('refs/r.json', JSON.stringify(ref));
    const scorers = [{ id: 'test-mean', config: { reference: 'refs/r.json' } }];
    const out = await run(store, objects, { scorers }, new MemoryCellCache());
    expect(out.report.fits['test-mean'].summary).toEqual({ records: 2, mean: 20 });
    const missing = [{ id: 'test-mean', config: { reference: 'refs/nope.jsonl' } }];
    await expect(run(store, objects, { scorers: missing }, new MemoryCellCache(), 'j2')).rejects.toThrow(
      'reference dataset "refs/nope.jsonl" is not in the bucket',
    );
  });
});

describe('filters', () => {
  it('reject with filter:<scorer> before the budget, and say when the budget is out of reach', async () => {
    const { store, objects } = await setup(generateDemo({ records: 400, seed: 8 }));
    const recipe = {
      scorers: SCORERS,
      // The demo generator repeats records: dedup off keeps this test about filters.
      select: { dedup: false, filters: [{ score: 'length', min: 0.6 }], budget: '90%' },
    };
    const out = await run(store, objects, recipe, new MemoryCellCache());
    const { counts, rejectedByReason, budget } = out.report;
    const short = out.rejected.filter((l) => l.reason === 'filter:length');
    expect(short.length).toBe(rejectedByReason['filter:length']);
    expect(short.every((l) => l.scores.length < 0.6 && l.rank === -1)).toBe(true);
    expect(out.selected.every((l) => l.scores.length >= 0.6)).toBe(true);
    expect(counts.selected).toBe(counts.valid - short.length);
    expect(budget).toMatchObject({ target: Math.round(counts.valid * 0.9), reachable: false });
  });

  it('spend an exact budget on the candidates that pass', async () => {
    const { store, objects } = await setup(generateDemo({ records: 400, seed: 8 }));
    const recipe = {
      scorers: SCORERS,
      select: { dedup: false, filters: [{ score: 'length', min: 0.3 }], budget: 50 },
    };
    const out = await run(store, objects, recipe, new MemoryCellCache());
    expect(out.report.counts.selected).toBe(50);
    expect(out.report.budget.reachable).toBe(true);
    expect(Object.keys(out.report.rejectedByReason).sort()).toEqual(['budget', 'filter:length']);
  });

  it('a filter on a score nobody writes is a validation error', () => {
    const recipe = RecipeSchema.parse({ scorers: SCORERS, select: { filters: [{ score: 'nope', max: 1 }] } });
    expect(() => validateRecipe(recipe)).toThrow(
      'select.filters[0].score: no scorer in the recipe writes "nope"; available: diversity, length, quality, rel_len, repetition',
    );
    expect(() => RecipeSchema.parse({ select: { filters: [{ score: 'x' }] } })).toThrow(
      'a filter needs min or max',
    );
  });
});

describe('learning scorers in the pipeline, on real data', () => {
  const dolly = readFileSync(dataFile('dolly-3k.json'), 'utf8');

  it('classifier: trained from a label field of the dataset, k-fold AUC in the report', async () => {
    const { store, objects } = await setup(dolly);
    const scorers = [{ id: 'classifier', config: { labelField: 'category', positive: ['open_qa'] } }];
    const out = await run(
      store,
      objects,
      { shardBytes: 256 * 1024, scorers, fit: { sampleSize: 500 } },
      new MemoryCellCache(),
    );
    const { summary } = out.report.fits.classifier;
    // Every labelled row is fitted on, not only the 500 sampled: all 2,996 rows carry a category.
    expect(summary).toMatchObject({ records: 2996, folds: 5 });
    // open_qa against the seven other categories: 0.886 when measured.
    expect(summary.auc).toBeGreaterThan(0.8);
    const lines = [...out.selected, ...out.rejected];
    const pos = lines.filter((l) => (l.record as { category: string }).category === 'open_qa');
    const mean = (xs: OutputLine[]) => xs.reduce((a, l) => a + l.scores.classifier, 0) / xs.length;
    expect(mean(pos)).toBeGreaterThan(mean(lines) + 0.2);
  });

  it('dsir: importance weights against a target object; perplexity trained on a reference', async () => {
    const alpaca = readFileSync(dataFile('alpaca-random-9k.json'), 'utf8');
    const some = JSON.stringify((JSON.parse(alpaca) as unknown[]).slice(0, 300));
    const { store, objects } = await setup(dolly, some);
    await store.put('refs/anchors.json', readFileSync(dataFile('alpaca-gpt4-anchors-100.json')));
    await store.put('refs/alpaca.json', alpaca);
    const scorers = [
      { id: 'dsir', config: { target: 'refs/anchors.json' } },
      { id: 'perplexity', config: { reference: 'refs/alpaca.json' } },
    ];
    const out = await run(store, objects, { shardBytes: 256 * 1024, scorers }, new MemoryCellCache());
    expect(out.report.fits.dsir.reused).toBe(false);
    expect(out.report.fits.perplexity.summary.records).toBe(9229);
    const lines = [...out.selected, ...out.rejected];
    expect(lines.every((l) => Number.isFinite(l.scores.dsir) && l.scores.perplexity > 1)).toBe(true);
    // Against Alpaca-GPT4 anchors, the 300 Alpaca records (part 1) weigh more than Dolly's (part 0).
    const mean = (xs: OutputLine[]) => xs.reduce((a, l) => a + l.scores.dsir, 0) / xs.length;
    const fromAlpaca = lines.filter((l) => l.source.part === 1);
    expect(fromAlpaca).toHaveLength(300);
    expect(mean(fromAlpaca)).toBeGreaterThan(mean(lines.filter((l) => l.source.part === 0)));
  });
});

describe('dataset-wide outputs', () => {
  // The model under training, in process: it rates an example 1 + (answer length mod 10), or says
  // nothing useful about answers that start with "Bad".
  const rating = (answer: string) => 1 + (answer.length % 10);
  const model: ProviderSet = {
    get: () => ({
      name: 'p',
      async chat(req) {
        const answer = /### Response:\n([\s\S]*?)\n\n### Your task/.exec(req.messages.at(-1)!.content)![1];
        return { text: answer.startsWith('Bad') ? 'No idea.' : `Rating: ${rating(answer)}\nFine.` };
      },
      continuationLogprobs: async () => [],
      embed: async () => [],
    }),
    usage: () => ({ requests: 0, cached: 0, failed: 0 }),
  };
  const providers = { p: { kind: 'openai', baseUrl: 'http://127.0.0.1:9/v1', model: 'm' } };
  const critique = (mapping: unknown) => [{ id: 'self_critique', config: { provider: 'p', mapping } }];

  it('self-critique softmax: learning-rate multipliers over every record of the dataset, written at export', async () => {
    const rows = Array.from({ length: 120 }, (_, i) => ({
      instruction: `Task ${i}`,
      output: i % 17 === 0 ? 'Bad answer' : `An answer of some length ${'x'.repeat(i % 23)}.`,
    }));
    const { store, objects } = await setup(rows.map((r) => JSON.stringify(r)).join('\n'));
    const recipe = {
      shardBytes: 1500,
      scorers: critique({ kind: 'softmax', temperature: 2 }),
      providers,
      select: { budget: 40 },
    };
    const out = await run(store, objects, recipe, new MemoryCellCache(), 'sm', model);
    expect(out.report.stages.score.shards).toBeGreaterThan(3);
    const lines = [...out.selected, ...out.rejected].sort((a, b) => a.source.index - b.source.index);
    const ratings = Float64Array.from(rows, (r) =>
      r.output.startsWith('Bad') ? Number.NaN : rating(r.output),
    );
    const want = learningRateMultipliers(ratings, { kind: 'softmax', temperature: 2 });
    lines.forEach((l, i) => {
      expect(l.scores.lr_multiplier).toBeCloseTo(want[i], 12);
    });
    // Unrated records train at the neutral 1; the rated ones average exactly 1.
    const rated = lines.filter((l) => !l.flags?.includes('self_critique_unparsed'));
    expect(rated.length).toBe(120 - 8);
    expect(rated.reduce((a, l) => a + l.scores.lr_multiplier, 0)).toBeCloseTo(rated.length, 9);
    expect(
      lines
        .filter((l) => l.flags?.includes('self_critique_unparsed'))
        .every((l) => l.scores.lr_multiplier === 1),
    ).toBe(true);
  });

  it('cannot be ranked or filtered by, since it is known only at export', () => {
    const recipe = RecipeSchema.parse({
      scorers: critique({ kind: 'softmax' }),
      providers,
      select: {
        filters: [{ score: 'lr_multiplier', min: 0.5 }],
        rank: { terms: [{ score: 'lr_multiplier' }] },
      },
    });
    expect(() => validateRecipe(recipe)).toThrow(
      'select.filters[0].score: "lr_multiplier" is computed over the whole dataset at export, so it cannot be filtered or ranked by; select.rank.terms[0].score: "lr_multiplier" is computed',
    );
    // With the per-record linear mapping it is an ordinary score.
    expect(() =>
      validateRecipe(
        RecipeSchema.parse({
          scorers: critique({ kind: 'linear' }),
          providers,
          select: { rank: { terms: [{ score: 'lr_multiplier' }] } },
        }),
      ),
    ).not.toThrow();
  });
});
