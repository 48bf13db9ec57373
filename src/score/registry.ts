import { createRegistry } from '../util/registry.ts';
import type { Scorer } from './types.ts';

const scorers = createRegistry<Scorer>('scorer');

/** Adds a scorer; a second scorer with the same id throws at load. */
export function registerScorer<C>(s: Scorer<C>): void {
  scorers.add(s as Scorer);
}

/** The scorer, or an `unknown_scorer` error listing the registered ones. */
export function getScorer(id: string): Scorer {
  return scorers.get(id);
}

/** Every registered scorer, in registration order. */
export function listScorers(): Scorer[] {
  return scorers.list();
}

export function unknownScorerMessage(id: string): string {
  return scorers.unknownMessage(id);
}
