import type { OutputLine, Report } from '../../../schemas/output.ts';
import { RecipeSchema } from '../../../schemas/recipe.ts';
import { memoryJob, memoryOutput, runLocal } from '../../../src/pipeline/index.ts';
import { fromJsonl } from '../../../src/pipeline/jsonl.ts';
import { validateRecipe } from '../../../src/pipeline/validate-recipe.ts';
import type { ProviderSet } from '../../../src/providers/index.ts';
import { MemoryCellCache } from '../../../src/score/index.ts';

export interface SelectRun {
  report: Report;
  selected: OutputLine[];
  rejected: OutputLine[];
  weights: { id: string; source: { index: number }; weight: number }[];
}

/** Run the whole pipeline in one process over JSONL rows, with extra objects in the store. */
export async function runRows(
  rows: readonly unknown[],
  recipe: unknown,
  opts: { id?: string; extra?: Record<string, string>; providers?: ProviderSet } = {},
): Promise<SelectRun> {
  const id = opts.id ?? 'sel';
  const text = `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
  const { store, spec } = await memoryJob({ in: text }, RecipeSchema.parse(recipe), {
    id,
    extra: opts.extra,
  });
  validateRecipe(spec.recipe);
  const cells = new MemoryCellCache();
  const report = await runLocal(store, spec, {
    cells: () => cells,
    ...(opts.providers ? { providers: () => opts.providers! } : {}),
  });
  const read = async <T>(file: string) => fromJsonl<T>(await memoryOutput(store, id, file));
  return {
    report,
    selected: await read<OutputLine>('selected.jsonl'),
    rejected: await read<OutputLine>('rejected.jsonl'),
    weights: await read('weights.jsonl'),
  };
}

export const DEDUP_REASONS = new Set(['duplicate', 'near_duplicate', 'semantic_duplicate']);
