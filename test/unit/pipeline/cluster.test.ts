import { describe, expect, it } from 'vitest';
import type { OutputLine } from '../../../schemas/output.ts';
import { RecipeSchema } from '../../../schemas/recipe.ts';
import {
  adjustedRandIndex,
  assignKmeans,
  fitBudget,
  fitModel,
  gmmPosteriors,
  type Matrix,
} from '../../../src/cluster/index.ts';
import { mulberry32 } from '../../../src/demo/index.ts';
import { decodeMatrix, pcaFinalize, pcaPartial, pcaProject } from '../../../src/embed/index.ts';
import {
  clustersKey,
  embedKey,
  type MemoryStore,
  memoryJob,
  memoryOutput,
  runLocal,
} from '../../../src/pipeline/index.ts';
import { fromJsonl } from '../../../src/pipeline/jsonl.ts';
import { readShardRecords } from '../../../src/pipeline/shard-records.ts';
import { clusterFitPath, DEFAULT_STARTS } from '../../../src/pipeline/stages/cluster/fit-path.ts';
import { FAN_IN } from '../../../src/pipeline/stages/cluster/plan.ts';
import { validateRecipe } from '../../../src/pipeline/validate-recipe.ts';
import { MemoryCellCache } from '../../../src/score/index.ts';
import { hashUniform } from '../../../src/util/hash-uniform.ts';
import { storedShardInfos } from '../../support/shard-infos.ts';

const TOPICS = [
  'oven flour butter sugar bake dough yeast whisk recipe knead pastry simmer garlic onion sauce',
  'galaxy telescope orbit planet nebula comet asteroid gravity photon quasar eclipse lunar solar cosmic',
  'compiler function variable array pointer loop recursion syntax debug runtime thread module class',
  'garden soil seed compost prune bloom root mulch shovel harvest sprout fertilizer weed tulip',
];

/** Records from four topics with disjoint vocabularies: the truth clustering is the topic. */
function topicRecords(n: number, seed: number) {
  const rand = mulberry32(seed);
  const vocab = TOPICS.map((t) => t.split(' '));
  return Array.from({ length: n }, (_, i) => {
    const t = i % TOPICS.length;
    const words = Array.from({ length: 24 }, () => vocab[t][Math.floor(rand() * vocab[t].length)]);
    return {
      topic: t,
      row: { instruction: `Write about ${vocab[t][i % 5]} ${i}`, output: `${words.join(' ')}.` },
    };
  });
}

