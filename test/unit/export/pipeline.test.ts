import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutputLine } from '../../../schemas/output.ts';
import type { RecipeInput } from '../../../schemas/recipe.ts';
import { fromJsonl } from '../../../src/pipeline/jsonl.ts';
import { type ColumnTypes, columnTypes } from './column-types.ts';
import { runMixed } from './mixed-dataset.ts';

/**
 * The trainer files of a real run (in process, on the memory store) over a dataset that mixes the
 * three input formats, system prompts, multi-turn conversations and records no trainer accepts: every
 * column has one type over every row (DuckDB's inference over all rows, and each row's own JSON
 * structure), and every selected record is a row, or left out with its reason.
 */

const run = (recipe: RecipeInput) => runMixed(recipe);

let duck: ColumnTypes;
beforeAll(async () => {
  duck = await columnTypes();
});
afterAll(() => duck?.close());
const types = (name: string, text: string) => duck.types(name, text);

const MESSAGES = 'STRUCT("role" VARCHAR, "content" VARCHAR)[]';

describe('trainer exports of a mixed dataset', () => {
  it('every column has one type over every row, and every selected record is a row or left out with its reason', async () => {
    const { report, output } = await run({
      shardBytes: 2048,
      scorers: [{ id: 'length' }],
      select: { budget: '100%', dedup: false },
      export: { formats: ['trl', 'alpaca', 'sharegpt', 'llamafactory', 'axolotl'] },
    });
    const selected = fromJsonl<OutputLine>(await output('selected.jsonl'));
    expect(report.counts.selected).toBe(35);
    expect(report.stages.export.shards).toBeGreaterThan(3);
    expect(report.export).toEqual({
      formats: ['trl', 'alpaca', 'sharegpt', 'llamafactory', 'axolotl'],
      weight: true,
      files: [
        { name: 'train.jsonl', rows: 32 },
        { name: 'train.alpaca.jsonl', rows: 32 },
        { name: 'train.sharegpt.jsonl', rows: 32 },
        { name: 'dataset_info.json' },
        { name: 'axolotl.yaml' },
      ],
      exported: 32,
      notExported: 3,
      notExportedByReason: { not_alternating: 1, ends_with_user: 1, misplaced_system: 1 },
      examples: {
        not_alternating: [{ id: selected[32].id, message: "turn 1 is the user's, expected the assistant's" }],
        ends_with_user: [
          { id: selected[33].id, message: "the last turn is the user's: no answer to train on" },
        ],
        misplaced_system: [
          {
            id: selected[34].id,
            message: 'turn 1 is a system turn: a system prompt can only be the first turn',
          },
        ],
      },
    });
    expect(report.outputs).toEqual([
      'selected.jsonl',
      'rejected.jsonl',
      'invalid.jsonl',
      'weights.jsonl',
      'train.jsonl',
      'train.alpaca.jsonl',
      'train.sharegpt.jsonl',
      'dataset_info.json',
      'axolotl.yaml',
      'README.md',
      'provenance.json',
      'report-data.json',
      'report.html',
      'report.json',
    ]);

    const train = await types('train.jsonl', await output('train.jsonl'));
    expect(train.columns).toEqual({ messages: MESSAGES, weight: 'DOUBLE' });
    expect(train.structure).toEqual({
      messages: [{ role: 'VARCHAR', content: 'VARCHAR' }],
      weight: 'DOUBLE',
    });
    expect(train.rows).toBe(selected.length - report.export!.notExported);

    const alpaca = await types('train.alpaca.jsonl', await output('train.alpaca.jsonl'));
    expect(alpaca.columns).toEqual({
      instruction: 'VARCHAR',
      input: 'VARCHAR',
      output: 'VARCHAR',
      system: 'VARCHAR',
      history: 'VARCHAR[][]',
      weight: 'DOUBLE',
    });
    expect(alpaca.rows).toBe(32);

    const sharegpt = await types('train.sharegpt.jsonl', await output('train.sharegpt.jsonl'));
    expect(sharegpt.columns).toEqual({
      conversations: 'STRUCT("from" VARCHAR, "value" VARCHAR)[]',
      system: 'VARCHAR',
      weight: 'DOUBLE',
    });
    expect(sharegpt.rows).toBe(32);

    // Row i of every file is the i-th exported record, in selected.jsonl's order, with its weight.
    const weights = fromJsonl<{ id: string; weight: number }>(await output('weights.jsonl'));
    const trl = fromJsonl<{ messages: { role: string; content: string }[]; weight: number }>(
      await output('train.jsonl'),
    );
    expect(trl.map((r) => r.weight)).toEqual(weights.slice(0, 32).map((w) => w.weight));
    type ShareGpt = { conversations: { from: string; value: string }[] };
    for (const at of [6, 10]) {
      const { conversations } = selected[at].record as ShareGpt;
      expect(trl[at].messages.map((m) => m.content)).toEqual(conversations.map((c) => c.value));
    }
    expect(trl[6].messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(trl[10].messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant']);
  });

  it('weights are written as floats even when every one is whole, and are left out when export.weight is false', async () => {
    const whole = await run({
      scorers: [{ id: 'length' }],
      select: { budget: 10, dedup: false, weights: { min: 1, max: 1 } },
      export: { formats: ['trl'] },
    });
    const text = await whole.output('train.jsonl');
    expect(
      text
        .split('\n')
        .filter(Boolean)
        .every((l) => l.endsWith(',"weight":1.0}')),
    ).toBe(true);
    expect((await types('whole.jsonl', text)).columns).toEqual({ messages: MESSAGES, weight: 'DOUBLE' });

    const none = await run({
      scorers: [{ id: 'length' }],
      select: { budget: 10, dedup: false },
      export: { formats: ['alpaca'], weight: false },
    });
    expect(none.report.outputs).toEqual([
      'selected.jsonl',
      'rejected.jsonl',
      'invalid.jsonl',
      'weights.jsonl',
      'train.alpaca.jsonl',
      'README.md',
      'provenance.json',
      'report-data.json',
      'report.html',
      'report.json',
    ]);
    expect(none.report.export?.weight).toBe(false);
    expect(
      Object.keys((await types('plain.jsonl', await none.output('train.alpaca.jsonl'))).columns),
    ).toEqual(['instruction', 'input', 'output', 'system', 'history']);
  });

  it('writes no trainer file and no export section without export.formats', async () => {
    const { report } = await run({ scorers: [{ id: 'length' }], select: { budget: 5 } });
    expect(report.export).toBeUndefined();
    expect(report.outputs).toEqual([
      'selected.jsonl',
      'rejected.jsonl',
      'invalid.jsonl',
      'weights.jsonl',
      'README.md',
      'provenance.json',
      'report-data.json',
      'report.html',
      'report.json',
    ]);
  });
});
