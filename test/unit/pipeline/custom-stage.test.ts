import { describe, expect, it } from 'vitest';
import { RecipeSchema } from '../../../schemas/recipe.ts';
import { generateDemo } from '../../../src/demo/index.ts';
import { listStages, memoryJob, memoryOutput, registerStage, runLocal } from '../../../src/pipeline/index.ts';
import { inputWords, wordCountStage } from '../../support/word-count-stage.ts';

// The one registry line a new stage needs (here after `score`; built-in stages sit in stages/index.ts).
registerStage(wordCountStage, { after: 'score' });

describe('a stage of its own, registered by id', () => {
  it('runs in pipeline order through runLocal: its steps, its record counts and its output file', async () => {
    const text = generateDemo({ records: 120, seed: 11 });
    const { store, spec } = await memoryJob(
      { 'in.jsonl': text },
      RecipeSchema.parse({ shardBytes: 2048, select: { budget: '20%' } }),
      { dataset: 'words-demo' },
    );
    const order: string[] = [];
    const report = await runLocal(store, spec, {}, { beforeTask: (t) => order.push(`${t.stage}:${t.step}`) });
    const stages = [...new Set(order.map((s) => s.split(':')[0]))];
    expect(stages).toEqual([
      'plan',
      'ingest',
      'fit',
      'score',
      'word-count',
      'select',
      'export',
      'report',
      'card',
    ]);
    expect(order.filter((s) => s === 'word-count:total')).toHaveLength(1);
    expect(order.filter((s) => s === 'word-count:count')).toHaveLength(report.stages.ingest.shards);
    expect(report.stages['word-count']).toMatchObject({ records: report.counts.valid, shards: 1 });
    expect(report.outputs).toContain('word-counts.json');
    const counted = JSON.parse(await memoryOutput(store, spec.id, 'word-counts.json'));
    expect(counted.words).toBe(inputWords(text));
    expect(counted.perShard).toHaveLength(report.stages.ingest.shards);
    // The rest of the pipeline is untouched: the budget is spent exactly.
    expect(report.counts.selected).toBe(report.budget.target);
  });

  it('stays out of jobs it does not apply to', async () => {
    const { store, spec } = await memoryJob(
      { 'in.jsonl': generateDemo({ records: 30, seed: 2 }) },
      RecipeSchema.parse({}),
      { dataset: 'other' },
    );
    const report = await runLocal(store, spec);
    expect(report.stages['word-count']).toBeUndefined();
    expect(report.outputs).not.toContain('word-counts.json');
  });

  it('refuses a second stage with the same id, and an anchor that is not registered', () => {
    expect(() => registerStage(wordCountStage)).toThrow('stage "word-count" is registered twice');
    expect(() => registerStage({ ...wordCountStage, id: 'x' }, { after: 'nope' })).toThrow(
      /unknown stage "nope"; known: /,
    );
    expect(listStages().map((s) => s.id)).toEqual([
      'plan',
      'ingest',
      'fit',
      'score',
      'word-count',
      'embed',
      'cluster',
      'select',
      'export',
      'pairs',
      'pairs-export',
      'safety-generate',
      'safety-bench',
      'report',
      'card',
    ]);
  });
});
