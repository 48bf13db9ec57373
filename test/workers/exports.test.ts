import { parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import type { OutputList } from '../../schemas/api.ts';
import { api, json, lines, output, startJob, upload, waitForJob } from './helpers.ts';

/**
 * Trainer-ready exports through the real Worker: queues, coordinator, R2 and the outputs route. A job
 * with `export.formats` lists its trainer files among its outputs and serves them, part by part.
 */

const jsonl = (rows: unknown[]) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;

const words = (i: number) => `number ${i} with a few more words in it`;

function dataset(): string {
  const rows: unknown[] = [];
  for (let i = 0; i < 12; i++) {
    rows.push({ instruction: `Question ${words(i)}?`, output: `Answer ${words(i)}.`, system: 'Be brief.' });
    rows.push({
      conversations: [
        { from: 'human', value: `Hello ${words(i)}` },
        { from: 'gpt', value: `Hi ${words(i)}` },
        { from: 'human', value: `More ${words(i)}?` },
        { from: 'gpt', value: `Sure ${words(i)}.` },
      ],
    });
  }
  rows.push({
    messages: [
      { role: 'user', content: 'One question, then another one' },
      { role: 'user', content: 'without an answer in between' },
      { role: 'assistant', content: 'A single answer to both of them' },
    ],
  });
  return jsonl(rows);
}

describe('trainer exports served by the API', () => {
  it('lists and serves the trainer files of a selection job', async () => {
    expect((await upload('exports', dataset())).status).toBe(201);
    const id = await startJob('exports', {
      shardBytes: 1024,
      scorers: [{ id: 'length' }],
      select: { budget: '100%', dedup: false },
      export: { formats: ['trl', 'alpaca', 'llamafactory', 'axolotl'] },
    });
    const status = await waitForJob(id);
    expect(status.error).toBeNull();

    const listed = await json<OutputList>(await api(`/v1/jobs/${id}/outputs`));
    const byName = new Map(listed.files.map((f) => [f.name, f]));
    expect(listed.files.map((f) => f.name)).toEqual([
      'selected.jsonl',
      'rejected.jsonl',
      'invalid.jsonl',
      'weights.jsonl',
      'train.jsonl',
      'train.alpaca.jsonl',
      'dataset_info.json',
      'axolotl.yaml',
      'README.md',
      'provenance.json',
      'report-data.json',
      'report.html',
      'report.json',
    ]);
    const report = JSON.parse(await output(id, 'report.json'));
    expect(byName.get('train.jsonl')!.parts).toBe(report.stages.ingest.shards);
    expect(report.stages.ingest.shards).toBeGreaterThan(2);

    const res = await api(`/v1/jobs/${id}/outputs/train.jsonl`);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    const train = lines<{ messages: { role: string; content: string }[]; weight: number }>(await res.text());
    expect(train).toHaveLength(24);
    expect(train.every((r) => Object.keys(r).join() === 'messages,weight')).toBe(true);
    expect(train[0].messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant']);
    expect(train[1].messages).toHaveLength(4);
    const weights = lines<{ weight: number }>(await output(id, 'weights.jsonl'));
    expect(train.map((r) => r.weight)).toEqual(weights.slice(0, 24).map((w) => w.weight));

    const alpaca = lines(await output(id, 'train.alpaca.jsonl'));
    expect(alpaca[1]).toMatchObject({
      instruction: `More ${words(0)}?`,
      history: [[`Hello ${words(0)}`, `Hi ${words(0)}`]],
    });
    expect(Object.keys(JSON.parse(await output(id, 'dataset_info.json')))).toEqual([
      'winnow',
      'winnow_alpaca',
    ]);
    const yaml = await api(`/v1/jobs/${id}/outputs/axolotl.yaml`);
    expect(yaml.headers.get('content-type')).toBe('application/yaml; charset=utf-8');
    expect(await yaml.text()).toContain('    field_messages: messages\n');

    expect(report.export).toMatchObject({
      exported: 24,
      notExported: 1,
      notExportedByReason: { not_alternating: 1 },
      files: [
        { name: 'train.jsonl', rows: 24 },
        { name: 'train.alpaca.jsonl', rows: 24 },
        { name: 'dataset_info.json' },
        { name: 'axolotl.yaml' },
      ],
    });
  });

  it("serves a pairs job's preference rows, written by the pairs-export stage", async () => {
    const rows = Array.from({ length: 6 }, (_, i) => ({
      prompt: `Question ${i}?`,
      responses: [
        { text: `good ${i}`, score: 1 },
        { text: `bad ${i}`, score: 0 },
      ],
    }));
    expect((await upload('export-pairs', jsonl(rows))).status).toBe(201);
    const id = await startJob('export-pairs', {
      pairs: { partitions: 2 },
      export: { formats: ['trl', 'llamafactory'] },
    });
    const status = await waitForJob(id);
    expect(status.error).toBeNull();
    expect(status.stages.map((s) => s.name)).toEqual([
      'plan',
      'ingest',
      'fit',
      'score',
      'pairs',
      'pairs-export',
      'report',
      'card',
    ]);
    const train = lines(await output(id, 'train.jsonl'));
    expect(train).toHaveLength(6);
    expect(Object.keys(train[0])).toEqual(['prompt', 'chosen', 'rejected']);
    const ranking = lines(await output(id, 'train.ranking.jsonl'));
    expect(ranking.map((r) => r.chosen.content).sort()).toEqual(rows.map((_, i) => `good ${i}`).sort());
    expect(JSON.parse(await output(id, 'dataset_info.json')).winnow_ranking.ranking).toBe(true);
  });

  it('refuses a recipe that lists a format twice, naming where', async () => {
    const res = await api('/v1/jobs', {
      method: 'POST',
      body: JSON.stringify({ dataset: 'exports', recipe: { export: { formats: ['trl', 'trl'] } } }),
    });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details).toEqual([
      {
        code: 'duplicate',
        path: 'recipe.export.formats[1]',
        message: '"trl" is listed twice (also at export.formats[0])',
      },
    ]);
  });

  it('serves Parquet parts by their Hub names (a slash in the name, sent encoded), read by hyparquet in workerd', async () => {
    expect((await upload('parquet-out', dataset())).status).toBe(201);
    const id = await startJob('parquet-out', {
      shardBytes: 1024,
      scorers: [{ id: 'length' }],
      select: { budget: '100%', dedup: false },
      export: { formats: ['trl'], parquet: true },
    });
    expect((await waitForJob(id)).error).toBeNull();
    const listed = await json<OutputList>(await api(`/v1/jobs/${id}/outputs`));
    const data = listed.files.filter((f) => f.name.startsWith('data/'));
    expect(data.length).toBeGreaterThan(2);
    expect(data.map((f) => f.name)).toEqual(
      data.map(
        (_, p) =>
          `data/train-${String(p).padStart(5, '0')}-of-${String(data.length).padStart(5, '0')}.parquet`,
      ),
    );
    let rows = 0;
    for (const f of data) {
      const res = await api(`/v1/jobs/${id}/outputs/${encodeURIComponent(f.name)}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/vnd.apache.parquet');
      const bytes = await res.arrayBuffer();
      expect(bytes.byteLength).toBe(f.bytes);
      expect(new TextDecoder().decode(new Uint8Array(bytes, 0, 4))).toBe('PAR1');
      const objects = await parquetReadObjects({ file: bytes });
      rows += objects.length;
      for (const o of objects) expect(o.messages.at(-1).role).toBe('assistant');
    }
    expect(rows).toBe(lines(await output(id, 'train.jsonl')).length);
  });
});
