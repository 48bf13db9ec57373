import { describe, expect, it } from 'vitest';
import { RecipeSchema } from '../../../schemas/recipe.ts';
import { issuesOf } from '../../../src/errors.ts';
import {
  internalKeyRule,
  referencedDatasets,
  referenceProblem,
} from '../../../src/pipeline/internal-keys.ts';
import { type GcJob, gcAction, keptAfterEnd, parseAge } from '../../../src/pipeline/retention.ts';
import { validateRecipe } from '../../../src/pipeline/validate-recipe.ts';

const manifest = {
  files: [
    {
      name: 'selected.jsonl',
      contentType: 'x',
      bytes: 1,
      parts: [{ key: 'jobs/j1/out/selected/part-00000.jsonl', bytes: 1 }],
    },
    {
      name: 'embeddings.npy',
      contentType: 'x',
      bytes: 1,
      parts: [{ key: 'jobs/j1/shards/00000/embed.f32', bytes: 1 }],
    },
  ],
};

describe('what an ended job keeps', () => {
  it('a finished job: job.json, out/, the parts its manifest serves, members files; nothing of another job', () => {
    const kept = keptAfterEnd('j1', { done: true, manifest });
    const keys = [
      'jobs/j1/job.json',
      'jobs/j1/out/report.json',
      'jobs/j1/out/members-index.bin',
      'jobs/j1/out/diff/part-00000.jsonl',
      'jobs/j1/shards/00000/embed.f32',
      'jobs/j1/shards/00003/members.bin',
      'jobs/j1/shards/00000/records.jsonl',
      'jobs/j1/shards/00000/scores.jsonl',
      'jobs/j1/shards/00001/embed.f32',
      'jobs/j1/shards/00000/reduced.f32',
      'jobs/j1/cluster/params/00002.bin',
      'jobs/j1/select/dedup/losers.bin',
      'jobs/j1/fit/models/perplexity@1-abc.bin',
    ];
    expect(keys.filter(kept)).toEqual(keys.slice(0, 6));
  });

  it('a failed or cancelled job keeps job.json only; a finished one without a manifest keeps everything', () => {
    const failed = keptAfterEnd('j1', { done: false, manifest: null });
    expect(
      [
        'jobs/j1/job.json',
        'jobs/j1/out/selected/part-00000.jsonl',
        'jobs/j1/shards/00000/members.bin',
      ].filter(failed),
    ).toEqual(['jobs/j1/job.json']);
    expect(keptAfterEnd('j1', { done: true, manifest: null })('jobs/j1/shards/00000/records.jsonl')).toBe(
      true,
    );
  });
});

describe('gc decisions', () => {
  const now = 10 * 86_400_000;
  const o = { now, olderThan: 7 * 86_400_000, graceMs: 600_000 };
  const job = (j: Partial<GcJob>): GcJob => ({
    id: 'j1',
    state: 'done',
    at: now - 8 * 86_400_000,
    keep: 'outputs',
    ...j,
  });

  it('deletes an old ended job unless a pair set, a running job or a schedule needs it', () => {
    expect(gcAction(job({}), o)).toEqual({ kind: 'delete' });
    expect(gcAction(job({ state: 'failed', keep: 'all' }), o)).toEqual({ kind: 'delete' });
    expect(gcAction(job({ round: { set: 's', round: 2 } }), o)).toEqual({
      kind: 'skip',
      reason: 'round 2 of pair set "s"',
    });
    expect(gcAction(job({ readBy: ['j2'] }), o)).toEqual({
      kind: 'skip',
      reason: 'running job j2 compares with it',
    });
    expect(gcAction(job({ latestOf: 'd' }), o)).toEqual({
      kind: 'skip',
      reason: 'the latest scheduled run of dataset "d"',
    });
  });

  it('drops the intermediates of a recent ended job that keeps outputs only; leaves running and keep-all jobs', () => {
    expect(gcAction(job({ at: now - 1000 }), o)).toEqual({ kind: 'drop' });
    expect(gcAction(job({}), { ...o, olderThan: undefined })).toEqual({ kind: 'drop' });
    expect(gcAction(job({ at: now - 1000, keep: 'all' }), o)).toEqual({ kind: 'none' });
    expect(gcAction(job({ state: 'running', at: 0 }), o)).toEqual({ kind: 'none' });
  });

  it('sweeps files without a coordinator only after the grace (a job may be starting)', () => {
    expect(gcAction(job({ state: null, at: now - 60_000 }), o)).toEqual({ kind: 'none' });
    expect(gcAction(job({ state: null, at: now - 600_000 }), o)).toEqual({ kind: 'orphan' });
  });

  it('reads ages as minutes, hours or days', () => {
    expect([parseAge('30m'), parseAge('12h'), parseAge('7d'), parseAge('0m')]).toEqual([
      1_800_000, 43_200_000, 604_800_000, 0,
    ]);
    expect(() => parseAge('1w')).toThrow('an age looks like 30m, 12h or 7d, got "1w"');
  });
});

describe("Winnow's own objects", () => {
  it('names the rule a key breaks; data keys break none', () => {
    expect(internalKeyRule('jobs/jabc/job.json')).toBe("a job's own file (jobs/…)");
    expect(internalKeyRule('cache/d/models/m.bin')).toBe('a fitted model kept for a dataset (cache/…)');
    expect(internalKeyRule('schedules/d')).toBe("a schedule's marker (schedules/…)");
    expect(internalKeyRule('pairsets/s/rounds/00001.jsonl')).toBe("a pair set's stored round (pairsets/…)");
    expect(internalKeyRule('datasets/d/latest.json')).toContain("a dataset's manifest or latest pointer");
    expect(internalKeyRule('datasets/d/.winnow/v/x/upload')).toContain('a version Winnow keeps');
    for (const key of [
      'raw/a.jsonl',
      'datasets/d/part-0001.jsonl',
      'datasets/d/sub/manifest.json',
      'myjobs/x',
    ])
      expect(internalKeyRule(key)).toBeNull();
    expect(referenceProblem('dataset:ok-name')).toBeNull();
    expect(referenceProblem('dataset:../jobs')).toBe(
      '"../jobs" is not a dataset name (1-128 of A-Z a-z 0-9 . _ -, starting with a letter or digit)',
    );
  });

  it('validateRecipe lists every reference to an internal object, the in-context scorer included', () => {
    const recipe = RecipeSchema.parse({
      scorers: [
        { id: 'length' },
        { id: 'dsir', config: { target: 'dataset:t', raw: 'jobs/j1/shards/00000/records.jsonl' } },
        { id: 'golden', config: { anchors: 'schedules/x', provider: 'p' } },
      ],
      providers: { p: { kind: 'openai', baseUrl: 'http://127.0.0.1:1/v1', model: 'm' } },
    });
    let issues: ReturnType<typeof issuesOf> = [];
    try {
      validateRecipe(recipe, 'recipe');
    } catch (e) {
      issues = issuesOf(e);
    }
    expect(issues.filter((i) => i.code === 'internal_key').map((i) => i.path)).toEqual([
      'recipe.scorers[1].config.raw',
      'recipe.scorers[2].config.anchors',
    ]);
    expect(referencedDatasets(recipe)).toEqual(['t']);
  });
});
