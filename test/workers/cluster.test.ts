import { describe, expect, it } from 'vitest';
import type { Report } from '../../schemas/output.ts';
import { adjustedRandIndex } from '../../src/cluster/index.ts';
import { mulberry32 } from '../../src/demo/index.ts';
import { api, json, lines, output, startJob, upload, waitForJob } from './helpers.ts';

const TOPICS = [
  'oven flour butter sugar bake dough yeast whisk recipe knead pastry simmer garlic onion sauce',
  'galaxy telescope orbit planet nebula comet asteroid gravity photon quasar eclipse lunar solar cosmic',
  'compiler function variable array pointer loop recursion syntax debug runtime thread module class',
];

function topicJsonl(n: number): string {
  const rand = mulberry32(9);
  const vocab = TOPICS.map((t) => t.split(' '));
  const rows = Array.from({ length: n }, (_, i) => {
    const v = vocab[i % vocab.length];
    const words = Array.from({ length: 20 }, () => v[Math.floor(rand() * v.length)]);
    return JSON.stringify({ instruction: `Explain ${v[i % 4]} ${i}`, output: `${words.join(' ')}.` });
  });
  return `${rows.join('\n')}\n`;
}

describe('clustering on workerd', () => {
  it('GMM over shards: every record has a cluster and posteriors; clusters.json and embeddings.npy are served', async () => {
    await upload('topics', topicJsonl(150));
    const id = await startJob('topics', {
      shardBytes: 3000,
      scorers: [{ id: 'length' }],
      cluster: { algorithm: 'gmm', k: 3, dim: 32, seed: 4 },
      exportEmbeddings: true,
      embed: { id: 'hashed', config: { dim: 128, charNgrams: false } },
    });
    const status = await waitForJob(id);
    expect(status.state).toBe('done');
    const report = await json<Report>(await api(`/v1/jobs/${id}/outputs/report.json`));
    // workerd runs the bundled WebAssembly SIMD kernel (it cannot compile one from bytes).
    expect(report.clusters).toMatchObject({ algorithm: 'gmm', k: 3 });
    expect(report.clusters!.kernel).toMatch(/^wasm/);
    expect(report.clusters!.sizes.reduce((a, b) => a + b)).toBe(150);
    expect(report.stages.cluster.shards).toBeGreaterThan(0);

    const all = [...lines(await output(id, 'selected.jsonl')), ...lines(await output(id, 'rejected.jsonl'))];
    expect(all).toHaveLength(150);
    // The topics are recovered (the same fit as src/cluster's single-process GMM gives: ARI 0.88).
    for (const l of all) expect(l.posteriors[0].cluster).toBe(l.cluster);
    const sorted = all.sort((a, b) => a.source.index - b.source.index);
    const truth = Int32Array.from(sorted, (l) => l.source.index % 3);
    expect(
      adjustedRandIndex(
        truth,
        Int32Array.from(sorted, (l) => l.cluster),
      ),
    ).toBeGreaterThan(0.8);

    const clusters = await json(await api(`/v1/jobs/${id}/outputs/clusters.json`));
    expect(clusters).toMatchObject({ algorithm: 'gmm', k: 3, dim: 32, records: 150 });
    expect(clusters.meanLogLikelihood).toBeCloseTo(report.clusters!.meanLogLikelihood!, 9);

    const files = (await json(await api(`/v1/jobs/${id}/outputs`))).files.map(
      (f: { name: string }) => f.name,
    );
    expect(files).toEqual(expect.arrayContaining(['clusters.json', 'embeddings.npy']));
    const npy = new Uint8Array(await (await api(`/v1/jobs/${id}/outputs/embeddings.npy`)).arrayBuffer());
    expect(String.fromCharCode(...npy.subarray(1, 6))).toBe('NUMPY');
    const headerLen = npy[8] | (npy[9] << 8);
    const header = new TextDecoder().decode(npy.subarray(10, 10 + headerLen));
    expect(header).toContain("'descr': '<f4'");
    expect(header).toContain("'shape': (150, 128)");
    expect(npy.byteLength).toBe(10 + headerLen + 150 * 128 * 4);
    // Rows are L2-normalized embeddings.
    const rows = new Float32Array(npy.slice(10 + headerLen).buffer);
    let norm = 0;
    for (let j = 0; j < 128; j++) norm += rows[j] * rows[j];
    expect(norm).toBeCloseTo(1, 5);
  });

  it('fits on a sample by default and over every shard with fit "full": both assign every record', async () => {
    await upload('topics-600', topicJsonl(600));
    const base = {
      shardBytes: 6000,
      scorers: [{ id: 'length' }],
      embed: { id: 'hashed', config: { dim: 128, charNgrams: false } },
    };
    const runs = [];
    for (const fit of [undefined, 'full'] as const) {
      const cluster = { algorithm: 'gmm', k: 3, dim: 32, seed: 4, sampleSize: 200, ...(fit ? { fit } : {}) };
      const id = await startJob('topics-600', { ...base, cluster });
      expect((await waitForJob(id)).state).toBe('done');
      const report = await json<Report>(await api(`/v1/jobs/${id}/outputs/report.json`));
      const all = [
        ...lines(await output(id, 'selected.jsonl')),
        ...lines(await output(id, 'rejected.jsonl')),
      ];
      runs.push({ report, all });
    }
    const [sample, full] = runs;
    // The default: the whole fit in one task on the hash-uniform sample (about a third of 600).
    // Without nInit, 10 k-means++ starts on the sample; the map-reduce fit runs one.
    expect(sample.report.clusters!.fit).toMatchObject({ path: 'sample', reason: 'fits', starts: 10 });
    expect(sample.report.clusters!.fit.sample).toBeGreaterThan(150);
    expect(sample.report.clusters!.fit.sample).toBeLessThan(250);
    // fit "full": map-reduce over the shards, k-means++ seeded on the same sample.
    expect(full.report.clusters!.fit).toEqual({
      ...sample.report.clusters!.fit,
      path: 'full',
      reason: 'recipe',
      starts: 1,
    });
    for (const { report, all } of runs) {
      expect(report.stages.embed.shards).toBeGreaterThan(3);
      expect(report.clusters!.sizes.reduce((a, b) => a + b)).toBe(600);
      expect(all).toHaveLength(600);
      for (const l of all) expect(l.cluster).toBeGreaterThanOrEqual(0);
      const sorted = all.sort((a, b) => a.source.index - b.source.index);
      const truth = Int32Array.from(sorted, (l) => l.source.index % 3);
      expect(
        adjustedRandIndex(
          truth,
          Int32Array.from(sorted, (l) => l.cluster),
        ),
      ).toBeGreaterThan(0.8);
    }
    // The sample fit's objective, over all 600 records, is close to the full fit's.
    const ll = runs.map((r) => r.report.clusters!.meanLogLikelihood!);
    expect(Math.abs(ll[0] - ll[1])).toBeLessThan(0.05 * Math.abs(ll[1]));
  });

  it('a job without a cluster has neither file', async () => {
    await upload('plain', topicJsonl(30));
    const id = await startJob('plain', { scorers: [{ id: 'length' }] });
    expect((await waitForJob(id)).state).toBe('done');
    const res = await api(`/v1/jobs/${id}/outputs/clusters.json`);
    expect(res.status).toBe(404);
    expect((await json(res)).error.message).toContain(
      'outputs: selected.jsonl, rejected.jsonl, invalid.jsonl, weights.jsonl, README.md, provenance.json, report-data.json, report.html, report.json',
    );
  });
});
