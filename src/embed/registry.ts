import { createRegistry } from '../util/registry.ts';
import type { Embedder } from './types.ts';

const embedders = createRegistry<Embedder>('embedder');

/** Adds an embedder; a second embedder with the same id throws at load. */
export function registerEmbedder<C, P, M>(e: Embedder<C, P, M>): void {
  embedders.add(e as Embedder);
}

/** The embedder, or an `unknown_embedder` error listing the registered ones. */
export function getEmbedder(id: string): Embedder {
  return embedders.get(id);
}

/** Every registered embedder, in registration order. */
export function listEmbedders(): Embedder[] {
  return embedders.list();
}

export function unknownEmbedderMessage(id: string): string {
  return embedders.unknownMessage(id);
}
