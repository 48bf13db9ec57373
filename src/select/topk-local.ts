import { mergeSummaries } from './merge-summaries.ts';
import { selectMask } from './select-mask.ts';
import { summarize } from './summarize.ts';
import { type Cut, decide, firstRound, type ShardSummary } from './topk.ts';

export interface TopkLocalResult {
  masks: Uint8Array[];
  cut: Cut;
  rounds: number;
}

/** The whole top-k protocol in one process (local runs, tests): shards summarized and merged in shard order. */
export function topkLocal(shards: readonly Float64Array[], k: number): TopkLocalResult {
  const plan = { k, total: shards.reduce((n, s) => n + s.length, 0) };
  let rounds = 0;
  let step = firstRound(plan);
  while (step.kind === 'next') {
    const spec = step.spec;
    const summaries: ShardSummary[] = shards.map((s) => summarize(s, spec));
    const merged = summaries.reduce(mergeSummaries);
    rounds++;
    step = decide(plan, spec, merged, summaries);
  }
  const cut = step.cut;
  return { masks: shards.map((s, i) => selectMask(s, cut, i)), cut, rounds };
}
