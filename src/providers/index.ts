export { MemoryResponseCache, responseCacheKey } from './cache.ts';
export { createProviders, type ProviderDeps } from './create-providers.ts';
export { EMBED_BATCH } from './embeddings.ts';
export { isProviderError, isRequestRejected, type ProviderErrorCode, providerError } from './errors.ts';
export { codePoints, continuationSlice } from './openai.ts';
export { applyPolicy, NO_ENDPOINTS, parsePolicy, policySecrets, providerIssues } from './policy.ts';
export { requireProvider } from './require-provider.ts';
export { excerpt, fullJitter, parseRetryAfter } from './retry.ts';
export type {
  ChatMessage,
  ChatRequest,
  ChatResponse,
  EmbedOptions,
  Provider,
  ProviderSet,
  ResponseCache,
  TokenLogprob,
} from './types.ts';
export type { AiBinding } from './workers-ai.ts';
