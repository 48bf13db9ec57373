import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { InvalidLine, OutputLine } from '../../../schemas/output.ts';
import { RecipeSchema } from '../../../schemas/recipe.ts';
import { recordId } from '../../../src/formats/index.ts';
import { MemoryStore, memoryOutput, runLocal } from '../../../src/pipeline/index.ts';
import { fromJsonl } from '../../../src/pipeline/jsonl.ts';
import { readReference } from '../../../src/pipeline/stages/fit/fit.ts';
import { dataFile } from '../../support/data.ts';
import { toJsonlText, writeParquet } from '../../support/parquet.ts';

type Row = Record<string, unknown>;

async function run(objects: (string | Uint8Array)[], recipe: unknown) {
  const store = new MemoryStore();
  for (const [i, body] of objects.entries()) await store.put(`in/${i}`, body);
  const spec = {
    id: 'j1',
    dataset: 'd',
    objects: await Promise.all(objects.map(async (_, i) => (await store.head(`in/${i}`))!)),
    recipe: RecipeSchema.parse(recipe),
    createdAt: '',
  };
  const report = await runLocal(store, spec);
  const read = async <T>(file: string) =>
    report.outputs.includes(file) ? fromJsonl<T>(await memoryOutput(store, 'j1', file)) : [];
  return {
    report,
    pairs: await read<Record<string, unknown>>('pairs.jsonl'),
    selected: await read<OutputLine>('selected.jsonl'),
    rejected: await read<OutputLine>('rejected.jsonl'),
    invalid: await read<InvalidLine>('invalid.jsonl'),
  };
}

/** What identifies a selected record across forms: its id, and so its place in the input and its content. */
const picked = (lines: OutputLine[]) => lines.map((l) => [l.id, l.source.index, l.hash]);

describe('a Parquet dataset selects what its JSONL form selects', () => {
  it('alpaca-random-9k: the same records, the same counts and threshold', async () => {
    const rows = JSON.parse(readFileSync(dataFile('alpaca-random-9k.json'), 'utf8')) as Row[];
    const recipe = { shardBytes: 512 * 1024, select: { budget: '10%' } };
    const jsonl = await run([toJsonlText(rows)], recipe);
    const parquet = await run([writeParquet(rows, { rowGroupSize: 700 })], recipe);
    expect(parquet.report.counts).toEqual(jsonl.report.counts);
    expect(parquet.report.counts.selected).toBe(Math.round(9229 * 0.1));
    expect(picked(parquet.selected)).toEqual(picked(jsonl.selected));
    expect(parquet.rejected.map((l) => [l.source.index, l.reason])).toEqual(
      jsonl.rejected.map((l) => [l.source.index, l.reason]),
    );
    expect(parquet.selected.map((l) => l.record)).toEqual(jsonl.selected.map((l) => l.record));
    // Sources are input positions: no line numbers (a Parquet file has none).
    expect(parquet.selected[0].source).toEqual({ index: parquet.selected[0].source.index });
    // Ids are made from a record's index in its object and its content: the same in both forms.
    for (const l of parquet.selected) expect(l.id).toBe(recordId(0, l.source.index, l.hash));
    expect(parquet.selected.map((l) => l.id)).toEqual(jsonl.selected.map((l) => l.id));
  });

  it('a Dolly subset with messages, in row groups of 100, with invalid rows in both forms', async () => {
    const dolly = (JSON.parse(readFileSync(dataFile('dolly-3k.json'), 'utf8')) as Row[]).slice(0, 1200);
    const rows = dolly.map((r, i) => ({
      messages: [
        { role: 'user', content: i % 97 === 5 ? '' : `${r.instruction}\n\n${r.context ?? ''}`.trim() },
        { role: i % 101 === 7 ? 'robot' : 'assistant', content: r.response ?? r.output },
      ],
      category: r.category,
    }));
    const recipe = { shardBytes: 64 * 1024, select: { budget: '25%' } };
    const jsonl = await run([toJsonlText(rows)], recipe);
    const parquet = await run(
      [writeParquet(rows, { rowGroupSize: 100, messageColumns: ['messages'] })],
      recipe,
    );
    expect(parquet.report.counts).toEqual(jsonl.report.counts);
    expect(jsonl.report.counts.invalid).toBeGreaterThan(0);
    expect(picked(parquet.selected)).toEqual(picked(jsonl.selected));
    expect(parquet.invalid.map((l) => [l.source.index, l.error])).toEqual(
      jsonl.invalid.map((l) => [l.source.index, l.error]),
    );
  });

  it('a JSONL dataset with a Parquet part appended reads both, each record with its part', async () => {
    const rows = (JSON.parse(readFileSync(dataFile('alpaca-random-9k.json'), 'utf8')) as Row[]).slice(0, 600);
    const recipe = { shardBytes: 32 * 1024, select: { budget: '20%' } };
    const mixed = await run(
      [toJsonlText(rows.slice(0, 250)), writeParquet(rows.slice(250), { rowGroupSize: 64 })],
      recipe,
    );
    const whole = await run([toJsonlText(rows)], recipe);
    expect(mixed.report.counts).toEqual(whole.report.counts);
    // The same records (place and content); their ids differ, as the two datasets' objects do.
    const places = (lines: OutputLine[]) => lines.map((l) => [l.source.index, l.hash]);
    expect(places(mixed.selected)).toEqual(places(whole.selected));
    const parts = new Set(mixed.selected.map((l) => `${l.source.part}:${l.source.index >= 250}`));
    expect(parts).toEqual(new Set(['0:false', '1:true']));
  });

  it('preference rows (responses): the same pairs from both forms', async () => {
    const rows = Array.from({ length: 80 }, (_, i) => ({
      prompt: `Question ${i % 30}: what is ${i % 7} plus ${i % 5}?`,
      responses: [
        { text: `It is ${(i % 7) + (i % 5)}.`, score: (i * 7) % 10 },
        { text: `Maybe ${i}.`, score: (i * 3) % 10 },
        ...(i % 4 === 0 ? [{ score: 1 }] : []),
      ],
    }));
    const recipe = { shardBytes: 2048, pairs: { partitions: 2 } };
    const jsonl = await run([toJsonlText(rows)], recipe);
    const parquet = await run([writeParquet(rows, { rowGroupSize: 16 })], recipe);
    expect(parquet.report.counts).toEqual(jsonl.report.counts);
    expect(parquet.pairs.length).toBeGreaterThan(10);
    expect(parquet.invalid).toHaveLength(20);
    const pair = (p: Record<string, unknown>) => JSON.stringify([p.prompt, p.chosen, p.rejected]);
    expect(parquet.pairs.map(pair).sort()).toEqual(jsonl.pairs.map(pair).sort());
    expect(parquet.invalid.map((l) => [l.source.index, l.error.code])).toEqual(
      jsonl.invalid.map((l) => [l.source.index, l.error.code]),
    );
  });

  it('a reference dataset (a learning scorer reads it) may be Parquet too', async () => {
    const rows = (JSON.parse(readFileSync(dataFile('alpaca-random-9k.json'), 'utf8')) as Row[]).slice(0, 300);
    const store = new MemoryStore();
    await store.put('refs/a.parquet', writeParquet(rows, { rowGroupSize: 64 }));
    await store.put('refs/a.jsonl', toJsonlText(rows));
    const fromParquet = await readReference(store, 'refs/a.parquet', 1000);
    const fromJsonl = await readReference(store, 'refs/a.jsonl', 1000);
    expect(fromParquet).toHaveLength(300);
    expect(fromParquet.map((r) => r.hash)).toEqual(fromJsonl.map((r) => r.hash));
  });
});
