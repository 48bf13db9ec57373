import { WinnowError } from '../errors.ts';
import type { Scorer } from './types.ts';

const scorers = new Map<string, Scorer>();

/** Adds a scorer; a second scorer with the same id throws at load. */
export function registerScorer<C>(s: Scorer<C>): void {
  if (scorers.has(s.id)) throw new Error(`scorer "${s.id}" is registered twice`);
  scorers.set(s.id, s as Scorer);
}

export function getScorer(id: string): Scorer {
  const s = scorers.get(id);
  if (!s) throw new WinnowError('unknown_scorer', { detail: unknownScorerMessage(id) });
  return s;
}

/** Every registered scorer, in registration order. */
export function listScorers(): Scorer[] {
  return [...scorers.values()];
}

export function unknownScorerMessage(id: string): string {
  return `unknown scorer "${id}"; known: ${[...scorers.keys()].sort().join(', ')}`;
}
