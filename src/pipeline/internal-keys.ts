import type { Recipe } from '../../schemas/recipe.ts';
import type { Issue } from '../errors.ts';
import { resolveScorer, resolveScorers } from '../score/index.ts';

/**
 * Winnow's own objects in the bucket, by prefix or shape, and why each is not data. A dataset
 * (`register`) and a recipe reference (`reference`, `target`, `raw`, `labels`, `anchors`) read data
 * objects only: a job's files change or vanish when the job is deleted or its intermediates are
 * dropped, and a manifest or a cached model is not records.
 */
const RULES: { test: (key: string) => boolean; what: string }[] = [
  { test: (k) => k.startsWith('jobs/'), what: "a job's own file (jobs/…)" },
  { test: (k) => k.startsWith('cache/'), what: 'a fitted model kept for a dataset (cache/…)' },
  { test: (k) => k.startsWith('schedules/'), what: "a schedule's marker (schedules/…)" },
  { test: (k) => k.startsWith('pairsets/'), what: "a pair set's stored round (pairsets/…)" },
  { test: (k) => k.startsWith('samplers/'), what: "a sampler run's marker (samplers/…)" },
  { test: (k) => k.startsWith('safety/'), what: "a safety job's input or an identity's ledger (safety/…)" },
  {
    test: (k) => /^datasets\/[^/]+\/(manifest|latest)\.json$/.test(k),
    what: "a dataset's manifest or latest pointer (datasets/<name>/manifest.json, latest.json)",
  },
  {
    test: (k) => /^datasets\/[^/]+\/\.winnow\/cells\//.test(k),
    what: "a dataset's cached score cells (datasets/<name>/.winnow/cells/…)",
  },
  {
    test: (k) => /^datasets\/[^/]+\/\.winnow\//.test(k),
    what: "a version Winnow keeps of a dataset's objects (datasets/<name>/.winnow/…)",
  },
];

/** Why `key` is one of Winnow's own objects (`a job's own file (jobs/…)`), or null for a data object. */
export function internalKeyRule(key: string): string | null {
  return RULES.find((r) => r.test(key))?.what ?? null;
}

const DATASET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** The rule a reference (`dataset:<name>` or an R2 key) breaks, in words; null when it is allowed. */
export function referenceProblem(ref: string): string | null {
  if (ref.startsWith('dataset:')) {
    const name = ref.slice('dataset:'.length);
    return DATASET_NAME.test(name)
      ? null
      : `"${name}" is not a dataset name (1-128 of A-Z a-z 0-9 . _ -, starting with a letter or digit)`;
  }
  const what = internalKeyRule(ref);
  return what === null
    ? null
    : `"${ref}" is ${what}, not data: name a data object in the bucket, or "dataset:<name>" for a dataset`;
}

/** One reference of a recipe: where it is (`scorers[2].config.target`) and what it names. */
export interface RecipeReference {
  path: string;
  ref: string;
}

/**
 * Every reference the recipe's learning scorers read (their `references(config)`), the in-context
 * scorer's included, with the config field that names it. Scorers that do not resolve are skipped:
 * validateRecipe reports them.
 */
export function recipeReferences(recipe: Pick<Recipe, 'scorers' | 'select'>): RecipeReference[] {
  const out: RecipeReference[] = [];
  const add = (r: ReturnType<typeof resolveScorer>, at: string) => {
    const config = r.config as Record<string, unknown>;
    for (const ref of r.scorer.references?.(r.config) ?? []) {
      const field = Object.keys(config).find((k) => config[k] === ref);
      out.push({ path: `${at}.config${field ? `.${field}` : ''}`, ref });
    }
  };
  try {
    // One resolved scorer per ref, in order (it throws otherwise).
    resolveScorers(recipe.scorers).forEach((r, i) => {
      add(r, `scorers[${i}]`);
    });
  } catch {
    // validateRecipe lists what does not resolve.
  }
  const ic = recipe.select.incontext?.scorer;
  if (ic) {
    try {
      add(resolveScorer(ic, 'select.incontext.scorer'), 'select.incontext.scorer');
    } catch {
      // As above.
    }
  }
  return out;
}

/** The recipe's references that name Winnow's own objects (or bad dataset names), as issues. */
export function referenceIssues(recipe: Pick<Recipe, 'scorers' | 'select'>): Issue[] {
  return recipeReferences(recipe).flatMap(({ path, ref }) => {
    const problem = referenceProblem(ref);
    return problem ? [{ code: 'internal_key', path, message: problem }] : [];
  });
}

/** The datasets a recipe reads besides its own (`dataset:<name>` references), each once. */
export function referencedDatasets(recipe: Pick<Recipe, 'scorers' | 'select'>): string[] {
  const names = recipeReferences(recipe)
    .filter((r) => r.ref.startsWith('dataset:'))
    .map((r) => r.ref.slice('dataset:'.length));
  return [...new Set(names)];
}
