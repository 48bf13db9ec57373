import { providerError } from './errors.ts';
import type { Provider, ProviderSet } from './types.ts';

/** The provider a model-backed scorer's (or embedder's) config names, or a clear error when there is none. */
export function requireProvider(
  providers: ProviderSet | undefined,
  name: string,
  scorerId: string,
  what: 'scorer' | 'embedder' = 'scorer',
): Provider {
  if (!providers) {
    throw providerError('unknown_provider', {
      detail: `${what} "${scorerId}" calls a model (provider "${name}"), but no providers are available: add "providers": { "${name}": { "kind": "openai", ... } } to the recipe`,
    });
  }
  return providers.get(name);
}
