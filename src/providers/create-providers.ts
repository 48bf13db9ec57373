import { type ProvidersInput, ProvidersSchema } from '../../schemas/provider.ts';
import { mulberry32 } from '../demo/random.ts';
import { MemoryResponseCache } from './cache.ts';
import { providerError } from './errors.ts';
import { openAiProvider } from './openai.ts';
import { createTransport, type UsageCounters } from './transport.ts';
import type { Provider, ProviderSet, ResponseCache } from './types.ts';
import { type AiBinding, workersAiProvider } from './workers-ai.ts';

export interface ProviderDeps {
  fetch: typeof fetch;
  /** Worker secrets / env vars; `apiKeySecret` names one of them. */
  secrets: Record<string, string | undefined>;
  /** The Workers AI binding (`env.AI`), needed by `workers-ai` providers. */
  ai?: AiBinding;
  /** Defaults to an in-memory LRU shared by this set's providers. */
  cache?: ResponseCache;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source for backoff; defaults to mulberry32(`seed`). */
  random?: () => number;
  seed?: number;
  /**
   * The job's request budgets are split evenly over this many tasks (default 1), so that together
   * they never exceed them: this set gets one share of each provider's `requestBudget`.
   */
  budgetParts?: number;
}

/**
 * The providers a recipe names, built lazily on first `get`. Create one set per job (or per worker
 * invocation of a job): its request budgets and usage counters are per set.
 */
export function createProviders(configs: ProvidersInput, deps: ProviderDeps): ProviderSet {
  const parsed = ProvidersSchema.parse(configs);
  const usage: UsageCounters = { requests: 0, cached: 0, failed: 0 };
  const cache = deps.cache ?? new MemoryResponseCache();
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = deps.random ?? mulberry32(deps.seed ?? 0);
  const fetchFn: typeof fetch = (input, init) => deps.fetch.call(globalThis, input, init);
  const built = new Map<string, Provider>();

  function build(name: string): Provider {
    const config = parsed[name];
    const parts = Math.max(1, deps.budgetParts ?? 1);
    const transport = createTransport({
      name,
      ...config,
      requestBudget: Math.floor(config.requestBudget / parts),
      ...(parts > 1 ? { budgetSplit: { parts, jobBudget: config.requestBudget } } : {}),
      cache,
      usage,
      sleep,
      random,
    });
    if (config.kind === 'workers-ai') {
      if (!deps.ai) {
        throw providerError('unsupported', {
          detail: `provider "${name}" uses Workers AI, but the AI binding is not configured: add [ai] binding = "AI" to wrangler.toml`,
        });
      }
      return workersAiProvider(name, config, transport, deps.ai);
    }
    let apiKey: string | undefined;
    if (config.apiKeySecret) {
      apiKey = deps.secrets[config.apiKeySecret];
      if (!apiKey) {
        throw providerError('provider_error', {
          detail: `provider "${name}" names the secret ${config.apiKeySecret}, which is not set: wrangler secret put ${config.apiKeySecret}`,
        });
      }
    }
    return openAiProvider(name, config, transport, { fetch: fetchFn, apiKey, now });
  }

  return {
    get(name: string): Provider {
      let p = built.get(name);
      if (p) return p;
      if (!Object.hasOwn(parsed, name)) {
        const known = Object.keys(parsed).sort();
        throw providerError('unknown_provider', {
          detail: known.length
            ? `unknown provider "${name}"; known: ${known.join(', ')}`
            : `unknown provider "${name}": the recipe configures no providers`,
        });
      }
      p = build(name);
      built.set(name, p);
      return p;
    },
    usage: () => ({ ...usage }),
  };
}
