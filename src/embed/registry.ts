import { WinnowError } from '../errors.ts';
import type { Embedder } from './types.ts';

const embedders = new Map<string, Embedder>();

/** Adds an embedder; a second embedder with the same id throws at load. */
export function registerEmbedder<C, P, M>(e: Embedder<C, P, M>): void {
  if (embedders.has(e.id)) throw new Error(`embedder "${e.id}" is registered twice`);
  embedders.set(e.id, e as Embedder);
}

export function getEmbedder(id: string): Embedder {
  const e = embedders.get(id);
  if (!e) throw new WinnowError('validation_failed', { detail: unknownEmbedderMessage(id) });
  return e;
}

/** Every registered embedder, in registration order. */
export function listEmbedders(): Embedder[] {
  return [...embedders.values()];
}

export function unknownEmbedderMessage(id: string): string {
  return `unknown embedder "${id}"; known: ${[...embedders.keys()].sort().join(', ')}`;
}
