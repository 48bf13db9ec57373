import { z } from 'zod';
import type { WorkersAiProviderConfig } from '../../schemas/provider.ts';
import { embedInBatches, WorkersAiEmbeddingsSchema, workersAiVectors } from './embeddings.ts';
import { providerError } from './errors.ts';
import { parseJson } from './parse.ts';
import type { Transport } from './transport.ts';
import type { ChatRequest, ChatResponse, EmbedOptions, Provider } from './types.ts';

/** The shape of the Workers AI binding (`env.AI`) this layer uses. */
export interface AiBinding {
  run(model: string, input: unknown): Promise<unknown>;
}

const TextGenerationSchema = z.object({ response: z.string() });

/**
 * A model behind the Workers AI binding: chat, and embeddings (`{ text: [...] }` → `{ data, shape }`,
 * as the `@cf/baai/bge-*` models answer). The binding returns no prompt log-probs, and no
 * generated-token log-probs either, so `topLogprobs` is ignored. Binding errors carry no HTTP status,
 * so the transport retries every one of them (up to `maxRetries`).
 */
export function workersAiProvider(
  name: string,
  config: WorkersAiProviderConfig,
  transport: Transport,
  ai: AiBinding,
): Provider {
  return {
    name,
    async chat(req: ChatRequest): Promise<ChatResponse> {
      const input = { messages: req.messages, max_tokens: req.maxTokens, temperature: req.temperature };
      return transport.call({
        endpoint: 'ai.run',
        body: input,
        send: async () => JSON.stringify(await ai.run(config.model, input)),
        parse: (text) => ({ text: parseJson(TextGenerationSchema, text).response }),
      });
    },
    async embed(texts: string[], opts: EmbedOptions = {}): Promise<Float32Array[]> {
      const model = opts.model ?? config.model;
      return embedInBatches(texts, (text) =>
        transport.call({
          endpoint: 'ai.run',
          body: { model, text },
          send: async () => JSON.stringify(await ai.run(model, { text })),
          parse: (raw) => workersAiVectors(parseJson(WorkersAiEmbeddingsSchema, raw), text.length),
        }),
      );
    },
    async continuationLogprobs(): Promise<number[]> {
      throw providerError('unsupported', {
        detail: `provider "${name}" (workers-ai) cannot return prompt log-probs; use an OpenAI-compatible provider with completions (vLLM) for log-prob scorers`,
      });
    },
  };
}
