import type { ShardRecord } from '../../schemas/record.ts';
import { type SafetyGenerate, SafetyMetaSchema, type SafetyRow } from '../../schemas/safety.ts';
import { WinnowError } from '../errors.ts';
import { toJsonl } from '../pipeline/jsonl.ts';
import { readShardRecords } from '../pipeline/shard-records.ts';
import { type BlobStore, getText } from '../pipeline/store.ts';
import type { JobSpec, ShardInfo } from '../pipeline/types.ts';
import { requireProvider } from '../providers/index.ts';
import type { ModelUsage, ProviderSet } from '../providers/types.ts';
import { makeChecker, type Rejection } from './check.ts';
import { dedupInOrder } from './dedup.ts';
import { identitySlug } from './identity.ts';
import { candidatesKey, generatedKey, generatedRejectedKey, type LedgerEntry, ledgerKey } from './keys.ts';
import { paraphrase } from './paraphrase.ts';
import { usageOf, usageSince } from './usage.ts';

const bytesOf = (s: string) => new TextEncoder().encode(s).length;

export function generateConfig(spec: JobSpec): SafetyGenerate {
  const s = spec.recipe.safety;
  if (s?.task !== 'generate') throw new Error(`job ${spec.id} is not a safety generation job`);
  return s;
}

/** A draft as the generation job reads it: its turns (as ingest normalized them) and its `safety` block. */
function draftOf(r: ShardRecord): SafetyRow {
  const meta = SafetyMetaSchema.safeParse((r.record as { safety?: unknown } | null)?.safety);
  if (!meta.success)
    throw new WinnowError('validation_failed', {
      path: `record ${r.id}.safety`,
      detail:
        'a generation job reads drafts, each with a "safety" block (category, lang, template, hash, source): start it with POST /v1/safety/generate or `winnow safety generate`, which write them',
    });
  return { messages: r.turns.map((t) => ({ ...t })), safety: meta.data };
}

/** What a shard's draft task did. */
export interface DraftTally {
  records: number;
  /** Records the model rewrote. */
  paraphrased: number;
  /** Records kept as templated, by why (the model's reply could not be used, the request failed). */
  fallbacks: Record<string, number>;
  usage: ModelUsage;
}

/**
 * One shard of drafts into candidates: each paraphrased by the recipe's provider when the job names
 * one (the provider layer bounds concurrency, retries and the request budget), else kept as templated.
 */
export async function draftShard(
  store: BlobStore,
  spec: JobSpec,
  info: ShardInfo,
  providers: ProviderSet | undefined,
): Promise<DraftTally> {
  const cfg = generateConfig(spec);
  const drafts = (await readShardRecords(store, spec.id, info)).map(draftOf);
  // This task's requests: the set may be shared by every task of the job (one process).
  const before = usageOf(providers);
  const fallbacks: Record<string, number> = {};
  let rows = drafts;
  let paraphrased = 0;
  if (cfg.provider) {
    const provider = requireProvider(providers, cfg.provider, 'safety.provider');
    const out = await Promise.all(drafts.map((d) => paraphrase(provider, cfg.identity, d, cfg.temperature)));
    rows = out.map((o) => o.row);
    for (const o of out) {
      if (o.fallback) fallbacks[o.fallback] = (fallbacks[o.fallback] ?? 0) + 1;
      else paraphrased++;
    }
  }
  await store.put(candidatesKey(spec.id, info.shard), toJsonl(rows));
  return {
    records: rows.length,
    paraphrased,
    fallbacks,
    usage: usageSince(providers, before),
  };
}

export interface GenerateSummary {
  candidates: number;
  accepted: number;
  rejectedByReason: Record<string, number>;
  nearDuplicateRate: number;
  passRate: number;
  byCell: Record<string, number>;
  bytes: { safety: number; rejected: number };
}

/**
 * Every candidate in draft order: exact and MinHash near-duplicates of an earlier prompt are rejected,
 * then each is checked (src/safety/check.ts); the first `count` that pass are kept, any more are
 * `surplus`. Writes safety.jsonl, rejected.jsonl (each line with its reason and detail) and the
 * identity's ledger of generated prompt hashes.
 */
export async function checkCandidates(
  store: BlobStore,
  spec: JobSpec,
  shards: number,
): Promise<GenerateSummary> {
  const cfg = generateConfig(spec);
  const rows: SafetyRow[] = [];
  for (let s = 0; s < shards; s++) {
    const text = await getText(store, candidatesKey(spec.id, s));
    if (text === null) throw new Error(`${candidatesKey(spec.id, s)} is missing`);
    for (const line of text.split('\n')) if (line) rows.push(JSON.parse(line) as SafetyRow);
  }
  const prompts = rows.map((r) =>
    r.messages
      .filter((m) => m.role === 'user')
      .map((m) => m.content)
      .join('\n'),
  );
  const verdicts = dedupInOrder(prompts, cfg.nearDuplicate);
  const check = makeChecker(cfg.identity);
  const kept: SafetyRow[] = [];
  const rejected: (SafetyRow & Rejection)[] = [];
  const rejectedByReason: Record<string, number> = {};
  const byCell: Record<string, number> = {};
  let dups = 0;
  let passed = 0;
  const reject = (row: SafetyRow, r: Rejection) => {
    rejected.push({ ...row, ...r });
    rejectedByReason[r.reason] = (rejectedByReason[r.reason] ?? 0) + 1;
  };
  for (const [i, row] of rows.entries()) {
    const v = verdicts[i];
    if (!v.kept) {
      dups++;
      const of = rows[v.of].safety.hash;
      reject(row, {
        reason: v.kind,
        detail:
          v.kind === 'duplicate'
            ? `the same prompt as ${of}`
            : `a near duplicate of ${of} (estimated Jaccard ${v.jaccard.toFixed(2)} ≥ ${cfg.nearDuplicate})`,
      });
      continue;
    }
    const r = check(row);
    if (r) {
      reject(row, r);
      continue;
    }
    passed++;
    if (kept.length >= cfg.count) {
      reject(row, { reason: 'surplus', detail: `passed, but ${cfg.count} records were already kept` });
      continue;
    }
    kept.push(row);
    const cell = `${row.safety.category}/${row.safety.lang}`;
    byCell[cell] = (byCell[cell] ?? 0) + 1;
  }
  const safety = toJsonl(kept);
  const rejectedText = toJsonl(rejected);
  await store.put(generatedKey(spec.id), safety);
  await store.put(generatedRejectedKey(spec.id), rejectedText);
  const ledger: LedgerEntry = {
    job: spec.id,
    identity: { name: cfg.identity.name, developer: cfg.identity.developer },
    seed: cfg.seed,
    // A paraphrased record's draft too: a held-out template must not be the prompt a training record reworded.
    hashes: kept.flatMap((r) => (r.safety.draft ? [r.safety.hash, r.safety.draft] : [r.safety.hash])),
  };
  await store.put(ledgerKey(identitySlug(cfg.identity), spec.id), JSON.stringify(ledger));
  const distinct = rows.length - dups;
  return {
    candidates: rows.length,
    accepted: kept.length,
    rejectedByReason,
    nearDuplicateRate: rows.length ? dups / rows.length : 0,
    passRate: distinct ? passed / distinct : 0,
    byCell,
    bytes: { safety: bytesOf(safety), rejected: bytesOf(rejectedText) },
  };
}
