import type { Report } from '../../../schemas/output.ts';
import { RecipeSchema } from '../../../schemas/recipe.ts';
import { memoryJob, memoryOutput, runLocal } from '../../../src/pipeline/index.ts';
import { fromJsonl } from '../../../src/pipeline/jsonl.ts';
import type { MemoryStore } from '../../../src/pipeline/memory-store.ts';
import { validateRecipe } from '../../../src/pipeline/validate-recipe.ts';
import type { ProviderSet } from '../../../src/providers/index.ts';

/** Runs a safety job (its recipe over its JSONL input) in one process, through every stage. */
export async function runSafety(
  text: string,
  recipe: unknown,
  opts: { id?: string; providers?: ProviderSet } = {},
): Promise<{ report: Report; store: MemoryStore; output: <T>(name: string) => Promise<T[]> }> {
  const id = opts.id ?? 'safety';
  const { store, spec } = await memoryJob({ [`in-${id}`]: text }, RecipeSchema.parse(recipe), { id });
  validateRecipe(spec.recipe);
  const report = await runLocal(store, spec, opts.providers ? { providers: () => opts.providers! } : {});
  return {
    report,
    store,
    output: async <T>(name: string) => fromJsonl<T>(await memoryOutput(store, id, name)),
  };
}
