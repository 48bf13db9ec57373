import type { SafetyReport } from '../../../../schemas/safety.ts';
import {
  checkCandidates,
  type DraftTally,
  draftShard,
  type GenerateSummary,
  generateConfig,
} from '../../../safety/generate.ts';
import { generatedKey, generatedRejectedKey } from '../../../safety/keys.ts';
import { jsonlFile } from '../../outputs.ts';
import type { ShardInfo, StageDef } from '../../types.ts';

export interface SafetyGenerateState {
  drafted?: {
    records: number;
    paraphrased: number;
    fallbacks: Record<string, number>;
    usage: DraftTally['usage'];
  };
  checked?: GenerateSummary;
}

const sum = (xs: readonly number[]) => xs.reduce((a, x) => a + x, 0);

/**
 * Identity-attack defence data (docs/safety.md): every shard of drafts is paraphrased by the recipe's
 * provider (or kept as templated), then one task dedups (MinHash) and checks every candidate with the
 * identity and heuristics scorers, and writes safety.jsonl and rejected.jsonl.
 */
export const safetyGenerateStage: StageDef<
  SafetyGenerateState,
  { shard?: ShardInfo },
  { draft: DraftTally; check: GenerateSummary }
> = {
  id: 'safety-generate',
  queue: 'score',
  summary: 'paraphrase seeded identity-attack drafts, dedup them and keep those the identity checks pass',
  applies: (spec) => spec.recipe.safety?.task === 'generate',
  start: () => ({ step: 'draft', state: {} }),
  steps: {
    draft: {
      fan: 'shards',
      run: (t, env) => draftShard(env.store, t.spec, t.input.shard!, env.providers(t.shards)),
      counts: (r) => ({ in: r.records, out: r.records }),
    },
    check: {
      fan: 'one',
      run: (t, env) => checkCandidates(env.store, t.spec, t.shards),
      counts: (r) => ({ in: r.candidates, out: r.accepted }),
    },
  },
  input: (view, _s, step, index) => (step === 'draft' ? { shard: view.table.shard(index) } : {}),
  next(_view, b) {
    if (b.step === 'draft') {
      const fallbacks: Record<string, number> = {};
      for (const r of b.results)
        for (const [k, n] of Object.entries(r.fallbacks)) fallbacks[k] = (fallbacks[k] ?? 0) + n;
      const drafted = {
        records: sum(b.results.map((r) => r.records)),
        paraphrased: sum(b.results.map((r) => r.paraphrased)),
        fallbacks,
        usage: {
          requests: sum(b.results.map((r) => r.usage.requests)),
          cached: sum(b.results.map((r) => r.usage.cached)),
          failed: sum(b.results.map((r) => r.usage.failed)),
        },
      };
      return { step: 'check', state: { ...b.state, drafted } };
    }
    return { done: true, state: { ...b.state, checked: b.results[0] } };
  },
  report(view, s) {
    const cfg = generateConfig(view.spec);
    const c = s?.checked;
    const rejected = sum(Object.values(c?.rejectedByReason ?? {}));
    const safety: SafetyReport = {
      task: 'generate',
      identity: `${cfg.identity.name} (${cfg.identity.developer})`,
      requested: cfg.count,
      drafted: s?.drafted?.records ?? 0,
      accepted: c?.accepted ?? 0,
      rejected,
      rejectedByReason: c?.rejectedByReason ?? {},
      nearDuplicateRate: c?.nearDuplicateRate ?? 0,
      passRate: c?.passRate ?? 0,
      byCell: c?.byCell ?? {},
      paraphrased: s?.drafted?.paraphrased ?? 0,
      fallbacks: s?.drafted?.fallbacks ?? {},
      model: s?.drafted?.usage ?? { requests: 0, cached: 0, failed: 0 },
    };
    return {
      counts: { selected: c?.accepted ?? 0, rejected },
      rejectedByReason: c?.rejectedByReason ?? {},
      budget: {
        requested: cfg.count,
        target: cfg.count,
        reachable: true,
        met: (c?.accepted ?? 0) === cfg.count,
      },
      scoring: { model: safety.model },
      safety,
    };
  },
  outputs(view, s) {
    const job = view.spec.id;
    const c = s?.checked;
    return [
      jsonlFile('safety.jsonl', c ? [generatedKey(job)] : [], c ? [c.bytes.safety] : []),
      jsonlFile('safety-rejected.jsonl', c ? [generatedRejectedKey(job)] : [], c ? [c.bytes.rejected] : []),
    ];
  },
};
