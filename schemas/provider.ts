import { z } from 'zod';

/** Limits every provider kind shares; enforced in one place (src/providers/transport.ts). */
const limits = {
  /** Requests in flight at once, per provider. */
  concurrency: z.number().int().min(1).max(256).default(4),
  /** Per request (each attempt), in milliseconds. */
  timeoutMs: z.number().int().min(1).default(60_000),
  /** Retries after the first attempt, on 429, 5xx, network errors and timeouts. */
  maxRetries: z.number().int().min(0).max(20).default(4),
  /** Requests (attempts, retries included; cache hits excluded) allowed per job. */
  requestBudget: z.number().int().min(0).default(100_000),
};

/** An OpenAI-compatible HTTP endpoint: vLLM, llama.cpp server, TGI, OpenAI itself. */
export const OpenAiProviderSchema = z.strictObject({
  kind: z.literal('openai'),
  /** Base URL including the version prefix, e.g. `http://127.0.0.1:8000/v1`. */
  baseUrl: z.url({ protocol: /^https?$/ }),
  model: z.string().min(1),
  /** The NAME of a Worker secret (or env var) holding the API key; never the key itself. */
  apiKeySecret: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'apiKeySecret is the name of a secret, like OPENAI_API_KEY')
    .optional(),
  /** The server supports `/completions` with `echo` and `logprobs` (prompt log-probs), as vLLM does. */
  completions: z.boolean().default(true),
  ...limits,
});

/** A model behind the Workers AI binding (`[ai] binding = "AI"` in wrangler.toml). */
export const WorkersAiProviderSchema = z.strictObject({
  kind: z.literal('workers-ai'),
  /** e.g. `@cf/meta/llama-3.1-8b-instruct`. */
  model: z.string().min(1),
  ...limits,
});

export const ProviderConfigSchema = z.discriminatedUnion('kind', [
  OpenAiProviderSchema,
  WorkersAiProviderSchema,
]);
export type ProviderConfig = z.infer<typeof ProviderConfigSchema>;
export type ProviderConfigInput = z.input<typeof ProviderConfigSchema>;
export type OpenAiProviderConfig = z.infer<typeof OpenAiProviderSchema>;
export type WorkersAiProviderConfig = z.infer<typeof WorkersAiProviderSchema>;

/** A recipe's `providers`: name → endpoint. Scorers name the one they use in their config. */
export const ProvidersSchema = z.record(z.string().min(1), ProviderConfigSchema);
export type Providers = z.infer<typeof ProvidersSchema>;
export type ProvidersInput = z.input<typeof ProvidersSchema>;
