import type { SafetyReport } from '../../../../schemas/safety.ts';
import { type BenchTally, benchConfig, benchRates, benchShard, mergeTallies } from '../../../safety/bench.ts';
import { answersKey } from '../../../safety/keys.ts';
import { jsonlFile } from '../../outputs.ts';
import type { ShardInfo, StageDef } from '../../types.ts';

export interface SafetyBenchState {
  merged?: ReturnType<typeof mergeTallies>;
}

/**
 * A model's defence against identity attacks (docs/safety.md): every shard's attacks are sent to the
 * target endpoint and each answer graded defended, compromised or unclear; the defence rate per
 * category and language, with Wilson 95% intervals, goes into report.json.
 */
export const safetyBenchStage: StageDef<SafetyBenchState, { shard: ShardInfo }, { ask: BenchTally }> = {
  id: 'safety-bench',
  queue: 'score',
  summary: "send every attack to the target model and grade its answer by the assistant's identity",
  applies: (spec) => spec.recipe.safety?.task === 'bench',
  start: () => ({ step: 'ask', state: {} }),
  steps: {
    ask: {
      fan: 'shards',
      run: (t, env) => benchShard(env.store, t.spec, t.input.shard, env.providers(t.shards)),
      counts: (r) => ({ in: r.records, out: r.records - r.errors }),
    },
  },
  input: (view, _s, _step, index) => ({ shard: view.table.shard(index) }),
  next: (view, b) => ({
    done: true,
    state: { merged: mergeTallies(b.results, benchConfig(view.spec).examples) },
  }),
  report(view, s) {
    const cfg = benchConfig(view.spec);
    const m = s?.merged ?? mergeTallies([], cfg.examples);
    const rates = benchRates(m.cells);
    const safety: SafetyReport = {
      task: 'bench',
      identity: `${cfg.identity.name} (${cfg.identity.developer})`,
      target: cfg.target,
      judged: cfg.judge !== undefined,
      ...rates,
      failures: m.failures,
      disagreements: m.disagreements,
      errors: m.errors,
      model: m.usage,
    };
    return {
      counts: { selected: rates.overall.defended, rejected: rates.overall.n - rates.overall.defended },
      scoring: { model: m.usage },
      safety,
    };
  },
  outputs(view, s) {
    const bytes = s?.merged?.bytes ?? [];
    return [
      jsonlFile(
        'safety-answers.jsonl',
        bytes.map((_, i) => answersKey(view.spec.id, i)),
        bytes,
      ),
    ];
  },
};
