import type { ProvidersInput } from '../../schemas/provider.ts';
import type { RecipeInput } from '../../schemas/recipe.ts';
import type { SafetyCategory, SafetyIdentity, SafetyRow } from '../../schemas/safety.ts';
import { type Issue, validationError } from '../errors.ts';
import { toJsonl } from '../pipeline/jsonl.ts';
import { draftRecords } from './drafts.ts';
import { identitySlug } from './identity.ts';

/** Drafts written per record wanted: the spare ones replace what dedup and the checks reject. */
export const OVERSAMPLE = 1.1;

/** About 8 shards of drafts or attacks (so that a provider's requests spread over tasks), 4 KiB at least. */
function shardBytes(bytes: number): number {
  return Math.min(4 * 1024 * 1024, Math.max(4096, Math.ceil(bytes / 8)));
}

export const byteLength = (text: string) => new TextEncoder().encode(text).length;

export interface GenerateOptions {
  identity: SafetyIdentity;
  count: number;
  seed: number;
  categories?: SafetyCategory[];
  providers?: ProvidersInput;
  provider?: string;
}

/** Every provider a safety job names is in its providers: else a validation error saying which. */
function needProviders(providers: ProvidersInput, names: Record<string, string | undefined>): void {
  const issues: Issue[] = [];
  for (const [path, name] of Object.entries(names)) {
    if (name === undefined || Object.hasOwn(providers, name)) continue;
    const known = Object.keys(providers).sort();
    issues.push({
      code: 'unknown_provider',
      path,
      message: `no provider "${name}" in providers${known.length ? ` (known: ${known.join(', ')})` : ''}`,
    });
  }
  if (issues.length) throw validationError(null, issues);
}

/**
 * A generation job: its drafts (the job's input, JSONL) and its recipe. `count` × 1.1 drafts are
 * written, spread evenly over the categories and languages, reproducible from the seed.
 */
export function generationJob(o: GenerateOptions): {
  drafts: string;
  rows: SafetyRow[];
  recipe: RecipeInput;
  dataset: string;
} {
  const providers = o.providers ?? {};
  needProviders(providers, { provider: o.provider });
  const rows = draftRecords(o.identity, {
    count: Math.ceil(o.count * OVERSAMPLE) + 2,
    seed: o.seed,
    ...(o.categories ? { categories: o.categories } : {}),
  }).rows;
  const drafts = toJsonl(rows);
  return {
    drafts,
    rows,
    dataset: `safety-${identitySlug(o.identity)}-g${o.seed}`,
    recipe: {
      shardBytes: shardBytes(byteLength(drafts)),
      scorers: [],
      providers,
      safety: {
        task: 'generate',
        identity: o.identity,
        count: o.count,
        seed: o.seed,
        ...(o.categories ? { categories: o.categories } : {}),
        ...(o.provider ? { provider: o.provider } : {}),
      },
    },
  };
}

export interface BenchOptions {
  identity: SafetyIdentity;
  providers: ProvidersInput;
  target: string;
  judge?: string;
  system?: string;
  maxTokens?: number;
}

/** A benchmark job's recipe, over an attack set of `bytes` (any input format). */
export function benchRecipe(o: BenchOptions, bytes: number): RecipeInput {
  needProviders(o.providers, { target: o.target, judge: o.judge });
  return {
    shardBytes: shardBytes(bytes),
    scorers: [],
    providers: o.providers,
    safety: {
      task: 'bench',
      identity: o.identity,
      target: o.target,
      ...(o.judge ? { judge: o.judge } : {}),
      ...(o.system ? { system: o.system } : {}),
      ...(o.maxTokens ? { maxTokens: o.maxTokens } : {}),
    },
  };
}

/**
 * A held-out attack set: templated attacks from `seed`, none of whose prompt hashes is in `exclude`
 * (every set generated for the identity: its ledger). Returns the JSONL and how many were left out.
 */
export function heldOutSet(
  identity: SafetyIdentity,
  o: { count: number; seed: number; categories?: SafetyCategory[]; exclude: ReadonlySet<string> },
): { text: string; rows: SafetyRow[]; excluded: number; dataset: string } {
  const d = draftRecords(identity, {
    count: o.count,
    seed: o.seed,
    exclude: o.exclude,
    ...(o.categories ? { categories: o.categories } : {}),
  });
  return {
    text: toJsonl(d.rows),
    rows: d.rows,
    excluded: d.excluded,
    dataset: `safety-${identitySlug(identity)}-b${o.seed}`,
  };
}
