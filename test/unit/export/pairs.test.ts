import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../../schemas/output.ts';
import type { PairLine } from '../../../schemas/pairs.ts';
import { type RecipeInput, RecipeSchema } from '../../../schemas/recipe.ts';
import { memoryJob, memoryOutput, runLocal } from '../../../src/pipeline/index.ts';
import { fromJsonl } from '../../../src/pipeline/jsonl.ts';
import { type ColumnTypes, columnTypes } from './column-types.ts';

/**
 * A pairs job's trainer files: TRL's conversational preference format in train.jsonl, LLaMA-Factory's
 * ranking format in train.ranking.jsonl, one type per column over every row, every pair a row or left
 * out with its reason.
 */

const jsonl = (rows: unknown[]) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;

async function run(rows: unknown[], recipe: RecipeInput) {
  const { store, spec } = await memoryJob({ in: jsonl(rows) }, RecipeSchema.parse(recipe));
  const report: Report = await runLocal(store, spec);
  return { report, output: (name: string) => memoryOutput(store, 'job', name) };
}

/** Responses to text prompts and to message-list prompts; the last prompt ends with the assistant. */
function responses(): unknown[] {
  const rows: unknown[] = [];
  for (let i = 0; i < 12; i++) {
    const answers = {
      responses: [
        { text: `good answer ${i}`, score: 0.9 },
        { text: `bad answer ${i}`, score: 0.1 },
      ],
    };
    if (i % 3 === 0) rows.push({ prompt: `Question ${i}?`, ...answers });
    else
      rows.push({
        messages: [
          ...(i % 3 === 1 ? [{ role: 'system', content: `System ${i}.` }] : []),
          { role: 'user', content: `First ${i}?` },
          { role: 'assistant', content: `First answer ${i}.` },
          { role: 'user', content: `Then ${i}?` },
        ],
        ...answers,
      });
  }
  rows.push({
    messages: [
      { role: 'user', content: 'Asked?' },
      { role: 'assistant', content: 'Answered, and the prompt ends here.' },
    ],
    responses: [
      { text: 'one', score: 1 },
      { text: 'two', score: 0 },
    ],
  });
  return rows;
}

let duck: ColumnTypes;
beforeAll(async () => {
  duck = await columnTypes();
});
afterAll(() => duck?.close());

const MESSAGE = 'STRUCT("role" VARCHAR, "content" VARCHAR)';

describe('trainer exports of a pairs job', () => {
  it('writes TRL preference and LLaMA-Factory ranking rows with one type per column', async () => {
    const { report, output } = await run(responses(), {
      shardBytes: 1024,
      pairs: { partitions: 3 },
      export: { formats: ['trl', 'llamafactory', 'axolotl'] },
    });
    const pairs = fromJsonl<PairLine>(await output('pairs.jsonl'));
    expect(pairs).toHaveLength(13);
    const last = pairs.find((p) => JSON.stringify(p.prompt).includes('the prompt ends here'))!;
    expect(report.export).toEqual({
      formats: ['trl', 'llamafactory', 'axolotl'],
      weight: false,
      files: [
        { name: 'train.jsonl', rows: 12 },
        { name: 'train.ranking.jsonl', rows: 12 },
        { name: 'dataset_info.json' },
        { name: 'axolotl.yaml' },
      ],
      exported: 12,
      notExported: 1,
      notExportedByReason: { prompt_ends_with_assistant: 1 },
      examples: {
        prompt_ends_with_assistant: [
          { id: last.chosen_id, message: "the prompt's last turn is the assistant's: nothing to answer" },
        ],
      },
    });
    // The last stage's outputs first (src/pipeline/finish.ts).
    expect(report.outputs).toEqual([
      'train.jsonl',
      'train.ranking.jsonl',
      'dataset_info.json',
      'axolotl.yaml',
      'pairs.jsonl',
      'groups.jsonl',
      'invalid.jsonl',
      'README.md',
      'provenance.json',
      'report-data.json',
      'report.html',
      'report.json',
    ]);
    expect(report.stages['pairs-export'].shards).toBe(3);

    const trl = await duck.types('pairs-train.jsonl', await output('train.jsonl'));
    expect(trl.columns).toEqual({ prompt: `${MESSAGE}[]`, chosen: `${MESSAGE}[]`, rejected: `${MESSAGE}[]` });
    expect(trl.rows).toBe(12);
    const ranking = await duck.types('ranking.jsonl', await output('train.ranking.jsonl'));
    expect(ranking.columns).toEqual({ messages: `${MESSAGE}[]`, chosen: MESSAGE, rejected: MESSAGE });
    expect(ranking.rows).toBe(12);

    // Each row is its pair, in pairs.jsonl's order.
    const rows = fromJsonl<{
      prompt: unknown[];
      chosen: { content: string }[];
      rejected: { content: string }[];
    }>(await output('train.jsonl'));
    const kept = pairs.filter((p) => p !== last);
    // pairs.jsonl answers a text prompt with text, a message prompt with one assistant message.
    const textOf = (a: unknown) => (typeof a === 'string' ? a : (a as { content: string }[])[0].content);
    expect(rows.map((r) => r.chosen[0].content)).toEqual(kept.map((p) => textOf(p.chosen)));
    expect(rows.map((r) => r.rejected[0].content)).toEqual(kept.map((p) => textOf(p.rejected)));
    const text = kept.findIndex((p) => typeof p.prompt === 'string');
    expect(rows[text].prompt).toEqual([{ role: 'user', content: kept[text].prompt }]);
    const chat = kept.findIndex((p) => Array.isArray(p.prompt));
    expect(rows[chat].prompt).toEqual(kept[chat].prompt);
    expect(JSON.parse(await output('dataset_info.json'))).toHaveProperty(['winnow_ranking', 'ranking'], true);
    expect(await output('axolotl.yaml')).toContain('type: chat_template.default');
  });

  it('rollout pairs are not chat: left out with their reason, the files empty', async () => {
    const rollout = (success: boolean, i: number) => ({ task: 'pick', steps: [{ action: [i] }], success });
    const { report, output } = await run([rollout(true, 1), rollout(false, 2)], {
      pairs: {},
      export: { formats: ['trl'] },
    });
    expect(report.pairs!.pairs).toBe(1);
    expect(report.export).toMatchObject({
      exported: 0,
      notExported: 1,
      notExportedByReason: { not_chat: 1 },
      files: [{ name: 'train.jsonl', rows: 0 }],
    });
    expect(await output('train.jsonl')).toBe('');
  });
});
