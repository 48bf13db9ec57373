import type { DryRun } from '../../schemas/dryrun.ts';
import type { InvalidLine, OutputLine } from '../../schemas/output.ts';
import type { Recipe } from '../../schemas/recipe.ts';
import { memoryJob, memoryOutput, runLocal } from '../pipeline/index.ts';
import { validateRecipe } from '../pipeline/validate-recipe.ts';
import { type ModelUseSpec, modelUses, projectUse, tallyShard, type UseTally } from './model-uses.ts';
import { offlineRecipe } from './offline-recipe.ts';
import { projectSelection, providerLoads, type SampleOutcome } from './project.ts';
import { type IngestedShard, readInput } from './read-input.ts';
import { HashSample, sampleKey } from './sample.ts';

export interface DryRunOptions {
  /** Valid records in the sample (default 2,000). */
  sample?: number;
  /** The input's name, as reports show it. */
  name?: string;
  /** Objects the recipe's references name (reference sets, anchors), by the key its config uses. */
  extra?: Record<string, Uint8Array>;
}

export const DEFAULT_SAMPLE = 2000;
const INVALID_EXAMPLES = 5;

/**
 * What a selection job would do with `input` (the file's bytes, decompressed) and `recipe`, in this
 * process and without a model: every record is read and validated by the pipeline's own plan and
 * ingest stages (exact counts); a hash-uniform sample of the valid records runs through the offline
 * part of the recipe (`runLocal`: fit, score, filters, dedup, strategy, budget scaled to the sample),
 * whose rates project the whole dataset's selection; and each use of a model is projected from every
 * record's rendered prompt, against its provider's requestBudget.
 */
export async function dryRun(input: Uint8Array, recipe: Recipe, opts: DryRunOptions = {}): Promise<DryRun> {
  const started = performance.now();
  const { sample: size = DEFAULT_SAMPLE, name = 'input', extra = {} } = opts;
  validateRecipe(recipe);
  // Fails at once on a recipe that is not a selection (pairs, safety), before reading the input.
  offlineRecipe(recipe, 0, 0);

  const counts = { input: 0, valid: 0, invalid: 0 };
  const invalidByCode: Record<string, number> = {};
  const invalidExamples: DryRun['invalidExamples'] = [];
  const fitPool = recipe.fit.sampleSize;
  const uses: ModelUseSpec[] = modelUses(recipe, fitPool);
  const tallies: UseTally[] = uses.map(() => ({ records: 0, chars: 0, requests: 0 }));
  let distinct = 0;
  const sample = new HashSample<string>(size);

  const onShard = (s: IngestedShard) => {
    counts.input += s.count;
    counts.valid += s.records.length;
    counts.invalid += s.invalid.length;
    for (const line of s.invalid) {
      invalidByCode[line.error.code] = (invalidByCode[line.error.code] ?? 0) + 1;
      if (invalidExamples.length < INVALID_EXAMPLES) invalidExamples.push(invalidExample(line, s));
    }
    // The score stage computes each distinct content of a shard once.
    const unique = new Map<string, (typeof s.records)[number]>();
    s.records.forEach((r, i) => {
      if (!unique.has(r.hash)) unique.set(r.hash, r);
      sample.offer(sampleKey(r.turns, recipe.seed), s.rows[i]);
    });
    distinct += unique.size;
    tallyShard(uses, tallies, [...unique.values()]);
  };
  const { store, spec } = await memoryJob({ [name]: input }, recipe, {
    id: 'dryrun-input',
    dataset: 'dryrun',
  });
  await readInput(store, spec, onShard);

  const rows = sample.items();
  const offline = offlineRecipe(recipe, counts.valid, rows.length);
  const outcome = rows.length > 0 ? await runSample(rows, offline.recipe, extra) : empty();
  const projected = projectSelection(counts.valid, recipe.select.budget, recipe.select.strategy.id, outcome);
  const models = uses.map((u, i) =>
    projectUse(u, tallies[i], { distinct, candidates: projected.candidates, recipe }),
  );
  const providers = providerLoads(recipe, models);
  return {
    input: name,
    counts,
    invalidByCode,
    invalidExamples,
    sample: {
      requested: size,
      records: outcome.sampled,
      seed: recipe.seed,
      budget: offline.recipe.select.budget,
    },
    scorers: offline.scorers,
    leftOut: offline.leftOut,
    projected,
    models,
    providers,
    withinBudget: providers.every((p) => !p.overBudget),
    seconds: (performance.now() - started) / 1000,
  };
}

function empty(): SampleOutcome {
  return { sampled: 0, rejectedByReason: {}, cut: { lowestSelected: null, highestCut: null } };
}

/** The sample's rows as a JSONL dataset, through the whole pipeline in this process. */
async function runSample(
  rows: readonly string[],
  recipe: Recipe,
  extra: Record<string, Uint8Array>,
): Promise<SampleOutcome> {
  const { store, spec } = await memoryJob({ 'sample.jsonl': `${rows.join('\n')}\n` }, recipe, {
    id: 'dryrun-sample',
    dataset: 'dryrun-sample',
    extra,
  });
  const report = await runLocal(store, spec);
  const lines = async (file: string) =>
    (await memoryOutput(store, spec.id, file))
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as OutputLine);
  let lowestSelected: number | null = null;
  for (const l of await lines('selected.jsonl'))
    lowestSelected = lowestSelected === null ? l.rank : Math.min(lowestSelected, l.rank);
  let highestCut: number | null = null;
  for (const l of await lines('rejected.jsonl'))
    if (l.reason === 'budget') highestCut = highestCut === null ? l.rank : Math.max(highestCut, l.rank);
  return {
    sampled: report.counts.valid,
    rejectedByReason: report.rejectedByReason,
    cut: { lowestSelected, highestCut },
  };
}

function invalidExample(line: InvalidLine, s: IngestedShard): DryRun['invalidExamples'][number] {
  const at =
    line.source.line !== undefined
      ? `line ${s.lineOffset + line.source.line}`
      : `record ${s.indexOffset + (line.source.index ?? 0)}`;
  return { at, code: line.error.code, message: line.error.message };
}
