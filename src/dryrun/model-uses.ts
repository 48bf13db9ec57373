import type { DryRunModelUse } from '../../schemas/dryrun.ts';
import type { Recipe } from '../../schemas/recipe.ts';
import type { Turn } from '../../schemas/record.ts';
import { resolveEmbedder } from '../embed/index.ts';
import type { ChatMessage } from '../providers/types.ts';
import { resolveScorer } from '../score/index.ts';
import { judgeMessages } from '../score/judge/prompt.ts';
import { alpacaExample, alpacaPrompt, type Example, splitExample } from '../score/prompt.ts';
import { selfCritiqueMessages } from '../score/self-critique/prompt.ts';
import { dedupText } from '../select/dedup/index.ts';

/** The dry run's token estimate: 4 characters a token (OpenAI's rule of thumb for English text). */
export const CHARS_PER_TOKEN = 4;
export const tokensOf = (chars: number) => Math.ceil(chars / CHARS_PER_TOKEN);

/** Texts in one embeddings request (the provider layer's batch, src/providers/types.ts). */
const EMBED_BATCH = 100;

/** Which records a use sends requests for. */
export type Scope =
  /** Every valid record the score stage computes: distinct contents per shard. */
  | { kind: 'all' }
  /** The classifier's labelsFrom: the first `sample` distinct records of the fit sample. */
  | { kind: 'labels'; sample: number }
  /** Accelerated in-context scoring: a per-cluster share of the candidates, and the audit. */
  | { kind: 'incontext' }
  /** An embedder: every valid record, in requests of at most 100 texts per shard. */
  | { kind: 'embed' };

/** How one use of a model costs, per record, as far as it can be told without calling it. */
export interface ModelUseSpec {
  path: string;
  id: string;
  provider: string;
  scope: Scope;
  /** Requests for one record. */
  perRecord: number;
  /** Characters of the prompts of one record's requests (templates rendered). */
  chars(example: Example, turns: readonly Turn[]): number;
  /** Generated tokens asked for at most, per request (chat `maxTokens`; 0 for prompt log-probs). */
  completion: number;
  /** Requests made once per job (the golden score's anchors, scored zero-shot at fit). */
  fixed: number;
  note: string;
}

const messageChars = (m: readonly ChatMessage[]) => m.reduce((n, x) => n + x.content.length, 0);

/** The requests a model-backed scorer sends for one record, and their prompts, from its config. */
function scorerSpec(
  path: string,
  id: string,
  config: Record<string, unknown>,
  scope: Scope,
  anchorPool: number,
): ModelUseSpec {
  const provider = String(config.provider);
  const base = { path, id, provider, scope, fixed: 0 };
  switch (id) {
    case 'judge':
    case 'self_critique': {
      const messages = id === 'judge' ? judgeMessages : selfCritiqueMessages;
      return {
        ...base,
        perRecord: 1,
        chars: ({ instruction, answer }) => messageChars(messages(instruction, answer)),
        completion: config.maxTokens as number,
        note: '1 chat request a record; completion at most maxTokens',
      };
    }
    case 'ifd':
      return {
        ...base,
        perRecord: 2,
        chars: ({ instruction, answer }) => alpacaPrompt(instruction).length + 2 * answer.length,
        completion: 0,
        note: '2 prompt log-prob requests a record (answer with and without the instruction)',
      };
    case 'golden': {
      // Anchors: at most maxAnchors, of the anchor set or of the job's fit sample; each anchor is
      // about the size of a record's example, and a demonstration is the record's example.
      const anchors = config.anchors
        ? (config.maxAnchors as number)
        : Math.min(config.maxAnchors as number, anchorPool);
      return {
        ...base,
        perRecord: anchors,
        chars: ({ instruction, answer }) => anchors * 2 * (alpacaExample(instruction, answer).length + 1),
        completion: 0,
        fixed: anchors,
        note: `${anchors} prompt log-prob requests a record (one per anchor), and ${anchors} at fit; anchors taken as long as the records`,
      };
    }
    default:
      return {
        ...base,
        perRecord: 1,
        chars: (_e, turns) => dedupText(turns).length,
        completion: 0,
        note: 'unknown to the dry run: assumed 1 request a record, its text as the prompt',
      };
  }
}

/**
 * Every use of a model endpoint in a selection recipe: model-backed scorers, the classifier's
 * `labelsFrom`, the in-context scorer and a model embedder. `anchorPool` is the records the golden
 * score may pick anchors from (the fit sample).
 */
