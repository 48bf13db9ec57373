/**
 * The measurements bench/pairs.ts makes in its children (`node bench/pairs.ts --child <run> --file <jsonl>
 * --idx <tsv>`): the reference, runLocal and (bench/pairs-workers.ts) the local Workers stack, plus the
 * bare `baseline`. Each prints its ChildResult as one JSON line and writes its pairs to the idx file.
 *
 * Winnow's modules are imported where they are used, so the reference child loads none of them (its peak
 * RSS is then the naive script's own).
 */
import { readFileSync } from 'node:fs';
import { type ChildResult, configOfRun, indicesOf, modeOf, recipeOf, rssMb, writeIdx } from './pairs-runs.ts';
import { childWorkers } from './pairs-workers.ts';
import { peakRssMb as hwmMb } from './proc.ts';

const maxRssMb = () => process.resourceUsage().maxRSS / 1024;

async function childReference(file: string, idx: string): Promise<ChildResult> {
  const { referencePairs } = await import('./pairs-reference.ts');
  const t0 = performance.now();
  const text = readFileSync(file, 'utf8');
  const t1 = performance.now();
  const r = referencePairs(text);
  const t2 = performance.now();
  const peakRssMb = maxRssMb();
  writeIdx(
    idx,
    r.pairs.map((p) => [p.chosenIndex, p.rejectedIndex]),
  );
  return {
    run: 'reference',
    mode: 'reference',
    config: 'best-worst',
    rollouts: r.rollouts,
    steps: r.steps,
    seconds: (t2 - t0) / 1000,
    span: 'read the file + referencePairs',
    pairs: r.pairs.length,
    lines: r.pairs.length,
    peakRssMb,
    timings: { read: (t1 - t0) / 1000, compute: (t2 - t1) / 1000 },
    groups: r.groups,
    skipped: r.skipped,
    memory: { endRssMb: rssMb(), textMb: Buffer.byteLength(text) / 2 ** 20 },
  };
}

async function childRunLocal(run: string, file: string, idx: string): Promise<ChildResult> {
  const config = configOfRun(run);
  const { memoryJob, memoryOutput, runLocal } = await import('../src/pipeline/index.ts');
  const { validateRecipe } = await import('../src/pipeline/validate-recipe.ts');
  const recipe = await recipeOf(config);
  const t0 = performance.now();
  const bytes = readFileSync(file);
  const { store, spec } = await memoryJob({ 'datasets/traj/data.jsonl': bytes }, recipe, {
    id: 'bench',
    dataset: 'traj',
  });
  validateRecipe(spec.recipe);
  const t1 = performance.now();
  const loadedRssMb = rssMb();
  const steps: NonNullable<ChildResult['stepTimes']> = {};
  let current: string | undefined;
  const endStep = () => {
    if (current) steps[current].hwmMb = hwmMb();
  };
  const report = await runLocal(
    store,
    spec,
    {},
    {
      beforeTask(ctx) {
        const key = `${ctx.stage}:${ctx.step}`;
        if (key === current) return;
        endStep();
        current = key;
        steps[key] ??= { seconds: 0, tasks: 0, max: 0, hwmMb: 0 };
      },
      afterTask(ctx, dt) {
        const s = steps[`${ctx.stage}:${ctx.step}`];
        s.seconds += dt;
        s.tasks++;
        s.max = Math.max(s.max, dt);
      },
    },
  );
  endStep();
  const t2 = performance.now();
  const peakRssMb = maxRssMb();
  // What the MemoryStore holds at the end: the input and every intermediate and output object.
  let storeBytes = 0;
  let objects = 0;
  for (const v of store.objects.values()) {
    storeBytes += v.byteLength;
    objects++;
  }
  const jsonl = await memoryOutput(store, spec.id, 'pairs.jsonl');
  const pairs = indicesOf(jsonl);
  writeIdx(idx, pairs);
  return {
    run,
    mode: 'runLocal',
    config,
    rollouts: report.counts.input,
    seconds: (t2 - t0) / 1000,
    span: 'read the file + memoryJob + runLocal',
    pairs: report.pairs!.pairs,
    lines: pairs.length,
    peakRssMb,
    timings: { load: (t1 - t0) / 1000, runLocal: (t2 - t1) / 1000 },
    stepTimes: steps,
    stages: Object.fromEntries(Object.entries(report.stages).map(([s, v]) => [s, v.seconds])),
    pipelineSeconds: report.seconds,
    report: report.pairs!,
    budget: report.budget,
    memory: {
      inputMb: bytes.byteLength / 2 ** 20,
      loadedRssMb,
      storeMb: storeBytes / 2 ** 20,
      storeObjects: objects,
      shards: report.stages.ingest?.shards,
    },
  };
}

/** One child's measurement (`run` as in RUNS, or `baseline`), printed to stdout as a JSON line. */
export async function child(run: string, file: string, idx: string, keepState: boolean): Promise<void> {
  if (run === 'baseline') {
    // This script's child with nothing loaded: the floor under every peak RSS below.
    process.stdout.write(`${JSON.stringify({ peakRssMb: maxRssMb() })}\n`);
    return;
  }
  const mode = modeOf(run);
  const r =
    mode === 'reference'
      ? await childReference(file, idx)
      : mode === 'runLocal'
        ? await childRunLocal(run, file, idx)
        : await childWorkers(run, file, idx, keepState);
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
