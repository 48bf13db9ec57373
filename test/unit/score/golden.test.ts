import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createProviders } from '../../../src/providers/index.ts';
import {
  chooseAnchors,
  GoldenConfigSchema,
  type GoldenModel,
  goldenScorer,
  hashedFeatures,
  kmeans,
  kmeansPlusPlus,
  nearestToCentroids,
} from '../../../src/score/golden/index.ts';
import {
  type AlpacaRow,
  createModel,
  readAlpaca,
  type Standin,
  scoreInput,
  startStandin,
} from '../../support/standin-lm/index.ts';

describe('anchor k-means', () => {
  // Three well-separated groups: {A,B,C} around (0,1), {D,E} around (100,0.5), {F,G} around (0.5,100).
  const pts = Float32Array.of(0, 0, 0, 1, 0, 2, 100, 0, 100, 1, 0, 100, 1, 100);
  const seq =
    (...xs: number[]) =>
    () =>
      xs.shift() as number;

  it('seeds with k-means++ D² sampling (hand-checked)', () => {
    // first: ⌊0·7⌋ = A. D² from A = [0,1,4,10000,10001,10000,10001], Σ = 40007; r = 0.5·Σ = 20003.5
    // passes B, C, D (cumulative 10005) and lands on E (20006). Then D² = min over {A,E} =
    // [0,1,4,1,0,10000,10001], Σ = 20007; r = 0.25·Σ = 5001.75 passes B, C, D and lands on F.
    expect(kmeansPlusPlus(pts, 2, 3, seq(0, 0.5, 0.25))).toEqual([0, 4, 5]);
  });

  it.each([0, 1, 2, 3, 4])('finds the three groups and their central records (seed %i)', (seed) => {
    const { centroids, assignments } = kmeans(pts, 2, 3, seed);
    const rows = [0, 1, 2]
      .map((c) => [centroids[c * 2], centroids[c * 2 + 1]])
      .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(rows).toEqual([
      [0, 1],
      [0.5, 100],
      [100, 0.5],
    ]);
    const a = [...assignments];
    expect(new Set([a[0], a[1], a[2]]).size).toBe(1);
    expect([a[3], a[5]]).toEqual([a[4], a[6]]);
    expect(new Set([a[0], a[3], a[5]]).size).toBe(3);
    // B is the centroid itself; D/E and F/G tie, and the lower index wins.
    expect(nearestToCentroids(pts, 2, centroids).sort()).toEqual([1, 3, 5]);
  });

  it('handles duplicates (an empty cluster keeps its centroid) and checks k', () => {
    const same = Float32Array.of(1, 1, 1, 1, 1, 1);
    const r = kmeans(same, 2, 2, 0);
    expect([...r.centroids]).toEqual([1, 1, 1, 1]);
    expect(nearestToCentroids(same, 2, r.centroids).sort()).toEqual([0, 1]);
    expect(() => kmeans(same, 2, 4, 0)).toThrow('k must be an integer in [1, n]');
  });

  it('hashes word uni+bigrams into unit rows', () => {
    const f = hashedFeatures(['the cat sat', 'The  cat sat!', ''], 64);
    let n0 = 0;
    for (let d = 0; d < 64; d++) n0 += f[d] * f[d];
    expect(n0).toBeCloseTo(1, 6);
    expect(f.subarray(0, 64)).toEqual(f.subarray(64, 128));
    expect(f.subarray(128).every((x) => x === 0)).toBe(true);
    expect(chooseAnchors(['a', 'b'], 5, 0)).toEqual([0, 1]);
  });
});

/** Mean ln p of the answer tokens in `context + answer`, from the model directly. */
const meanByHand = (lm: Standin, context: string, answer: string) => {
  const { offsets, logprobs } = lm.model.promptLogprobs(context + answer);
  let s = 0;
  let n = 0;
  offsets.forEach((o, i) => {
    if (o >= context.length && logprobs[i] !== null) [s, n] = [s + (logprobs[i] as number), n + 1];
  });
  return s / n;
};
const prompt = (instruction: string) => `### Instruction:\n${instruction}\n\n### Response:\n`;
const userText = (r: AlpacaRow) => (r.input?.trim() ? `${r.instruction}\n\n${r.input}` : r.instruction);

