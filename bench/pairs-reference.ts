/**
 * Naive single-process reference for trajectory preference pairs (GRAPE-style scores, best-vs-worst pairs):
 * a speed and memory baseline and a correctness cross-check for src/pairs. Deliberately independent of
 * src/pairs and deliberately simple: the whole file in memory, JSON.parse per line, one Map of groups.
 *
 * Definitions:
 * - a rollout's index is its 0-based position among the file's non-empty lines;
 * - group: the task, plus the canonical JSON (keys sorted recursively) of initialState when the key is present;
 * - log R_self = Σ_steps max(logprob, ln pFloor); a step without a numeric logprob counts ln pFloor;
 * - R_ext = exp(−Σ_stages Σ_costs β·max(0, cost − τ));
 * - I = 1 when success === true, else 0;
 * - total = λ_self·log R_self + λ_ext·R_ext + λ_success·I (defaults 0.01, 1, 5; pFloor 0.05, β 0.01, τ 0);
 * - members ordered by (total desc, index asc): one pair (first, last) per group, unless the group has a
 *   single member ('single_response') or first.total − last.total ≤ 0 ('margin_too_small').
 *
 *   node bench/pairs-reference.ts bench/out/traj-1m.jsonl     # prints a JSON summary
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

/** τ by stage, then cost name (as in schemas/pairs.ts `thresholds`). */
export type CostTable = Record<string, Record<string, number>>;

export interface ReferenceOptions {
  lambda?: { self?: number; external?: number; success?: number };
  pFloor?: number;
  /** β for every cost, or by cost name (names not listed: 0.01), as in schemas/pairs.ts. */
  beta?: number | Record<string, number>;
  /** β by stage and cost name; takes precedence over `beta`. */
  stageBeta?: CostTable;
  /** τ by stage and cost name: `default`, with `tasks[task]` overriding it entry by entry; missing τ is 0. */
  thresholds?: { default?: CostTable; tasks?: Record<string, CostTable> };
}

export type SkipReason = 'single_response' | 'margin_too_small';

export interface RolloutScore {
  logRself: number;
  rext: number;
  success: 0 | 1;
  total: number;
  steps: number;
}

export interface ReferencePair {
  group: string;
  chosenIndex: number;
  rejectedIndex: number;
  margin: number;
}

export interface ReferenceResult {
  /** In order of each group's first member. */
  pairs: ReferencePair[];
  skipped: Record<SkipReason, number>;
  groups: number;
  rollouts: number;
  steps: number;
  /** Each rollout's total, by index. */
  totals: number[];
}

const DEFAULT_BETA = 0.01;

/** JSON with object keys sorted at every depth. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The group key: `["task"]`, or `["task",<canonical initialState>]` when the row has an initialState key. */
export function groupKey(row: Record<string, unknown>): string {
  const task = JSON.stringify(String(row.task));
  return 'initialState' in row ? `[${task},${canonicalJson(row.initialState)}]` : `[${task}]`;
}

function betaFor(opts: ReferenceOptions, stage: string, name: string): number {
  const staged = opts.stageBeta?.[stage]?.[name];
  if (staged !== undefined) return staged;
  const b = opts.beta ?? DEFAULT_BETA;
  return typeof b === 'number' ? b : (b[name] ?? DEFAULT_BETA);
}

function tauFor(opts: ReferenceOptions, task: string, stage: string, name: string): number {
  return opts.thresholds?.tasks?.[task]?.[stage]?.[name] ?? opts.thresholds?.default?.[stage]?.[name] ?? 0;
}

/** GRAPE's trajectory score of one parsed rollout. */
export function scoreRollout(row: Record<string, unknown>, opts: ReferenceOptions = {}): RolloutScore {
  const floor = Math.log(opts.pFloor ?? 0.05);
  const steps = Array.isArray(row.steps) ? (row.steps as Record<string, unknown>[]) : [];
  let logRself = 0;
  for (const step of steps) {
    const lp = step?.logprob;
    logRself += typeof lp === 'number' ? Math.max(lp, floor) : floor;
  }
  let penalty = 0;
  const costs = (row.costs ?? {}) as Record<string, Record<string, unknown>>;
  for (const stage of Object.keys(costs)) {
    for (const name of Object.keys(costs[stage] ?? {})) {
      const cost = costs[stage][name];
      if (typeof cost !== 'number') continue;
      const tau = tauFor(opts, String(row.task), stage, name);
      penalty += betaFor(opts, stage, name) * Math.max(0, cost - tau);
    }
  }
  const rext = Math.exp(-penalty);
  const success = row.success === true ? 1 : 0;
  const l = opts.lambda ?? {};
  const total = (l.self ?? 0.01) * logRself + (l.external ?? 1) * rext + (l.success ?? 5) * success;
  return { logRself, rext, success, total, steps: steps.length };
}

/** Scores every rollout of a JSONL text and pairs the best against the worst of each group. */
export function referencePairs(text: string, opts: ReferenceOptions = {}): ReferenceResult {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const groups = new Map<string, number[]>();
  const totals: number[] = [];
  let steps = 0;
  lines.forEach((line, i) => {
    const row = JSON.parse(line) as Record<string, unknown>;
    const score = scoreRollout(row, opts);
    totals.push(score.total);
    steps += score.steps;
    const key = groupKey(row);
    const members = groups.get(key);
    if (members) members.push(i);
    else groups.set(key, [i]);
  });
  const pairs: ReferencePair[] = [];
  const skipped: Record<SkipReason, number> = { single_response: 0, margin_too_small: 0 };
  for (const [group, members] of groups) {
    if (members.length < 2) {
      skipped.single_response++;
      continue;
    }
    const ordered = [...members].sort((a, b) => totals[b] - totals[a] || a - b);
    const best = ordered[0];
    const worst = ordered[ordered.length - 1];
    const margin = totals[best] - totals[worst];
    if (!(margin > 0)) {
      skipped.margin_too_small++;
      continue;
    }
    pairs.push({ group, chosenIndex: best, rejectedIndex: worst, margin });
  }
  return { pairs, skipped, groups: groups.size, rollouts: lines.length, steps, totals };
}

if (import.meta.main) {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { options: { type: 'string' } },
  });
  if (positionals.length !== 1) {
    process.stderr.write(
      'usage: node bench/pairs-reference.ts <file.jsonl> [--options \'{"pFloor":0.05}\']\n',
    );
    process.exit(2);
  }
  const opts = values.options ? (JSON.parse(values.options) as ReferenceOptions) : {};
  const t0 = performance.now();
  const text = readFileSync(positionals[0], 'utf8');
  const t1 = performance.now();
  const r = referencePairs(text, opts);
  const t2 = performance.now();
  const margins = r.pairs.map((p) => p.margin);
  const summary = {
    file: positionals[0],
    bytes: Buffer.byteLength(text),
    rollouts: r.rollouts,
    steps: r.steps,
    groups: r.groups,
    pairs: r.pairs.length,
    skipped: r.skipped,
    margin: margins.length
      ? {
          mean: margins.reduce((a, b) => a + b, 0) / margins.length,
          min: margins.reduce((a, b) => Math.min(a, b)),
          max: margins.reduce((a, b) => Math.max(a, b)),
        }
      : null,
    seconds: { read: (t1 - t0) / 1000, compute: (t2 - t1) / 1000, total: (t2 - t0) / 1000 },
    // maxRSS is in KiB; rss and heapUsed are sampled at the end.
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    endRssMB: process.memoryUsage().rss / 2 ** 20,
    endHeapUsedMB: process.memoryUsage().heapUsed / 2 ** 20,
  };
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
}
