import { npyHeader } from '../embed/matrix-file.ts';
import { ALL } from '../select/index.ts';
import type { Advance, BarrierInput, OutputManifest, PipelineState } from './advance.ts';
import { OUTPUT_FILES, type OutputFile } from './keys.ts';
import { buildReport } from './report.ts';
import type { JobSpec } from './spec.ts';
import type { ClusterState, StepResult } from './stages/cluster/plan.ts';
import { EMBED_ITER, type EmbedTally } from './stages/embed/embed.ts';
import type { DiffResult } from './stages/export/diff.ts';
import {
  type ExportTally,
  type IngestTally,
  mergeExportTallies,
  type ScoreTally,
  type WeightsResult,
} from './stages/index.ts';
import { needsVectors } from './stages/select/plan.ts';

function clusterReport(spec: JobSpec, plan: ClusterState, s: Extract<StepResult, { kind: 'summary' }>) {
  const step = plan.step as { k: number };
  return {
    algorithm: spec.recipe.cluster?.algorithm ?? 'kmeans',
    k: step.k,
    iterations: plan.iterations,
    converged: plan.converged,
    sizes: s.sizes,
    scoreMeans: s.scoreMeans,
    kernel: s.kernel,
    ...(s.meanLogLikelihood !== undefined ? { meanLogLikelihood: s.meanLogLikelihood } : {}),
    ...(s.inertia !== undefined ? { inertia: s.inertia } : {}),
    ...(plan.grid.length > 1 ? { bic: plan.grid.map(({ k, bic }) => ({ k, bic })) } : {}),
  };
}

/** A selection job's end: report.json and the output manifest from the ledger's tallies. */
export function finishSelection(input: BarrierInput, state: PipelineState): Advance {
  // The shards' export tallies (step 0) and the weights task's result (step 1), from the ledger.
  const done = input.stage === 'export';
  const exported = done ? mergeExportTallies(input.history('export', 0) as ExportTally[]) : undefined;
  const weights = done ? (input.history('export', 1)[0] as WeightsResult) : undefined;
  const diff = done && input.spec.previous ? (input.history('export', 3)[0] as DiffResult) : undefined;
  const shards = input.shards.length;
  const report = buildReport({
    spec: input.spec,
    ingest: input.stage === 'export' ? (input.history('ingest') as IngestTally[]) : [],
    scored: input.stage === 'export' ? (input.history('score') as ScoreTally[]) : [],
    embedded:
      done && needsVectors(input.spec.recipe)
        ? (input.history('embed', EMBED_ITER.embed) as EmbedTally[])
        : [],
    fits: state.fits ?? [],
    clusters:
      state.clusterSummary && state.plan
        ? clusterReport(input.spec, state.plan, state.clusterSummary)
        : undefined,
    exported,
    select: state.select,
    weights,
    diff,
    stats: state.stats ?? {},
    budget: state.budget!,
    cut: state.cut ?? ALL,
    stages: input.stageSeconds,
    seconds: input.seconds,
  });
  const files: OutputManifest['files'] = OUTPUT_FILES.map((name: OutputFile) => ({
    name,
    bytes:
      name === 'weights.jsonl'
        ? (weights?.bytes ?? 0)
        : (exported?.bytes[name as keyof ExportTally['bytes']] ?? 0),
    parts: exported ? shards : 0,
  }));
  if (state.clusterSummary)
    files.push({ name: 'clusters.json', bytes: state.clusterSummary.bytes, parts: 1 });
  if (diff) {
    files.push({ name: 'diff.json', bytes: diff.bytes, parts: 1 });
    files.push({ name: 'diff.jsonl', bytes: diff.linesBytes, parts: diff.parts });
  }
  if (input.spec.recipe.exportEmbeddings && state.embedDim) {
    const rows = report.counts.valid;
    const bytes = npyHeader(rows, state.embedDim).byteLength + rows * state.embedDim * 4;
    files.push({ name: 'embeddings.npy', bytes, parts: shards, shape: [rows, state.embedDim] });
  }
  return {
    kind: 'finish',
    state,
    report,
    manifest: { files, shards: exported ? shards : 0 },
    ...(input.stage === 'plan' ? { table: input.shards } : {}),
  };
}
