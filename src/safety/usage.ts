import type { ModelUsage, ProviderSet } from '../providers/types.ts';

export function usageOf(providers: ProviderSet | undefined): ModelUsage {
  return providers?.usage() ?? { requests: 0, cached: 0, failed: 0 };
}

/** Requests made since `before` was read from the same set. */
export function usageSince(providers: ProviderSet | undefined, before: ModelUsage): ModelUsage {
  const now = usageOf(providers);
  return {
    requests: now.requests - before.requests,
    cached: now.cached - before.cached,
    failed: now.failed - before.failed,
  };
}
