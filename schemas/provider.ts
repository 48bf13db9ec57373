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
  /**
   * Price of 1,000 tokens (prompt and completion alike), in any currency: `winnow run --dry-run` then
   * prints what the projected tokens would cost. Nothing else reads it.
   */
  pricePer1kTokens: z.number().min(0).optional(),
};

/** The NAME of a Worker secret holding an API key (never the key itself). */
export const SecretNameSchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'apiKeySecret is the name of a secret, like OPENAI_API_KEY');

/** An http(s) base URL, with the version prefix, e.g. `http://127.0.0.1:8000/v1`. */
const BaseUrlSchema = z.url({ protocol: /^https?$/ });

/**
 * An OpenAI-compatible HTTP endpoint: vLLM, llama.cpp server, TGI, OpenAI itself. Either one the
 * operator declared, by name (`endpoint`: its URL and key come from the operator's `PROVIDERS`), or a
 * `baseUrl` the operator allows (a declared endpoint's, or on an allowed host). See docs/scorers.md.
 */
export const OpenAiProviderSchema = z
  .strictObject({
    kind: z.literal('openai'),
    /** A model endpoint the operator declared in `PROVIDERS`, by its name. */
    endpoint: z.string().min(1).optional(),
    /** Base URL including the version prefix, e.g. `http://127.0.0.1:8000/v1`. */
    baseUrl: BaseUrlSchema.optional(),
    model: z.string().min(1),
    /** The NAME of the secret holding the API key: only the one the operator declared for this endpoint. */
    apiKeySecret: SecretNameSchema.optional(),
    /** The server supports `/completions` with `echo` and `logprobs` (prompt log-probs), as vLLM does. */
    completions: z.boolean().default(true),
    ...limits,
  })
  .refine((p) => (p.endpoint === undefined) !== (p.baseUrl === undefined), {
    message: 'give exactly one of endpoint (a model endpoint the operator declared) or baseUrl',
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

/**
 * The operator's model endpoints (the `PROVIDERS` var of the Worker, JSON): which endpoints recipes may
 * call, and which secret each may be sent. A secret is only ever sent to the endpoint it is declared
 * for; nothing else in the Worker's environment (the API token above all) is readable by providers.
 */
export const ProviderPolicySchema = z.strictObject({
  /** Name → an endpoint, and the secret its requests carry (absent: none). */
  endpoints: z
    .record(
      z.string().min(1),
      z.strictObject({
        baseUrl: BaseUrlSchema,
        apiKeySecret: SecretNameSchema.refine((n) => n !== 'API_TOKEN', {
          message: "API_TOKEN is the Winnow API's own token: it is never sent to a model endpoint",
        }).optional(),
      }),
    )
    .default({}),
  /**
   * Hosts a recipe's `baseUrl` may point at with no secret: `host` (any port) or `host:port`, such as
   * `127.0.0.1` for a model server on the same machine.
   */
  allowHosts: z.array(z.string().min(1)).default([]),
});
export type ProviderPolicy = z.infer<typeof ProviderPolicySchema>;
export type ProviderPolicyInput = z.input<typeof ProviderPolicySchema>;
