import { type ErrorCode, WinnowError } from '../errors.ts';

/** What a registry holds: anything with a stable string id. */
export interface Registered {
  readonly id: string;
}

/** One kind of registered thing: scorers, embedders, selection strategies, pipeline stages. */
export type RegistryKind = 'scorer' | 'embedder' | 'strategy' | 'stage';

export interface Registry<T extends Registered> {
  readonly kind: RegistryKind;
  /** The error code an unknown id gets (`unknown_scorer`, …). */
  readonly code: ErrorCode;
  /** Adds `item`; a second item with the same id throws at load. */
  add(item: T): void;
  /** The item, or a `unknown_<kind>` error that lists the known ids. */
  get(id: string): T;
  find(id: string): T | undefined;
  has(id: string): boolean;
  /** Every item, in registration order. */
  list(): T[];
  /** `unknown scorer "x"; known: a, b`. */
  unknownMessage(id: string): string;
}

/** A registry of `kind`, after Data-Juicer's operator registry: ids are unique, lookups fail clearly. */
export function createRegistry<T extends Registered>(kind: RegistryKind): Registry<T> {
  const items = new Map<string, T>();
  const code = `unknown_${kind}` as ErrorCode;
  const unknownMessage = (id: string) =>
    `unknown ${kind} "${id}"; known: ${[...items.keys()].sort().join(', ')}`;
  return {
    kind,
    code,
    add(item) {
      if (items.has(item.id)) throw new Error(`${kind} "${item.id}" is registered twice`);
      items.set(item.id, item);
    },
    get(id) {
      const item = items.get(id);
      if (!item) throw new WinnowError(code, { detail: unknownMessage(id) });
      return item;
    },
    find: (id) => items.get(id),
    has: (id) => items.has(id),
    list: () => [...items.values()],
    unknownMessage,
  };
}