async function run(rows: unknown[], recipe: unknown, id = 'c1') {
  const text = `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
  const { store, spec } = await memoryJob({ in: text }, RecipeSchema.parse(recipe), { id });
  validateRecipe(spec.recipe);
  const report = await runLocal(store, spec, { cells: () => new MemoryCellCache() });
  const read = async (file: string) => fromJsonl<OutputLine>(await memoryOutput(store, id, file));
  const lines = [...(await read('selected.jsonl')), ...(await read('rejected.jsonl'))].sort(
    (a, b) => a.source.index - b.source.index,
  );
  const clusters = JSON.parse(new TextDecoder().decode(store.objects.get(clustersKey(id))));
  return { store, report, lines, clusters };
}

const base = { shardBytes: 4000, scorers: [{ id: 'length' }, { id: 'lexical' }] };

describe('clustering as a pipeline stage', () => {
  it('k-means over hashed embeddings recovers the topics, across shards', async () => {
    const data = topicRecords(400, 1);
    const out = await run(
      data.map((d) => d.row),
      { ...base, cluster: { algorithm: 'kmeans', k: 4, seed: 3 } },
    );
    expect(out.report.stages.embed.shards).toBeGreaterThan(5);
    const labels = out.lines.map((l) => l.cluster!);
    expect(labels.every((c) => Number.isInteger(c) && c >= 0 && c < 4)).toBe(true);
    expect(
      adjustedRandIndex(
        Int32Array.from(data, (d) => d.topic),
        Int32Array.from(labels),
      ),
    ).toBeGreaterThanOrEqual(0.95);
    const { clusters } = out;
    expect(clusters).toMatchObject({ algorithm: 'kmeans', k: 4, records: 400 });
    expect(clusters.means).toHaveLength(4);
    expect(
      clusters.clusters.map((c: { size: number }) => c.size).reduce((a: number, b: number) => a + b),
    ).toBe(400);
    for (const c of clusters.clusters) {
      expect(c.nearest).toHaveLength(3);
      expect(c.scores.length).toBeGreaterThan(0);
    }
    expect(out.report.clusters).toMatchObject({
      algorithm: 'kmeans',
      k: 4,
      sizes: clusters.clusters.map((c: { size: number }) => c.size),
    });
    expect(out.report.clusters!.inertia).toBeCloseTo(clusters.inertia, 6);
  });

  it('gives the same clustering whatever the shard size', async () => {
    const rows = topicRecords(240, 2).map((d) => d.row);
    const cluster = { algorithm: 'kmeans', k: 4, seed: 5 };
    const a = await run(rows, { ...base, shardBytes: 2500, cluster }, 'a');
    const b = await run(rows, { ...base, shardBytes: 1_000_000, cluster }, 'b');
    expect(a.report.stages.embed.shards).toBeGreaterThan(3);
    expect(a.lines.map((l) => l.cluster)).toEqual(b.lines.map((l) => l.cluster));
    expect(a.clusters.inertia).toBeCloseTo(b.clusters.inertia, 6);
  });

  it('fit "full": reduces more than FAN_IN shards through merge levels, with the same result as one shard', async () => {
    const rows = topicRecords(400, 6).map((d) => d.row);
    for (const algorithm of ['kmeans', 'gmm']) {
      const cluster = { algorithm, k: 4, dim: 8, seed: 2, maxIter: 8, fit: 'full' };
      const many = await run(rows, { ...base, shardBytes: 1024, cluster }, `many-${algorithm}`);
      const one = await run(rows, { ...base, shardBytes: 1_000_000, cluster }, `one-${algorithm}`);
      expect(many.report.stages.embed.shards).toBeGreaterThan(FAN_IN);
      // Some steps wrote exactly one part per merge group.
      const parts = new Map<string, number>();
      for (const key of many.store.objects.keys()) {
        const m = /cluster\/stats\/(\d+)\//.exec(key);
        if (m) parts.set(m[1], (parts.get(m[1]) ?? 0) + 1);
      }
      const groups = Math.ceil(many.report.stages.embed.shards / FAN_IN);
      expect([...parts.values()]).toContain(groups);
      expect(many.lines.map((l) => l.cluster)).toEqual(one.lines.map((l) => l.cluster));
      const key = algorithm === 'gmm' ? 'meanLogLikelihood' : 'inertia';
      expect(many.clusters[key]).toBeCloseTo(one.clusters[key], 6);
    }
  });

  it('GMM: posteriors per record, and a mean log-likelihood that recomputes from the saved parameters', async () => {
    const rows = topicRecords(320, 3).map((d) => d.row);
    const out = await run(rows, { ...base, cluster: { algorithm: 'gmm', k: 4, dim: 16, seed: 1 } }, 'g');
    const { clusters } = out;
    expect(clusters).toMatchObject({ algorithm: 'gmm', k: 4, dim: 16 });
    expect(clusters.variances).toHaveLength(4);
    expect(clusters.weights.reduce((a: number, b: number) => a + b)).toBeCloseTo(1, 9);
    for (const l of out.lines) {
      expect(l.posteriors!.length).toBeGreaterThan(0);
      expect(l.posteriors![0].cluster).toBe(l.cluster);
      expect(l.posteriors!.reduce((a, p) => a + p.p, 0)).toBeLessThanOrEqual(1 + 1e-9);
    }
    // Recompute the mean log-likelihood from clusters.json and the stored (reduced) vectors.
    const params = {
      k: 4,
      dim: 16,
      weights: Float64Array.from(clusters.weights),
      means: Float64Array.from(clusters.means.flat()),
      variances: Float64Array.from(clusters.variances.flat()),
    };
    let total = 0;
    let n = 0;
    for (let s = 0; ; s++) {
      const bytes = out.store.objects.get(embedKey('g', s, 'reduced'));
      if (!bytes) break;
      const x = decodeMatrix(bytes);
      const post = gmmPosteriors(x, params, 1);
      for (const v of post.logLik) total += v;
      n += x.n;
    }
    expect(n).toBe(320);
    expect(clusters.meanLogLikelihood).toBeCloseTo(total / n, 6);
    expect(out.report.clusters!.meanLogLikelihood).toBeCloseTo(total / n, 6);
  });

  it('GMM with a k grid picks k by BIC, fitted on the sample or over every shard alike', async () => {
    const rows = topicRecords(320, 4).map((d) => d.row);
    const grids = [];
    for (const fit of ['sample', 'full']) {
      const out = await run(
        rows,
        { ...base, cluster: { algorithm: 'gmm', kGrid: [2, 4, 8], dim: 8, seed: 2, fit, nInit: 1 } },
        `grid-${fit}`,
      );
      const bic = out.report.clusters!.bic!;
      expect(bic.map((b) => b.k)).toEqual([2, 4, 8]);
      const best = bic.reduce((a, b) => (b.bic < a.bic ? b : a));
      expect(out.report.clusters!.k).toBe(best.k);
      expect(out.report.clusters!.fit).toEqual({
        path: fit,
        sample: 320,
        reason: 'recipe',
        starts: 1,
      });
      expect(out.clusters.bic).toHaveLength(3);
      grids.push(bic);
    }
    // The sample is every record here and one k-means start (the full path has no restarts): both paths fit the same rows. The full path's BIC takes the
    // log-likelihood of its last E-step, one M-step before the final parameters the sample fit's
    // takes: they differ by at most 2·n·tol.
    for (let i = 0; i < 3; i++)
      expect(Math.abs(grids[0][i].bic - grids[1][i].bic)).toBeLessThan(2 * 320 * 1e-4);
  });

  it('PCA over every shard (fit "full"): the reduced vectors equal a single-process PCA of all the embeddings', async () => {
    const data = topicRecords(300, 5);
    const out = await run(
      data.map((d) => d.row),
      { ...base, cluster: { algorithm: 'kmeans', k: 4, dim: 8, reduce: 'pca', seed: 1, fit: 'full' } },
      'pca',
    );
    const read = (which: 'embed' | 'reduced') => {
      const parts = [];
      for (let s = 0; ; s++) {
        const bytes = out.store.objects.get(embedKey('pca', s, which));
        if (!bytes) break;
        parts.push(decodeMatrix(bytes));
      }
      const dim = parts[0].dim;
      const n = parts.reduce((a, p) => a + p.n, 0);
      const flat = new Float32Array(n * dim);
      let at = 0;
      for (const p of parts) {
        flat.set(p.data.subarray(0, p.n * dim), at);
        at += p.n * dim;
      }
      return { data: flat, n, dim };
    };
    const full = read('embed');
    const reduced = read('reduced');
    expect(reduced.dim).toBe(8);
    const want = pcaProject(full, pcaFinalize(pcaPartial(full), 8));
    for (let i = 0; i < want.data.length; i++) expect(reduced.data[i]).toBeCloseTo(want.data[i], 4);
    const labels = Int32Array.from(out.lines, (l) => l.cluster!);
    expect(
      adjustedRandIndex(
        Int32Array.from(data, (d) => d.topic),
        labels,
      ),
    ).toBeGreaterThanOrEqual(0.95);
  });

  it('rejects a cluster without k, and a kGrid for k-means', () => {
    expect(() => RecipeSchema.parse({ cluster: { algorithm: 'kmeans' } })).toThrow(
      'cluster needs k or kGrid',
    );
    expect(() => RecipeSchema.parse({ cluster: { kGrid: [2, 3] } })).toThrow(
      'kGrid (choice of k by BIC) needs algorithm',
    );
    expect(() => validateRecipe(RecipeSchema.parse({ cluster: { k: 2 }, embed: { id: 'nope' } }))).toThrow(
      'embed.id: unknown embedder "nope"',
    );
  });
});

/** Every shard's record ids and stored vectors (`embed` or `reduced`), concatenated in shard order. */
async function vectors(store: MemoryStore, id: string, which: 'embed' | 'reduced') {
  const ids: string[] = [];
  const parts: Matrix[] = [];
  for (let s = 0; ; s++) {
    const bytes = store.objects.get(embedKey(id, s, which));
    if (!bytes) break;
    parts.push(decodeMatrix(bytes));
    for (const r of await readShardRecords(store, id, storedShardInfos(store, id)[s])) ids.push(r.id);
  }
  const dim = parts[0].dim;
  const data = new Float32Array(ids.length * dim);
  let at = 0;
  for (const p of parts) {
    data.set(p.data.subarray(0, p.n * dim), at);
    at += p.n * dim;
  }
  return { ids, x: { data, n: ids.length, dim } };
}

/** The rows of x whose record id is in the hash-uniform sample of `rate`. */
function sampleOf(x: Matrix, ids: string[], rate: number): Matrix {
  const rows = ids.flatMap((id, i) => (hashUniform(id) < rate ? [i] : []));
  const data = new Float32Array(rows.length * x.dim);
  rows.forEach((r, i) => {
    data.set(x.data.subarray(r * x.dim, (r + 1) * x.dim), i * x.dim);
  });
  return { data, n: rows.length, dim: x.dim };
}

const keysUnder = (store: MemoryStore, id: string, part: string) =>
  [...store.objects.keys()].filter((k) => k.startsWith(`jobs/${id}/${part}`));

describe('fitting on a sample in one task (cluster.fit "sample", the default)', () => {
  it('fits the hash-uniform sample, then assigns every record and sums the objective over all of them', async () => {
    const data = topicRecords(1200, 8);
    const truth = Int32Array.from(data, (d) => d.topic);
    for (const algorithm of ['kmeans', 'gmm'] as const) {
      const id = `s-${algorithm}`;
      const cluster = { algorithm, k: 4, dim: 16, seed: 5, sampleSize: 300 };
      const out = await run(
        data.map((d) => d.row),
        { ...base, shardBytes: 8000, cluster },
        id,
      );
      // The reference: the same rows picked by their ids' hash, fitted in this process.
      const { ids, x } = await vectors(out.store, id, 'reduced');
      const sample = sampleOf(x, ids, 300 / 1200);
      expect(sample.n).toBeGreaterThan(200);
      expect(sample.n).toBeLessThan(400);
      expect(out.report.clusters!.fit).toEqual({
        path: 'sample',
        sample: sample.n,
        reason: 'fits',
        starts: DEFAULT_STARTS,
      });
      expect(out.clusters.fit).toEqual({ path: 'sample', sample: sample.n });
      const ref = fitModel(sample, {
        algorithm,
        ks: [4],
        maxIter: 50,
        tol: 1e-4,
        seed: 5,
        varFloor: 1e-6,
        nInit: DEFAULT_STARTS,
      });
      const means = ref.model.kind === 'gmm' ? ref.model.means : ref.model.centroids;
      expect(out.clusters.means.flat()).toEqual(Array.from(means));
      expect(out.report.clusters!.iterations).toBe(ref.best.iterations);
      // One fit, one set of parameters: no Lloyd or EM steps over the shards.
      expect(keysUnder(out.store, id, 'cluster/params/')).toHaveLength(1);
      // Every record is assigned under those parameters, and the objective is over all 1,200.
      expect(out.lines).toHaveLength(1200);
      const labels = Int32Array.from(out.lines, (l) => l.cluster!);
      if (ref.model.kind === 'gmm') {
        const post = gmmPosteriors(x, ref.model, 1);
        expect(labels).toEqual(post.labels);
        const mean = post.logLik.reduce((a, b) => a + b, 0) / x.n;
        expect(out.clusters.meanLogLikelihood).toBeCloseTo(mean, 8);
        expect(out.report.clusters!.meanLogLikelihood).toBeCloseTo(mean, 8);
        expect(out.clusters.weights).toEqual(Array.from(ref.model.weights));
      } else {
        const a = assignKmeans(x, ref.model.centroids, 4);
        expect(labels).toEqual(a.labels);
        const inertia = a.dist2.reduce((s, d) => s + d, 0);
        expect(out.report.clusters!.inertia! / inertia).toBeCloseTo(1, 6);
      }
      expect(out.report.clusters!.sizes.reduce((a, b) => a + b)).toBe(1200);
      expect(adjustedRandIndex(truth, labels)).toBeGreaterThanOrEqual(0.95);
    }
  });

  it('gives the fit over every shard when the sample is every record', async () => {
    const rows = topicRecords(400, 6).map((d) => d.row);
    for (const algorithm of ['kmeans', 'gmm']) {
      // One start on both paths (the map-reduce fit runs one), so both fit the same rows from the same init.
      const cluster = { algorithm, k: 4, dim: 8, seed: 2, nInit: 1 };
      const sample = await run(rows, { ...base, shardBytes: 3000, cluster }, `all-sample-${algorithm}`);
      const full = await run(
        rows,
        { ...base, shardBytes: 3000, cluster: { ...cluster, fit: 'full' } },
        `all-full-${algorithm}`,
      );
      expect(sample.report.clusters!.fit).toEqual({
        path: 'sample',
        sample: 400,
        reason: 'fits',
        starts: 1,
      });
      expect(full.report.clusters!.fit).toEqual({ path: 'full', sample: 400, reason: 'recipe', starts: 1 });
      expect(sample.lines.map((l) => l.cluster)).toEqual(full.lines.map((l) => l.cluster));
      expect(sample.report.clusters!.iterations).toBe(full.report.clusters!.iterations);
      const key = algorithm === 'gmm' ? 'meanLogLikelihood' : 'inertia';
      expect(sample.clusters[key]).toBeCloseTo(full.clusters[key], 6);
      // The full path ran its iterations as steps over the shards; the sample path in one task.
      expect(keysUnder(full.store, `all-full-${algorithm}`, 'cluster/params/').length).toBeGreaterThan(2);
      expect(keysUnder(sample.store, `all-sample-${algorithm}`, 'cluster/params/')).toHaveLength(1);
    }
  });

  it('fits the PCA on the sample too: no PCA pass over the shards, every shard projected by the assign step', async () => {
    const data = topicRecords(900, 5);
    const cluster = { algorithm: 'kmeans', k: 4, dim: 8, reduce: 'pca', seed: 1, sampleSize: 300 };
    const out = await run(
      data.map((d) => d.row),
      { ...base, cluster },
      'pca-sample',
    );
    expect(keysUnder(out.store, 'pca-sample', 'embed/pca/')).toEqual(['jobs/pca-sample/embed/pca/model.bin']);
    const { ids, x } = await vectors(out.store, 'pca-sample', 'embed');
    const sample = sampleOf(x, ids, 300 / 900);
    expect(out.report.clusters!.fit).toMatchObject({ path: 'sample', sample: sample.n });
    const want = pcaProject(x, pcaFinalize(pcaPartial(sample), 8));
    const reduced = (await vectors(out.store, 'pca-sample', 'reduced')).x;
    expect(reduced.dim).toBe(8);
    for (let i = 0; i < want.data.length; i++) expect(reduced.data[i]).toBeCloseTo(want.data[i], 4);
    const labels = Int32Array.from(out.lines, (l) => l.cluster!);
    expect(
      adjustedRandIndex(
        Int32Array.from(data, (d) => d.topic),
        labels,
      ),
    ).toBeGreaterThanOrEqual(0.95);
  });

  it('falls back to the fit over every shard when the sample would not fit one task, and says why', () => {
    // 1,024-d, a grid of k = 2 and 64 run up to 500 iterations from one k-means start: 533 rows fit
    // 10 s of CPU (fitBudget). Each further start (nInit) costs its k-means iterations again.
    const cluster = RecipeSchema.parse({
      cluster: { algorithm: 'gmm', kGrid: [2, 64], maxIter: 500, nInit: 1 },
    }).cluster!;
    const four = clusterFitPath(
      { ...cluster, nInit: 4, fit: 'sample' },
      { records: 2000, embedDim: 1024, shards: 8 },
    );
    expect(four.rows).toBeLessThan(533);
    const at = { records: 2000, embedDim: 1024, shards: 8 };
    expect(clusterFitPath(cluster, at)).toEqual({ path: 'full', rows: 2000, reason: 'cpu', starts: 1 });
    // Asked for, the sample shrinks to what fits; `full` is always what the recipe says.
    expect(clusterFitPath({ ...cluster, fit: 'sample' }, at)).toEqual({
      path: 'sample',
      rows: 533,
      reason: 'recipe',
      starts: 1,
    });
    expect(clusterFitPath({ ...cluster, fit: 'full' }, { ...at, records: 300 })).toEqual({
      path: 'full',
      rows: 300,
      reason: 'recipe',
      starts: 1,
    });
    const small = RecipeSchema.parse({ cluster: { k: 8 } }).cluster!;
    expect(clusterFitPath(small, { records: 1e6, embedDim: 256, shards: 200 })).toEqual({
      path: 'sample',
      rows: 20_000,
      reason: 'fits',
      starts: DEFAULT_STARTS,
    });
    expect(
      clusterFitPath({ ...small, sampleSize: 200_000 }, { records: 1e6, embedDim: 1024, shards: 200 }),
    ).toMatchObject({ path: 'full', reason: 'memory' });
    expect(clusterFitPath(small, { records: 1e6, embedDim: 256, shards: 9_001 })).toMatchObject({
      path: 'full',
      reason: 'reads',
    });
  });

  it('without nInit, starts as many k-means++ fits as the CPU budget allows, up to 10', () => {
    const at = { records: 1e6, embedDim: 128, shards: 200 };
    const path = (cluster: object) => clusterFitPath(RecipeSchema.parse({ cluster }).cluster!, at);
    // 20,000 × 128 at k = 64: ten starts would cost more than one task's CPU (fitBudget), nine do not.
    expect(path({ k: 64 })).toEqual({ path: 'sample', rows: 20_000, reason: 'fits', starts: 9 });
    expect(
      fitBudget({ algorithm: 'kmeans', ks: [64], dim: 128, maxIter: 50, parts: 200, nInit: 10 }).cpu,
    ).toBeLessThan(20_000);
    // k = 256: three starts; one start fits, so the fit stays on the sample (with nInit: 4 it would not).
    expect(path({ k: 256 })).toMatchObject({ path: 'sample', starts: 3 });
    expect(path({ k: 256, nInit: 4 })).toMatchObject({ path: 'full', reason: 'cpu', starts: 1 });
    // A given nInit is kept as it is.
    expect(path({ k: 64, nInit: 4 })).toMatchObject({ path: 'sample', starts: 4 });
    expect(path({ k: 8, nInit: 20 })).toMatchObject({ path: 'sample', starts: 20 });
  });
});
