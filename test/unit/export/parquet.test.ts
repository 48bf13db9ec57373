import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RecipeSchema } from '../../../schemas/recipe.ts';
import {
  type MemoryStore,
  memoryJob,
  memoryOutput,
  type OutputManifest,
  outputManifestKey,
  outputText,
  runLocal,
} from '../../../src/pipeline/index.ts';
import { dataFile } from '../../support/data.ts';
import { duckRows } from '../../support/duckdb.ts';
import { runMixed } from './mixed-dataset.ts';

/**
 * `export.parquet`: every part file of a job also as Parquet parts under `<config>/train-…`, read back
 * by DuckDB as one table per config: the same rows as the JSONL file, one declared type per column.
 */

const dir = mkdtempSync(join(tmpdir(), 'winnow-parquet-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MESSAGES = 'STRUCT("role" VARCHAR, "content" VARCHAR)[]';

/** A finished job's outputs on disk, as the CLI downloads them. */
async function download(store: MemoryStore, job: string, to: string) {
  const manifest = JSON.parse(
    new TextDecoder().decode(store.objects.get(outputManifestKey(job))),
  ) as OutputManifest;
  for (const file of manifest.files) {
    const path = join(to, file.name);
    mkdirSync(dirname(path), { recursive: true });
    const bytes = await store.get(file.parts[0]?.key ?? '');
    if (file.name.endsWith('.parquet')) writeFileSync(path, bytes!);
    else writeFileSync(path, await outputText(store, file));
  }
  return manifest.files.map((f) => f.name);
}

const sql = duckRows;
const describeTypes = async (glob: string) =>
  Object.fromEntries(
    (await sql(`DESCRIBE SELECT * FROM read_parquet('${glob}')`)).map((r) => [r.column_name, r.column_type]),
  );
const lines = (text: string) => text.split('\n').filter((l) => l.length > 0);

describe('Parquet exports', () => {
  it('a selection: every part file as Hub-named Parquet parts, same rows as JSONL, one type per column', async () => {
    const { store, report } = await runMixed(
      {
        shardBytes: 2048,
        scorers: [{ id: 'length' }],
        select: { budget: '100%', dedup: false },
        export: { formats: ['trl', 'alpaca', 'sharegpt'], parquet: true, license: 'cc-by-4.0' },
      },
      { dataset: 'mixed' },
    );
    const shards = report.stages.ingest.shards;
    expect(shards).toBeGreaterThan(3);
    const out = join(dir, 'selection');
    const names = await download(store, 'job', out);
    const pad = (n: number) => String(n).padStart(5, '0');
    for (const config of ['data', 'selected', 'rejected', 'invalid', 'weights', 'alpaca', 'sharegpt'])
      for (let p = 0; p < shards; p++)
        expect(names).toContain(`${config}/train-${pad(p)}-of-${pad(shards)}.parquet`);

    // Each config read as one table has the JSONL file's rows, in order.
    const pairsOf: [string, string][] = [
      ['data', 'train.jsonl'],
      ['alpaca', 'train.alpaca.jsonl'],
      ['sharegpt', 'train.sharegpt.jsonl'],
      ['selected', 'selected.jsonl'],
      ['rejected', 'rejected.jsonl'],
      ['invalid', 'invalid.jsonl'],
      ['weights', 'weights.jsonl'],
    ];
    for (const [config, file] of pairsOf) {
      const jsonl = lines(await memoryOutput(store, 'job', file));
      const [{ n }] = await sql(`SELECT count(*)::INT AS n FROM read_parquet('${out}/${config}/*.parquet')`);
      expect(n, config).toBe(jsonl.length);
    }
    expect(await describeTypes(`${out}/data/*.parquet`)).toEqual({ messages: MESSAGES, weight: 'DOUBLE' });
    expect(await describeTypes(`${out}/alpaca/*.parquet`)).toEqual({
      instruction: 'VARCHAR',
      input: 'VARCHAR',
      output: 'VARCHAR',
      system: 'VARCHAR',
      history: 'VARCHAR[][]',
      weight: 'DOUBLE',
    });
    expect(await describeTypes(`${out}/sharegpt/*.parquet`)).toEqual({
      conversations: 'STRUCT("from" VARCHAR, "value" VARCHAR)[]',
      system: 'VARCHAR',
      weight: 'DOUBLE',
    });
    const selected = await describeTypes(`${out}/selected/*.parquet`);
    expect(selected).toMatchObject({
      id: 'VARCHAR',
      record: 'JSON',
      scores: 'JSON',
      rank: 'DOUBLE',
      flags: 'VARCHAR[]',
    });

    // Values: the trainer rows equal train.jsonl's, part order kept.
    const want = lines(await memoryOutput(store, 'job', 'train.jsonl')).map((l) => JSON.parse(l));
    const ordered = (config: string, columns: string) =>
      sql(
        `SELECT ${columns} FROM read_parquet('${out}/${config}/*.parquet', filename = true, file_row_number = true) ORDER BY filename, file_row_number`,
      );
    const got = await ordered('data', 'messages, weight');
    expect(got).toEqual(want);
    const records = await sql(
      `SELECT id, record FROM read_parquet('${out}/selected/*.parquet', filename = true, file_row_number = true) ORDER BY filename, file_row_number`,
    );
    const sel = lines(await memoryOutput(store, 'job', 'selected.jsonl')).map((l) => JSON.parse(l));
    expect(records.map((r) => [r.id, JSON.parse(String(r.record))])).toEqual(
      sel.map((l) => [l.id, l.record]),
    );

    // The card: the default config is the Parquet trainer rows, with their count; every other folder a config.
    const card = await memoryOutput(store, 'job', 'README.md');
    expect(card).toContain('license: "cc-by-4.0"');
    expect(card).toContain('    path: "data/train-*.parquet"');
    expect(card).toContain(`    num_examples: ${report.export!.exported}`);
    expect(report.export!.exported).toBeLessThan(report.counts.selected);
    for (const config of ['selected', 'rejected', 'invalid', 'weights', 'alpaca', 'sharegpt'])
      expect(card).toContain(
        `- config_name: ${config}\n  data_files:\n  - split: train\n    path: "${config}/train-*.parquet"`,
      );
    expect(card).toContain(`| \`data/train-*.parquet\` (${shards} parts) |`);
  });

  it('a pairs job: pairs.jsonl and the TRL preference rows as Parquet, one part per partition', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({
      prompt: `Question ${i}?`,
      responses: [
        { text: `good answer ${i}`, score: 0.9 },
        { text: `bad answer ${i}`, score: 0.1 },
      ],
    }));
    // And one line that is no record: invalid.jsonl has a row in its Parquet copy too.
    const { store, spec } = await memoryJob(
      { in: `${rows.map((r) => JSON.stringify(r)).join('\n')}\n{"prompt": "broken"\n` },
      RecipeSchema.parse({
        shardBytes: 1024,
        pairs: { partitions: 3 },
        export: { formats: ['trl'], parquet: true },
      }),
    );
    const report = await runLocal(store, spec);
    expect(report.pairs!.pairs).toBe(30);
    const out = join(dir, 'pairs');
    const names = await download(store, 'job', out);
    expect(names.filter((n) => n.startsWith('pairs/'))).toHaveLength(3);
    expect(names.filter((n) => n.startsWith('data/'))).toHaveLength(3);
    expect(names.filter((n) => n.startsWith('groups/'))).toHaveLength(3);
    // invalid.jsonl is kept per shard: its Parquet copy has a part per shard.
    expect(names.filter((n) => n.startsWith('invalid/'))).toHaveLength(report.stages.ingest.shards);
    expect(await sql(`SELECT count(*)::INT AS n FROM read_parquet('${out}/groups/*.parquet')`)).toEqual([
      { n: report.pairs!.groups.total },
    ]);
    expect(await sql(`SELECT count(*)::INT AS n FROM read_parquet('${out}/invalid/*.parquet')`)).toEqual([
      { n: report.counts.invalid },
    ]);
    expect(report.counts.invalid).toBe(1);
    expect(await describeTypes(`${out}/groups/*.parquet`)).toMatchObject({
      group: 'VARCHAR',
      members: 'BIGINT',
      best: 'DOUBLE',
      status: 'VARCHAR',
    });
    expect(await sql(`SELECT count(*)::INT AS n FROM read_parquet('${out}/pairs/*.parquet')`)).toEqual([
      { n: 30 },
    ]);
    expect(await describeTypes(`${out}/data/*.parquet`)).toEqual({
      prompt: MESSAGES,
      chosen: MESSAGES,
      rejected: MESSAGES,
    });
    const first = await sql(
      `SELECT prompt, chosen FROM read_parquet('${out}/data/*.parquet') ORDER BY prompt[1].content LIMIT 1`,
    );
    expect(first[0]).toEqual({
      prompt: [{ role: 'user', content: 'Question 0?' }],
      chosen: [{ role: 'assistant', content: 'good answer 0' }],
    });
  });

  it("a scheduled run's diff.jsonl as Parquet parts too", async () => {
    const rows = JSON.parse(readFileSync(dataFile('alpaca-random-9k.json'), 'utf8')) as unknown[];
    const recipe = RecipeSchema.parse({
      shardBytes: 64 * 1024,
      scorers: [{ id: 'length' }],
      select: { budget: '30%' },
      export: { parquet: true },
    });
    const a = await memoryJob({ 'datasets/d/upload': JSON.stringify(rows.slice(0, 600)) }, recipe, {
      id: 'ja',
    });
    await runLocal(a.store, a.spec);
    await a.store.put(
      'datasets/d/parts/0001',
      rows
        .slice(600, 700)
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const objects = [...a.spec.objects, (await a.store.head('datasets/d/parts/0001'))!];
    await runLocal(a.store, { ...a.spec, id: 'jb', objects, previous: 'ja' });
    const out = join(dir, 'diff');
    const names = await download(a.store, 'jb', out);
    const parts = names.filter((n) => n.startsWith('diff/'));
    expect(parts.length).toBeGreaterThan(0);
    const jsonl = (await memoryOutput(a.store, 'jb', 'diff.jsonl')).split('\n').filter((l) => l);
    expect(jsonl.length).toBeGreaterThan(0);
    expect(await sql(`SELECT count(*)::INT AS n FROM read_parquet('${out}/diff/*.parquet')`)).toEqual([
      { n: jsonl.length },
    ]);
    expect(await describeTypes(`${out}/diff/*.parquet`)).toMatchObject({
      id: 'VARCHAR',
      change: 'VARCHAR',
      rank: 'JSON',
    });
  });
});