describe('golden score against the stand-in', () => {
  let lm: Standin;
  beforeAll(async () => {
    lm = await startStandin();
  });
  afterAll(() => lm.close());
  beforeEach(() => lm.resetStats());

  const anchorRows = readAlpaca('alpaca-gpt4-anchors-100.json');
  const anchors = anchorRows.map((r, i) => scoreInput(r, `a${i}`));
  const providers = (concurrency = 4) =>
    createProviders(
      { lm: { kind: 'openai', baseUrl: lm.url, model: lm.modelName, concurrency } },
      { fetch, secrets: {} },
    );

  it('a similar one-shot demonstration raises an anchor answer’s likelihood (the cache component)', () => {
    const a = anchorRows[0]; // Create an array containing the first 10 prime numbers.
    const demo = `${prompt('List the first five prime numbers.')}The first five prime numbers are 2, 3, 5, 7 and 11.\n\n`;
    const zero = meanByHand(lm, prompt(a.instruction), a.output);
    const one = meanByHand(lm, demo + prompt(a.instruction), a.output);
    expect(one - zero).toBeGreaterThan(0.2);
    // Without the cache, a trigram model cannot see past the prompt: the demonstration changes nothing.
    const flat = createModel(undefined, { lambdaCache: 0 });
    const lp = (t: string) =>
      flat.promptLogprobs(t).logprobs.slice(-lm.model.tokenize(a.output).tokens.length);
    expect(lp(demo + prompt(a.instruction) + a.output)).toEqual(lp(prompt(a.instruction) + a.output));
  });

  it('fits anchors from a reference set and scores candidates exactly', async () => {
    const config = GoldenConfigSchema.parse({ provider: 'lm', anchors: 'refs/anchors.json', maxAnchors: 6 });
    expect(goldenScorer.references?.(config)).toEqual(['refs/anchors.json']);
    const fit = await goldenScorer.fit!(
      { self: [], references: { 'refs/anchors.json': anchors }, seed: 7, providers: providers() },
      config,
    );
    const model = fit.model;
    expect(model.anchors).toHaveLength(6);
    expect(fit.summary).toMatchObject({ anchors: 6, source: 'references:refs/anchors.json', dropped: 0 });
    expect(lm.stats().completions).toBe(6); // one zero-shot request per anchor
    for (const a of model.anchors) {
      const row = anchorRows[Number(a.id.slice(1))];
      expect(a.prompt).toBe(prompt(userText(row)));
      expect(a.zeroShot).toBeCloseTo(meanByHand(lm, prompt(userText(row)), row.output), 12);
    }

    const first = anchorRows[Number(model.anchors[0].id.slice(1))];
    const candidates: AlpacaRow[] = [
      { instruction: `Please answer this: ${first.instruction}`, output: first.output }, // near-duplicate of an anchor
      readAlpaca('alpaca-random-9k.json')[3],
      { instruction: 'Reply with one word.', output: 'Zyzzyva.' },
    ];
    lm.resetStats();
    const rows = await goldenScorer.score(
      candidates.map((c, i) => scoreInput(c, `c${i}`)),
      config,
      { seed: 7, model, providers: providers(2) },
    );
    expect(lm.stats().completions).toBe(3 * 6);
    expect(lm.stats().maxInFlight).toBeLessThanOrEqual(2);
    const golden = candidates.map((c) => {
      const demo = `${prompt(userText(c))}${c.output}\n\n`;
      let wins = 0;
      for (const a of model.anchors) {
        const row = anchorRows[Number(a.id.slice(1))];
        const zero = meanByHand(lm, prompt(userText(row)), row.output);
        const one = meanByHand(lm, demo + prompt(userText(row)), row.output);
        if (one > zero) wins++;
      }
      return wins / 6;
    });
    expect(rows.map((r) => r.scores.golden)).toEqual(golden);
    expect(rows[0].note).toBe(`helps ${golden[0] * 6}/6 anchors`);
    // The near-duplicate helps its own anchor at least.
    expect(golden[0]).toBeGreaterThanOrEqual(1 / 6);
    expect(new Set(golden).size).toBeGreaterThan(1);
  });

  it('chooses anchors from the job sample by seeded k-means when none are given', async () => {
    const self = readAlpaca('alpaca-random-9k.json')
      .slice(0, 40)
      .map((r, i) => scoreInput(r, `s${i}`));
    const config = GoldenConfigSchema.parse({ provider: 'lm', maxAnchors: 4 });
    expect(goldenScorer.references?.(config)).toEqual([]);
    const fitWith = (seed: number) =>
      goldenScorer.fit!({ self, references: {}, seed, providers: providers() }, config);
    const m1 = (await fitWith(3)).model as GoldenModel;
    const m2 = (await fitWith(3)).model as GoldenModel;
    const texts = self.map((r) => `${r.turns[0].content}\n${r.turns[1].content}`);
    expect(m1.anchors.map((a) => a.id)).toEqual(chooseAnchors(texts, 4, 3).map((i) => `s${i}`));
    expect(m2).toEqual(m1);
    expect((await fitWith(3)).summary.source).toBe('sample');
  });

  it('fails clearly without providers or a fitted model', async () => {
    const config = GoldenConfigSchema.parse({ provider: 'lm' });
    await expect(
      Promise.resolve(goldenScorer.fit!({ self: anchors, references: {}, seed: 0 }, config)),
    ).rejects.toThrow(/scorer "golden" calls a model/);
    await expect(
      Promise.resolve(goldenScorer.score(anchors.slice(0, 1), config, { seed: 0, providers: providers() })),
    ).rejects.toThrow('golden: no fitted anchors (the fit stage must run first)');
    await expect(
      Promise.resolve(
        goldenScorer.fit!(
          { self: [], references: {}, seed: 0, providers: providers() },
          { ...config, anchors: 'x' },
        ),
      ),
    ).rejects.toThrow('golden: the anchor set x has no records');
  });
});
