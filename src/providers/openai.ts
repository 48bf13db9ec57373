import { z } from 'zod';
import type { OpenAiProviderConfig } from '../../schemas/provider.ts';
import { embedInBatches, OpenAiEmbeddingsSchema, openAiVectors } from './embeddings.ts';
import { providerError } from './errors.ts';
import { parseJson } from './parse.ts';
import { HttpStatusError, parseRetryAfter } from './retry.ts';
import type { Transport } from './transport.ts';
import type { ChatRequest, ChatResponse, EmbedOptions, Provider } from './types.ts';

const TopSchema = z.object({ token: z.string(), logprob: z.number() });

const ChatCompletionSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullish() }),
        logprobs: z
          .object({
            content: z
              .array(
                z.object({
                  token: z.string(),
                  logprob: z.number(),
                  top_logprobs: z.array(TopSchema).nullish(),
                }),
              )
              .nullish(),
          })
          .nullish(),
      }),
    )
    .min(1, 'no choices'),
});

/** `/completions` with `echo`: one entry per prompt token (and per generated token, if any). */
const EchoCompletionSchema = z.object({
  choices: z
    .array(
      z.object({
        logprobs: z
          .object({
            tokens: z.array(z.string()),
            token_logprobs: z.array(z.number().nullable()),
            text_offset: z.array(z.number().int().nonnegative()),
          })
          .refine(
            (l) => l.tokens.length === l.token_logprobs.length && l.tokens.length === l.text_offset.length,
            'tokens, token_logprobs and text_offset differ in length',
          ),
      }),
    )
    .min(1, 'no choices'),
});
type EchoLogprobs = z.infer<typeof EchoCompletionSchema>['choices'][number]['logprobs'];

export interface OpenAiDeps {
  fetch: typeof fetch;
  apiKey?: string;
  now: () => number;
}

/** An OpenAI-compatible endpoint (vLLM, llama.cpp, TGI, OpenAI): chat, prompt log-probs, embeddings. */
export function openAiProvider(
  name: string,
  config: OpenAiProviderConfig,
  transport: Transport,
  deps: OpenAiDeps,
): Provider {
  // The policy has filled in a declared endpoint's URL (src/providers/policy.ts).
  if (!config.baseUrl) throw new Error(`provider "${name}" has no baseUrl: resolve its endpoint first`);
  const base = config.baseUrl.replace(/\/+$/, '');
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (deps.apiKey) headers.authorization = `Bearer ${deps.apiKey}`;

  const post = (endpoint: string, body: unknown) => async (signal: AbortSignal) => {
    const res = await deps.fetch(`${base}${endpoint}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      signal,
    });
    const text = await res.text();
    if (!res.ok)
      throw new HttpStatusError(
        res.status,
        text,
        parseRetryAfter(res.headers.get('retry-after'), deps.now()),
      );
    return text;
  };

  return {
    name,
    async chat(req: ChatRequest): Promise<ChatResponse> {
      const body = {
        model: config.model,
        messages: req.messages,
        max_tokens: req.maxTokens,
        temperature: req.temperature,
        ...(req.topLogprobs ? { logprobs: true, top_logprobs: req.topLogprobs } : {}),
      };
      return transport.call({
        endpoint: '/chat/completions',
        body,
        send: post('/chat/completions', body),
        parse(text) {
          const choice = parseJson(ChatCompletionSchema, text).choices[0];
          const content = choice.logprobs?.content;
          const out: ChatResponse = { text: choice.message.content ?? '' };
          if (content) {
            out.logprobs = content.map((t) => ({
              token: t.token,
              logprob: t.logprob,
              ...(t.top_logprobs
                ? { top: t.top_logprobs.map(({ token, logprob }) => ({ token, logprob })) }
                : {}),
            }));
          }
          return out;
        },
      });
    },

    async continuationLogprobs(context: string, continuation: string): Promise<number[]> {
      if (!config.completions) {
        throw providerError('unsupported', {
          detail: `provider "${name}" has completions: false, so it cannot return prompt log-probs; use a server with /v1/completions echo support (vLLM)`,
        });
      }
      if (continuation === '') return [];
      const prompt = context + continuation;
      const body = { model: config.model, prompt, echo: true, logprobs: 1, max_tokens: 0, temperature: 0 };
      return transport.call({
        endpoint: '/completions',
        body,
        send: post('/completions', body),
        parse: (text) =>
          continuationSlice(
            parseJson(EchoCompletionSchema, text).choices[0].logprobs,
            codePoints(context),
            codePoints(prompt),
          ),
      });
    },

    async embed(texts: string[], opts: EmbedOptions = {}): Promise<Float32Array[]> {
      const model = opts.model ?? config.model;
      return embedInBatches(texts, (input) => {
        const body = { model, input };
        return transport.call({
          endpoint: '/embeddings',
          body,
          send: post('/embeddings', body),
          parse: (text) => openAiVectors(parseJson(OpenAiEmbeddingsSchema, text).data, input.length),
        });
      });
    },
  };
}

/**
 * The log-probs of the continuation's tokens, from an echoed prompt's `logprobs`. Offsets are in
 * characters (code points, as vLLM counts them). A token belongs to the continuation when it ends after
 * the context does, so a token straddling the boundary counts as continuation (its log-prob is then
 * conditioned on slightly less context). Tokens without a log-prob (the prompt's first token, or a BOS
 * token) are skipped, and so are generated tokens past the end of the prompt.
 */
export function continuationSlice(lp: EchoLogprobs, contextChars: number, promptChars: number): number[] {
  const out: number[] = [];
  const n = lp.tokens.length;
  for (let i = 0; i < n; i++) {
    const start = lp.text_offset[i];
    if (start >= promptChars) break;
    const end = i + 1 < n ? Math.min(lp.text_offset[i + 1], promptChars) : promptChars;
    const logprob = lp.token_logprobs[i];
    if (end > contextChars && logprob !== null) out.push(logprob);
  }
  return out;
}

/** Length in Unicode code points (what Python's `len` gives, hence vLLM's `text_offset`). */
export function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}