export function modelUses(recipe: Recipe, anchorPool: number): ModelUseSpec[] {
  const out: ModelUseSpec[] = [];
  const specOf = (ref: { id: string; config?: Record<string, unknown> }, path: string, scope: Scope) => {
    const { scorer, config } = resolveScorer(ref, path);
    return scorerSpec(path, scorer.id, config as Record<string, unknown>, scope, anchorPool);
  };
  recipe.scorers.forEach((ref, i) => {
    const path = `scorers[${i}]`;
    const { scorer, config } = resolveScorer(ref, path);
    if (scorer.kind === 'model') out.push(specOf(ref, path, { kind: 'all' }));
    const from = (
      config as { labelsFrom?: { scorer: string; config: Record<string, unknown>; sample: number } }
    ).labelsFrom;
    if (from) {
      const spec = specOf({ id: from.scorer, config: from.config }, `${path}.config.labelsFrom`, {
        kind: 'labels',
        sample: from.sample,
      });
      out.push({ ...spec, note: `${spec.note}; on up to ${from.sample} records of the fit sample, at fit` });
    }
  });
  const ic = recipe.select.incontext;
  const same = ic && recipe.scorers.some((s) => s.id === ic.scorer.id);
  // The same scorer in `scorers` scores every record anyway: its column answers the sample.
  if (ic && !same) out.push(specOf(ic.scorer, 'select.incontext.scorer', { kind: 'incontext' }));
  if (recipe.cluster || recipe.exportEmbeddings) {
    const { embedder, config } = resolveEmbedder(recipe.embed);
    const provider = (config as { provider?: unknown }).provider;
    if (embedder.kind === 'model') {
      out.push({
        path: 'embed',
        id: embedder.id,
        provider: typeof provider === 'string' ? provider : '(binding)',
        scope: { kind: 'embed' },
        perRecord: 1 / EMBED_BATCH,
        chars: (_e, turns) => dedupText(turns).length,
        completion: 0,
        fixed: 0,
        note: `embeddings, ${EMBED_BATCH} texts a request`,
      });
    }
  }
  return out;
}

/** Characters and records a use saw over the dataset's distinct records (per shard). */
export interface UseTally {
  records: number;
  chars: number;
  /** Embeddings: requests, counted per shard. */
  requests: number;
}

/** One shard's distinct records added to each use's tally. */
export function tallyShard(
  uses: readonly ModelUseSpec[],
  tallies: UseTally[],
  distinct: readonly { turns: Turn[] }[],
): void {
  if (uses.length === 0) return;
  const examples = distinct.map((r) => splitExample(r.turns));
  uses.forEach((use, u) => {
    const t = tallies[u];
    for (let i = 0; i < distinct.length; i++) t.chars += use.chars(examples[i], distinct[i].turns);
    t.records += distinct.length;
    if (use.scope.kind === 'embed') t.requests += Math.ceil(distinct.length / EMBED_BATCH);
  });
}

/** What the in-context sample takes of the candidates: its share per cluster, at least the minimum, and the audit. */
export function incontextRecords(recipe: Recipe, candidates: number): number {
  const ic = recipe.select.incontext!;
  const k = recipe.cluster?.k ?? Math.max(...(recipe.cluster?.kGrid ?? [1]));
  const sampled = Math.min(candidates, Math.max(Math.ceil(ic.sampleRate * candidates), ic.minPerCluster * k));
  const rest = candidates - sampled;
  const audit =
    ic.audit === undefined
      ? Math.min(200, Math.ceil(0.05 * candidates))
      : typeof ic.audit === 'number'
        ? ic.audit
        : Math.ceil((Number.parseFloat(ic.audit) / 100) * candidates);
  return sampled + Math.min(rest, audit);
}

/** A use's projected requests and tokens, from its tally and, for sampled scopes, how many records it reaches. */
export function projectUse(
  use: ModelUseSpec,
  t: UseTally,
  reach: { distinct: number; candidates: number; recipe: Recipe },
): DryRunModelUse {
  const mean = t.records > 0 ? t.chars / t.records : 0;
  let records = t.records;
  let chars = t.chars;
  if (use.scope.kind === 'labels' || use.scope.kind === 'incontext') {
    records =
      use.scope.kind === 'labels'
        ? Math.min(use.scope.sample, reach.distinct, reach.recipe.fit.sampleSize)
        : incontextRecords(reach.recipe, reach.candidates);
    chars = mean * records;
  }
  const requests = use.scope.kind === 'embed' ? t.requests : Math.round(records * use.perRecord) + use.fixed;
  // A fit-time request (an anchor scored alone) is about half a record's per-anchor prompt.
  const fixedChars = use.perRecord > 0 ? (use.fixed * mean) / (2 * use.perRecord) : 0;
  const chat = use.completion > 0 ? requests : 0;
  return {
    path: use.path,
    id: use.id,
    provider: use.provider,
    records,
    requests,
    promptTokens: tokensOf(chars + fixedChars),
    completionTokens: chat * use.completion,
    note: use.note,
  };
}
