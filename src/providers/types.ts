/**
 * The provider layer's public surface (implemented in this folder): model endpoints behind one
 * interface, so scorers never see HTTP, bindings, retries, budgets or caches.
 */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  maxTokens?: number;
  temperature?: number;
  /** Ask for the top-N log-probs of each generated token (when the endpoint supports it). */
  topLogprobs?: number;
}

export interface TokenLogprob {
  token: string;
  logprob: number;
  /** Alternatives at this position, when asked for. */
  top?: { token: string; logprob: number }[];
}

export interface ChatResponse {
  text: string;
  /** Per generated token, when the endpoint returned them. */
  logprobs?: TokenLogprob[];
}

export interface Provider {
  /** The name the recipe gave it. */
  name: string;
  chat(req: ChatRequest): Promise<ChatResponse>;
  /**
   * Log-probabilities of each token of `continuation` given `context` (prompt log-probs, as vLLM and
   * llama.cpp return them from `/v1/completions` with `echo`). Throws `unsupported` when the provider
   * cannot return prompt log-probs.
   */
  continuationLogprobs(context: string, continuation: string): Promise<number[]>;
  /**
   * One vector per text, in order: a request per batch of at most 100 texts (OpenAI-compatible
   * `/embeddings`, or the Workers AI binding), through the same retries, budget and cache as `chat`.
   * Vectors are returned as the endpoint gave them (not normalized); all have the same length.
   */
  embed(texts: string[], opts?: EmbedOptions): Promise<Float32Array[]>;
}

export interface EmbedOptions {
  /** An embedding model other than the provider's `model` (the same endpoint or binding serves it). */
  model?: string;
}

export interface ProviderSet {
  get(name: string): Provider;
  /** Requests made and served from cache so far, for the report. */
  usage(): ModelUsage;
}

/**
 * Where successful responses are kept, keyed by SHA-256 of (kind, model, endpoint, canonical request
 * body). A KV- or R2-backed cache can stand in for the in-memory default.
 */
export interface ResponseCache {
  get(key: string): Promise<string | null>;
  put(key: string, value: string): Promise<void>;
}

/** Model endpoint requests sent (retries included), answered from the response cache, and failed for good. */
export interface ModelUsage {
  requests: number;
  cached: number;
  failed: number;
}
