import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Recipe } from '../../schemas/recipe.ts';
import { DEFAULT_SAMPLE, dryRun, dryRunText, overBudgetLines } from '../../src/dryrun/index.ts';
import { gunzip } from '../../src/util/gunzip.ts';
import { fileReferences, loadRecipe, type RunOptions } from './run.ts';

export interface DryRunCliOptions extends RunOptions {
  /** `--sample N`: valid records in the sample. */
  sample?: string;
  /** `--json`: the DryRun object (schemas/dryrun.ts) instead of the table. */
  json?: boolean;
}

/** A file's bytes, decompressed when it is gzip (as the stack does with an uploaded .gz). */
async function readData(file: string): Promise<Uint8Array> {
  const bytes: Uint8Array = readFileSync(file);
  if (!(bytes[0] === 0x1f && bytes[1] === 0x8b)) return bytes;
  const chunks: Uint8Array[] = [];
  const source = (async function* () {
    yield bytes;
  })();
  for await (const chunk of gunzip(source)) chunks.push(chunk.slice());
  return Buffer.concat(chunks);
}

/**
 * Scorer configs naming local files (`"target": "file:anchors.json"`, relative to the recipe file): read
 * here and handed to the dry run as objects, under the key the config then names (run uploads them).
 */
async function readFileReferences(recipe: Recipe, base: string): Promise<Record<string, Uint8Array>> {
  const extra: Record<string, Uint8Array> = {};
  for (const { config, key, file } of fileReferences(recipe, base)) {
    const name = `references/${Object.keys(extra).length}-${basename(file)}`;
    extra[name] = await readData(file);
    config[key] = name;
  }
  return extra;
}

/**
 * `winnow run <input> --dry-run`: project the job in this process (src/dryrun/) and print it. No local
 * stack is started and nothing is uploaded. Exit 1 when a provider's projected requests exceed its
 * requestBudget.
 */
export async function dryRunCommand(opts: DryRunCliOptions): Promise<number> {
  const input = resolve(opts.input);
  if (!existsSync(input)) throw new Error(`no input file ${input}`);
  const sample = opts.sample === undefined ? DEFAULT_SAMPLE : Number(opts.sample);
  if (!(Number.isInteger(sample) && sample >= 1))
    throw new Error(`--sample takes a whole number ≥ 1, got "${opts.sample}"`);
  const recipe = loadRecipe(opts);
  const extra = await readFileReferences(recipe, opts.recipe ? dirname(resolve(opts.recipe)) : process.cwd());
  const result = await dryRun(await readData(input), recipe, { sample, name: basename(input), extra });
  process.stdout.write(`${opts.json ? JSON.stringify(result, null, 2) : dryRunText(result)}\n`);
  const over = overBudgetLines(result);
  for (const line of over) process.stderr.write(`winnow: over budget: ${line}\n`);
  return over.length > 0 ? 1 : 0;
}
