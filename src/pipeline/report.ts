import type { Report } from '../../schemas/output.ts';
import type { JobView, ReportPart, StageTimes } from './types.ts';

/** report.json as written: the one serialization both hosts use (its size goes into the manifest). */
export function reportText(report: Report): string {
  return JSON.stringify(report, null, 2);
}

/**
 * The report before any stage adds its part: every required section at zero, and every optional
 * one in its place (undefined, dropped at the end), so that sections keep their order.
 */
export function baseReport(view: JobView, stages: StageTimes, seconds: number): Report {
  const { spec } = view;
  return {
    job: spec.id,
    dataset: spec.dataset,
    counts: { input: 0, valid: 0, invalid: 0, selected: 0, rejected: 0 },
    rejectedByReason: {},
    budget: { requested: spec.recipe.select.budget, target: 0, reachable: true, met: false },
    threshold: null,
    scores: {},
    scoring: { computed: 0, cached: 0, byScorer: {}, model: { requests: 0, cached: 0, failed: 0 } },
    fits: {},
    embedding: undefined,
    clusters: undefined,
    selection: {
      strategy: spec.recipe.select.strategy,
      candidates: 0,
      dedup: {
        duplicate: 0,
        near_duplicate: 0,
        semantic_duplicate: 0,
        edges: 0,
        buckets: 0,
        compared: 0,
      },
      diversity: 0,
      histograms: {},
    },
    weights: undefined,
    diff: undefined,
    export: undefined,
    pairs: undefined,
    stages,
    seconds,
    recipe: spec.recipe,
    outputs: [],
  };
}

const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `part` merged into `report`: objects key by key, anything else (arrays, numbers) replaced. */
export function mergeReport<T extends Record<string, unknown>>(report: T, part: ReportPart | T): T {
  const out: Record<string, unknown> = { ...report };
  for (const [key, value] of Object.entries(part)) {
    const prev = out[key];
    out[key] = isPlain(prev) && isPlain(value) ? mergeReport(prev, value) : value;
  }
  return out as T;
}

/** The report with its unset optional sections removed. */
export function dropUnset(report: Report): Report {
  return Object.fromEntries(Object.entries(report).filter(([, v]) => v !== undefined)) as Report;
}
