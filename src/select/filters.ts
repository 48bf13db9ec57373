import { DEFAULT_FILTERS, type Filter } from '../../schemas/recipe.ts';
import type { Issue } from '../errors.ts';

export interface ResolvedFilter extends Filter {
  /** The rejection reason: `filter:<scorer>`, or `identity` for the identity scorer. */
  reason: string;
}

/** Who writes which score: the scorer ids of a recipe, with their outputs. */
export type ScoreWriters = readonly { id: string; outputs: readonly string[] }[];

/**
 * The filters a recipe applies: its own, or (when it gives none) the default filters of whichever
 * default scorers it runs. A filter naming a score no scorer writes is an issue; `quality` is always there.
 */
export function resolveFilters(
  filters: readonly Filter[] | undefined,
  writers: ScoreWriters,
  /** Outputs written only at export (Scorer.dataset): named, they get their own message. */
  late: ReadonlySet<string> = new Set(),
): { filters: ResolvedFilter[]; issues: Issue[] } {
  const chosen =
    filters ?? DEFAULT_FILTERS.filter((d) => writers.some((w) => w.id === d.scorer)).map((d) => d.filter);
  const issues: Issue[] = [];
  const out: ResolvedFilter[] = [];
  chosen.forEach((f, i) => {
    const writer = writers.find((w) => w.outputs.includes(f.score));
    if (late.has(f.score)) {
      issues.push({
        code: 'late_output',
        path: `select.filters[${i}].score`,
        message: lateOutputMessage(f.score),
      });
      return;
    }
    if (!writer && f.score !== 'quality') {
      const known = [...new Set(['quality', ...writers.flatMap((w) => w.outputs)])].sort();
      issues.push({
        code: 'unknown_score',
        path: `select.filters[${i}].score`,
        message: `no scorer in the recipe writes "${f.score}"; available: ${known.join(', ')}`,
      });
      return;
    }
    const id = writer?.id ?? 'quality';
    out.push({ ...f, reason: id === 'identity' ? 'identity' : `filter:${id}` });
  });
  return { filters: out, issues };
}

/** The reason of the first filter the scores fail (a missing or NaN score fails), or undefined. */
export function filterReason(
  scores: Record<string, number>,
  filters: readonly ResolvedFilter[],
): string | undefined {
  for (const f of filters) {
    const v = scores[f.score];
    if (typeof v !== 'number' || Number.isNaN(v)) return f.reason;
    if (f.min !== undefined && v < f.min) return f.reason;
    if (f.max !== undefined && v > f.max) return f.reason;
  }
  return undefined;
}

/** Why an output computed over the whole dataset at export cannot be filtered or ranked by. */
export function lateOutputMessage(name: string): string {
  return `"${name}" is computed over the whole dataset at export, so it cannot be filtered or ranked by`;
}
