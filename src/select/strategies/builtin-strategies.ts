import {
  BalancedStrategySchema,
  DiverseStrategySchema,
  KcenterStrategySchema,
  TopkStrategySchema,
} from '../../../schemas/recipe.ts';
import { greedyCosine } from './greedy-cosine.ts';
import { kcenterOrder } from './kcenter.ts';
import { quotas } from './quotas.ts';
import type { SelectionStrategy } from './strategy.ts';

/** The highest rank values, globally and exactly: no per-cluster step. */
export const topkStrategy: SelectionStrategy<{ id: 'topk' }> = {
  id: 'topk',
  summary: 'the highest rank values, globally and exactly',
  schema: TopkStrategySchema,
  needs: { groups: false },
  reasons: [],
};

/** Per-cluster quotas; the best ranked of each cluster fill its quota. */
export const balancedStrategy: SelectionStrategy<{
  id: 'balanced';
  quota: 'proportional' | 'equal' | 'sqrt';
  cap?: number;
}> = {
  id: 'balanced',
  summary: 'per-cluster quotas (proportional, equal or sqrt), each filled by its best ranked',
  schema: BalancedStrategySchema,
  needs: { groups: true, cluster: 'spends quotas per cluster' },
  reasons: [],
  judge: (m) => ({ refused: [], priority: Float64Array.from({ length: m.n }, (_, i) => i) }),
  quotas(available, target, config) {
    const cap =
      config.cap === undefined
        ? undefined
        : config.cap < 1
          ? Math.max(1, Math.floor(config.cap * target))
          : Math.floor(config.cap);
    return quotas(available, target, config.quota, cap);
  },
};

/** DEITA's score-first, diversity-aware greedy per cluster: too similar to a kept record is refused. */
export const diverseStrategy: SelectionStrategy<{ id: 'diverse'; threshold: number }> = {
  id: 'diverse',
  summary: 'score-first greedy per cluster: a record too similar to one kept is refused (diversity)',
  schema: DiverseStrategySchema,
  needs: { groups: true },
  reasons: ['diversity'],
  judge(m, config) {
    const g = greedyCosine(m.vecs, m.dim, config.threshold);
    const refused = [];
    for (let i = 0; i < m.n; i++)
      if (!g.kept[i]) refused.push({ index: i, reason: 'diversity', by: g.by[i], similarity: g.sim[i] });
    return { refused };
  },
};

/** Greedy k-center coverage per cluster, from the best ranked: records by the radius they add. */
export const kcenterStrategy: SelectionStrategy<{ id: 'kcenter' }> = {
  id: 'kcenter',
  summary: 'greedy k-center coverage per cluster, records taken by the coverage radius they add',
  schema: KcenterStrategySchema,
  needs: { groups: true },
  reasons: [],
  judge(m, _config, { target }) {
    const { order, radius } = kcenterOrder(m.vecs, m.dim, Math.min(m.n, target));
    // The first center of every cluster first, then by the coverage radius each pick added (in [0, 2]).
    const priority = Float64Array.from({ length: m.n }, (_, j) =>
      order[j] < 0 ? 0 : order[j] === 0 ? 1 : Math.min(1, radius[j] / 2),
    );
    return { refused: [], priority };
  },
};
