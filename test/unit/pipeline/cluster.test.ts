import { describe, expect, it } from 'vitest';
import type { OutputLine } from '../../../schemas/output.ts';
import { RecipeSchema } from '../../../schemas/recipe.ts';
import { adjustedRandIndex, gmmPosteriors } from '../../../src/cluster/index.ts';
import { mulberry32 } from '../../../src/demo/index.ts';
import { decodeMatrix, pcaFinalize, pcaPartial, pcaProject } from '../../../src/embed/index.ts';
import { clustersKey, embedKey, memoryJob, memoryOutput, runLocal } from '../../../src/pipeline/index.ts';
import { fromJsonl } from '../../../src/pipeline/jsonl.ts';
import { FAN_IN } from '../../../src/pipeline/stages/cluster/plan.ts';
import { validateRecipe } from '../../../src/pipeline/validate-recipe.ts';
import { MemoryCellCache } from '../../../src/score/index.ts';

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

  it('reduces more than FAN_IN shards through merge levels, with the same result as one shard', async () => {
    const rows = topicRecords(400, 6).map((d) => d.row);
    for (const algorithm of ['kmeans', 'gmm']) {
      const cluster = { algorithm, k: 4, dim: 8, seed: 2, maxIter: 8 };
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

  it('GMM with a k grid picks k by BIC', async () => {
    const rows = topicRecords(320, 4).map((d) => d.row);
    const out = await run(
      rows,
      { ...base, cluster: { algorithm: 'gmm', kGrid: [2, 4, 8], dim: 8, seed: 2 } },
      'grid',
    );
    const bic = out.report.clusters!.bic!;
    expect(bic.map((b) => b.k)).toEqual([2, 4, 8]);
    const best = bic.reduce((a, b) => (b.bic < a.bic ? b : a));
    expect(out.report.clusters!.k).toBe(best.k);
    expect(out.clusters.bic).toHaveLength(3);
  });

  it('PCA over every shard: the reduced vectors equal a single-process PCA of all the embeddings', async () => {
    const data = topicRecords(300, 5);
    const out = await run(
      data.map((d) => d.row),
      { ...base, cluster: { algorithm: 'kmeans', k: 4, dim: 8, reduce: 'pca', seed: 1 } },
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
