import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../schemas/output.ts';
import { generateDemo } from '../../src/demo/index.ts';
import { memoryOutput, registerStage } from '../../src/pipeline/index.ts';
import { inputWords, wordCountStage } from '../support/word-count-stage.ts';
import { api, json, output, sameJobInProcess, startJob, upload, waitForJob } from './helpers.ts';

// A stage of the test's own, in the same registry the Worker's queue consumers and coordinator read.
registerStage(wordCountStage, { after: 'score' });

/** A report without what measures time: per-stage and total seconds, scorer and fit seconds. */
function withoutTimings(r: Report): unknown {
  const copy = structuredClone(r) as Report;
  copy.seconds = 0;
  for (const s of Object.values(copy.stages)) s.seconds = 0;
  for (const s of Object.values(copy.scoring.byScorer)) s.seconds = 0;
  for (const f of Object.values(copy.fits)) f.seconds = 0;
  return copy;
}

describe('stages registered by id, on workerd', () => {
  it('runs a stage of its own through the queues and the coordinator, and serves its output', async () => {
    const text = generateDemo({ records: 150, seed: 21 });
    await upload('words-demo', text);
    const id = await startJob('words-demo', { shardBytes: 4096, select: { budget: '20%' } });
    const status = await waitForJob(id);
    expect(status.error).toBeNull();
    const stage = status.stages.find((s) => s.name === 'word-count')!;
    expect(status.stages.map((s) => s.name).indexOf('word-count')).toBe(
      status.stages.map((s) => s.name).indexOf('score') + 1,
    );
    expect(stage).toMatchObject({ state: 'done', step: 2, shardsTotal: 1, shardsDone: 1 });
    const files = (await json(await api(`/v1/jobs/${id}/outputs`))).files.map(
      (f: { name: string }) => f.name,
    );
    expect(files).toContain('word-counts.json');
    expect(JSON.parse(await output(id, 'word-counts.json')).words).toBe(inputWords(text));
    const report = JSON.parse(await output(id, 'report.json')) as Report;
    expect(report.stages['word-count'].records).toBe(report.counts.valid);
  });

  it('writes the same report through the Workers stack as runLocal does, timings aside', async () => {
    const text = generateDemo({ records: 400, seed: 8 });
    await upload('parity', text);
    // No cell cache: which shard first scores a content shared by two is a matter of timing.
    const recipe = {
      cache: false,
      shardBytes: 8192,
      cluster: { algorithm: 'kmeans', k: 3, seed: 2 },
      exportEmbeddings: true,
      select: { budget: '15%', strategy: { id: 'diverse', threshold: 0.97 } },
    };
    const id = await startJob('parity', recipe);
    expect((await waitForJob(id, 90_000)).state).toBe('done');
    const workers = JSON.parse(await output(id, 'report.json')) as Report;
    const local = await sameJobInProcess(id);
    expect(withoutTimings(local.report)).toEqual(withoutTimings(workers));
    // Records per stage are counted the same way by both hosts (runLocal's and the coordinator's sums).
    expect(workers.stages.export.records).toBe(workers.counts.input);
    for (const file of [
      'selected.jsonl',
      'rejected.jsonl',
      'invalid.jsonl',
      'weights.jsonl',
      'clusters.json',
      'report-data.json',
    ])
      expect(await output(id, file)).toBe(await memoryOutput(local.store, id, file));
  });

  it('serves every output the manifest lists, and answers a missing part with an error naming it', async () => {
    await upload('gaps', generateDemo({ records: 120, seed: 3 }));
    const id = await startJob('gaps', { shardBytes: 4096, select: { budget: 20 } });
    expect((await waitForJob(id)).state).toBe('done');
    const list = (await json(await api(`/v1/jobs/${id}/outputs`))).files as {
      name: string;
      parts: number;
      contentType: string;
    }[];
    expect(list.map((f) => [f.name, f.contentType])).toEqual([
      ['selected.jsonl', 'application/x-ndjson; charset=utf-8'],
      ['rejected.jsonl', 'application/x-ndjson; charset=utf-8'],
      ['invalid.jsonl', 'application/x-ndjson; charset=utf-8'],
      ['weights.jsonl', 'application/x-ndjson; charset=utf-8'],
      ['README.md', 'text/markdown; charset=utf-8'],
      ['provenance.json', 'application/json'],
      ['report-data.json', 'application/json'],
      ['report.html', 'text/html; charset=utf-8'],
      ['report.json', 'application/json'],
    ]);
    const res = await api(`/v1/jobs/${id}/outputs/rejected.jsonl`);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    const whole = await res.text();
    const manifest = (await (await env.DATA_BUCKET.get(`jobs/${id}/out/manifest.json`))!.json()) as {
      files: { name: string; parts: { key: string }[] }[];
    };
    const key = manifest.files.find((f) => f.name === 'rejected.jsonl')!.parts[1].key;
    await env.DATA_BUCKET.delete(key);
    const broken = await api(`/v1/jobs/${id}/outputs/rejected.jsonl`);
    expect(broken.status).toBe(500);
    expect((await json(broken)).error).toMatchObject({
      code: 'output_missing',
      message: `output rejected.jsonl cannot be served: part ${key} is missing`,
    });
    expect(whole.length).toBeGreaterThan(0);
  });
});
