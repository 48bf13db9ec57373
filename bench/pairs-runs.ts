/**
 * What bench/pairs.ts runs, what a child reports, and the pair-index files the parent compares: shared by
 * the parent (bench/pairs.ts) and the children (bench/pairs-children.ts, bench/pairs-workers.ts).
 *
 * Only types come from Winnow here (erased at run time), so the reference child loads none of its modules.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Report } from '../schemas/output.ts';
import type { PairsReport } from '../schemas/pairs.ts';
import { rssByProcess } from './proc.ts';

export const ROOT = resolve(import.meta.dirname, '..');
export const OUT = join(ROOT, 'bench', 'out');

export const note = (msg: string) => process.stderr.write(`${msg}\n`);

/** This process's VmRSS, in MB. */
export const rssMb = () => Object.values(rssByProcess([process.pid]))[0] ?? 0;

/** The recipes' `pairs` sections. `best-worst` is the one checked pair for pair against the reference. */
export const CONFIGS: Record<string, Record<string, unknown>> = {
  'best-worst': { payload: 'key' },
  // 13,360 candidates at 1M steps: the budget binds, so the top cut (a k-way merge of partitions) runs.
  'all-margin': { strategy: { id: 'all-margin' }, minMargin: 1, budget: 10_000, payload: 'key' },
  /**
   * all-margin with an even share per task. (best-worst makes ~1 pair per group, ~3,700 at 1M steps,
   * so a budget of 5,000 would cut nothing there.)
   */
  balanced: {
    strategy: { id: 'all-margin' },
    minMargin: 1,
    balanceTasks: true,
    budget: 5_000,
    payload: 'key',
  },
};
export async function recipeOf(config: string) {
  const { RecipeSchema } = await import('../schemas/recipe.ts');
  return RecipeSchema.parse({ pairs: CONFIGS[config] });
}

export type Mode = 'reference' | 'runLocal' | 'workers';
export const RUNS = [
  'reference',
  'runLocal/best-worst',
  'runLocal/all-margin',
  'runLocal/balanced',
  'workers/best-worst',
  'workers/all-margin',
  'workers/balanced',
] as const;
export type RunName = (typeof RUNS)[number];
export const modeOf = (run: string) => run.split('/')[0] as Mode;
export const configOfRun = (run: string) => run.split('/')[1] ?? 'best-worst';

export interface ChildResult {
  run: string;
  mode: Mode;
  config: string;
  rollouts: number;
  /** reference only: steps it counted (the parent's step count is the generator's). */
  steps?: number;
  /** Wall seconds of the measured span: see `span`. */
  seconds: number;
  span: string;
  pairs: number;
  /** Lines of pairs.jsonl (reference: its pair list). */
  lines: number;
  /** Peak RSS in MB: the process's (reference, runLocal) or the Workers stack's process tree. */
  peakRssMb: number;
  /** Secondary timings, seconds. */
  timings: Record<string, number>;
  /** runLocal: seconds, tasks and the slowest task per `stage:iter`, and VmHWM (MB) when the step ended. */
  stepTimes?: Record<string, { seconds: number; tasks: number; max: number; hwmMb: number }>;
  /** Winnow: report.stages seconds, report.seconds, and report.pairs. */
  stages?: Record<string, number>;
  pipelineSeconds?: number;
  report?: PairsReport;
  budget?: Report['budget'];
  /** Reference: its group count and skips, to compare with the report's. */
  groups?: number;
  skipped?: Record<string, number>;
  /** Memory details: runLocal's store; the stack's peak per phase and per process. */
  memory: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Pair-index files: `chosen\trejected` source indices, one pair a line, written by a child and
// read by the parent.

export const idxFile = (run: string) => join(OUT, `pairs-idx-${run.replace('/', '-')}.tsv`);

export function writeIdx(path: string, pairs: [number, number][]): void {
  writeFileSync(path, pairs.map(([c, r]) => `${c}\t${r}\n`).join(''));
}

export function readIdx(run: string): Set<string> {
  return new Set(
    readFileSync(idxFile(run), 'utf8')
      .split('\n')
      .filter((l) => l),
  );
}

/** (chosen.source.index, rejected.source.index) of each pairs.jsonl line (key payload). */
export function indicesOf(jsonl: string): [number, number][] {
  const out: [number, number][] = [];
  for (const line of jsonl.split('\n')) {
    if (!line) continue;
    const p = JSON.parse(line) as {
      chosen: { source?: { index?: number } };
      rejected: { source?: { index?: number } };
    };
    out.push([p.chosen.source?.index ?? Number.NaN, p.rejected.source?.index ?? Number.NaN]);
  }
  return out;
}
