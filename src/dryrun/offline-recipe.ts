import type { Budget, Recipe, Reserve } from '../../schemas/recipe.ts';
import { resolveEmbedder } from '../embed/index.ts';
import { WinnowError } from '../errors.ts';
import { resolveScorer } from '../score/index.ts';
import { budgetTarget, reserveWanted } from '../select/index.ts';

/** Outputs whose value the default `quality` blends in (src/score/combine-quality.ts). */
const QUALITY_INPUTS = new Set([
  'length',
  'diversity',
  'repetition',
  'heuristics',
  'lm_quality',
  'classifier',
  'judge_p',
]);

export interface LeftOut {
  path: string;
  why: string;
}

export interface OfflineRecipe {
  recipe: Recipe;
  leftOut: LeftOut[];
  /** Ids of the scorers that run on the sample. */
  scorers: string[];
}

/**
 * A count budget scaled from the dataset's valid records to the sample's (rounded half up); a
 * percentage is the same share of either.
 */
export function sampleBudget(budget: Budget, valid: number, sampled: number): Budget {
  if (typeof budget !== 'number') return budget;
  if (valid === 0) return 0;
  return Math.min(sampled, Math.floor((budget * sampled) / valid + 0.5));
}

/**
 * Reserves for the sample: refused as the job would refuse them when they do not fit the dataset's
 * budget; those matching on a score a model writes left out; counts scaled to the sample, rounded
 * down, so that they still fit the sample's budget (shares of the budget stay as they are).
 */
function sampleReserves(
  recipe: Recipe,
  valid: number,
  sampled: number,
  removed: ReadonlySet<string>,
  leftOut: LeftOut[],
): Reserve[] | undefined {
  const reserves = recipe.select.reserve;
  if (!reserves) return undefined;
  if (valid > 0) {
    const { target } = budgetTarget(recipe.select.budget, valid);
    if (target > 0) reserveWanted(reserves, target);
  }
  const kept = reserves.flatMap((r, i) => {
    if (r.where.score !== undefined && removed.has(r.where.score)) {
      leftOut.push({
        path: `select.reserve[${i}]`,
        why: `matches on "${r.where.score}", which a model writes`,
      });
      return [];
    }
    if (typeof r.min !== 'number' || valid === 0) return [r];
    return [{ ...r, min: Math.floor((r.min * sampled) / valid) }];
  });
  return kept.length > 0 ? kept : undefined;
}

/**
 * The part of a selection recipe that runs without a model, for the dry run's sample: model-backed
 * scorers, the classifier's `labelsFrom`, the in-context scorer and a model embedder are left out (with
 * the filters and rank terms that read their outputs), scorers that read an uploaded dataset too (a
 * dry run cannot see it), and nothing is exported or cached. Every change is listed in `leftOut`.
 */
export function offlineRecipe(recipe: Recipe, valid: number, sampled: number): OfflineRecipe {
  if (recipe.pairs || recipe.safety) {
    throw new WinnowError('validation_failed', {
      path: recipe.pairs ? 'pairs' : 'safety',
      detail: 'a dry run projects a selection job; this recipe builds pairs or runs identity safety',
    });
  }
  const leftOut: LeftOut[] = [];
  const removed = new Set<string>();
  const scorers = recipe.scorers.filter((ref, i) => {
    const { scorer, config } = resolveScorer(ref, `scorers[${i}]`);
    const c = config as { provider?: string; labelsFrom?: { scorer: string } };
    let why: string | undefined;
    if (scorer.kind === 'model')
      why = `model-backed (provider "${c.provider}"): not called, its requests are projected`;
    else if (c.labelsFrom)
      why = `its labelsFrom calls the model-backed "${c.labelsFrom.scorer}": not called, its requests are projected`;
    else {
      const uploaded = (scorer.references?.(config) ?? []).find((r) => r.startsWith('dataset:'));
      if (uploaded)
        why = `reads the uploaded ${uploaded}, which a dry run cannot see (name a local file: "file:…")`;
    }
    if (!why) return true;
    leftOut.push({ path: `scorers[${i}] (${scorer.id})`, why });
    for (const o of scorer.outputs) removed.add(o);
    return false;
  });
  const ic = recipe.select.incontext;
  if (ic) {
    leftOut.push({
      path: 'select.incontext',
      why: `model-backed "${ic.scorer.id}": not called, its requests are projected`,
    });
    removed.add(`${resolveScorer(ic.scorer, 'select.incontext.scorer').scorer.outputs[0]}_est`);
  }
  const select = {
    ...recipe.select,
    incontext: undefined,
    budget: sampleBudget(recipe.select.budget, valid, sampled),
    reserve: sampleReserves(recipe, valid, sampled, removed, leftOut),
  };
  if (select.filters) {
    select.filters = select.filters.filter((f, i) => {
      if (!removed.has(f.score)) return true;
      leftOut.push({ path: `select.filters[${i}]`, why: `filters on "${f.score}", which a model writes` });
      return false;
    });
  }
  const terms = select.rank.terms.filter((t, i) => {
    if (!removed.has(t.score)) return true;
    leftOut.push({ path: `select.rank.terms[${i}]`, why: `ranks by "${t.score}", which a model writes` });
    return false;
  });
  if (terms.length === 0) terms.push({ score: 'quality', weight: 1 });
  const blended = [...removed].filter((o) => QUALITY_INPUTS.has(o));
  if (terms.some((t) => t.score === 'quality') && blended.length > 0) {
    leftOut.push({
      path: 'quality',
      why: `blended without ${blended.join(', ')}: the sample's ranks differ from the job's`,
    });
  }
  select.rank = { ...select.rank, terms };
  if (select.weights.score && removed.has(select.weights.score))
    select.weights = { ...select.weights, score: undefined };
  let embed = recipe.embed;
  if (recipe.cluster && resolveEmbedder(recipe.embed).embedder.kind === 'model') {
    leftOut.push({
      path: 'embed',
      why: `model embedder "${recipe.embed.id}": the sample is embedded with tfidf instead`,
    });
    embed = { id: 'tfidf', config: {} };
  }
  // Clusters cannot outnumber the sample's records.
  let cluster = recipe.cluster;
  if (cluster && sampled > 0 && Math.max(cluster.k ?? 0, ...(cluster.kGrid ?? [])) > sampled) {
    leftOut.push({
      path: 'cluster.k',
      why: `more clusters than the sample's ${sampled} records: at most ${sampled}`,
    });
    const kGrid = cluster.kGrid && [...new Set(cluster.kGrid.map((k) => Math.min(k, sampled)))];
    cluster = {
      ...cluster,
      ...(cluster.k === undefined ? {} : { k: Math.min(cluster.k, sampled) }),
      ...(kGrid
        ? { kGrid: kGrid.length >= 2 ? kGrid : undefined, k: kGrid.length >= 2 ? cluster.k : kGrid[0] }
        : {}),
    };
  }
  return {
    recipe: {
      ...recipe,
      cluster,
      scorers,
      providers: {},
      cache: false,
      keep: 'outputs',
      embed,
      exportEmbeddings: false,
      export: { ...recipe.export, formats: [], parquet: false, card: false },
      select,
    },
    leftOut,
    scorers: scorers.map((s) => s.id),
  };
}
