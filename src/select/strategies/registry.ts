import type { Strategy } from '../../../schemas/recipe.ts';
import { createRegistry } from '../../util/registry.ts';
import { balancedStrategy, diverseStrategy, kcenterStrategy, topkStrategy } from './builtin-strategies.ts';
import type { SelectionStrategy } from './strategy.ts';

const strategies = createRegistry<SelectionStrategy>('strategy');

/** Adds a strategy; a second one with the same id throws at load. */
export function registerStrategy<C extends { id: string }>(s: SelectionStrategy<C>): void {
  strategies.add(s as unknown as SelectionStrategy);
}

registerStrategy(topkStrategy);
registerStrategy(balancedStrategy);
registerStrategy(diverseStrategy);
registerStrategy(kcenterStrategy);

/** The strategy a recipe names, or an `unknown_strategy` error listing the registered ones. */
export function strategyOf(config: Strategy | { id: string }): SelectionStrategy {
  return strategies.get(config.id);
}

export function listStrategies(): SelectionStrategy[] {
  return strategies.list();
}

/** Every reason a strategy can refuse a record with, in registration order. */
export function strategyReasons(): string[] {
  return [...new Set(strategies.list().flatMap((s) => s.reasons))];
}
