import { z } from 'zod';
import { WinnowError } from '../errors.ts';
import { requireProvider } from '../providers/require-provider.ts';
import { fieldTexts } from '../score/features/index.ts';
import { l2NormalizeRows } from './normalize.ts';
import type { Embedder } from './types.ts';

/** Output lengths of embedding models we know, by the model name's last path segment (lowercased). */
export const KNOWN_DIMS: Readonly<Record<string, number>> = {
  'bge-small-en-v1.5': 384,
  'bge-base-en-v1.5': 768,
  'bge-large-en-v1.5': 1024,
  'bge-m3': 1024,
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};

/** The known output length of `model` (`@cf/baai/bge-small-en-v1.5` and `BAAI/bge-small-en-v1.5` alike). */
export function knownDim(model: string | undefined): number | undefined {
  if (!model) return undefined;
  return KNOWN_DIMS[model.slice(model.lastIndexOf('/') + 1).toLowerCase()];
}

const known = Object.entries(KNOWN_DIMS)
  .map(([m, d]) => `${m} ${d}`)
  .join(', ');

function modelConfig(defaultModel: string | undefined) {
  const model = z.string().min(1);
  return z
    .strictObject({
      /** The recipe's provider to call (its `kind` must serve embeddings). */
      provider: z.string().min(1),
      /** The embedding model; defaults to the provider's own `model`. */
      model: defaultModel ? model.default(defaultModel) : model.optional(),
      /** The vectors' length; needed unless `model` is one of KNOWN_DIMS. */
      dim: z.number().int().min(1).max(8192).optional(),
      /** Which text: user turns, assistant turns, or both joined by a blank line. */
      field: z.enum(['both', 'instruction', 'answer']).default('both'),
    })
    .superRefine((c, ctx) => {
      const k = knownDim(c.model);
      if (c.dim === undefined && k === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['dim'],
          message: c.model
            ? `dim is required: the length of ${c.model}'s vectors is not known (known: ${known})`
            : `dim is required unless model names a known embedding model (${known})`,
        });
      } else if (c.dim !== undefined && k !== undefined && c.dim !== k) {
        ctx.addIssue({
          code: 'custom',
          path: ['dim'],
          message: `${c.model} returns ${k} numbers, not ${c.dim}`,
        });
      }
    });
}

export type ModelEmbedderConfig = {
  provider: string;
  model?: string;
  dim?: number;
  field: 'both' | 'instruction' | 'answer';
};

/**
 * An embedder calling `provider.embed` (one request per ≤ 100 texts, through the provider layer's
 * retries, budget and cache). The text is the chosen turns joined by a blank line (an empty text is
 * sent as a single space, which every endpoint accepts). Every vector's length is checked against
 * `dim` (`dim_mismatch` otherwise), then L2-normalized.
 */
function modelEmbedder(
  id: string,
  defaultModel: string | undefined,
  description: string,
): Embedder<ModelEmbedderConfig> {
  return {
    id,
    version: 1,
    kind: 'model',
    description,
    config: modelConfig(defaultModel) as z.ZodType<ModelEmbedderConfig>,
    dim: (c) => (c.dim ?? knownDim(c.model)) as number,
    async embed(records, c, { providers }) {
      const dim = (c.dim ?? knownDim(c.model)) as number;
      const provider = requireProvider(providers, c.provider, id, 'embedder');
      const texts = records.map((r) => fieldTexts(r.turns, c.field).join('\n\n') || ' ');
      const vectors = await provider.embed(texts, c.model ? { model: c.model } : {});
      const out = new Float32Array(records.length * dim);
      vectors.forEach((v, i) => {
        if (v.length !== dim) {
          throw new WinnowError('dim_mismatch', {
            detail: `embedder "${id}": provider "${c.provider}" returned vectors of ${v.length} numbers, expected ${dim}${c.dim === undefined ? ` (${c.model})` : ' (config.dim)'}`,
            details: { provider: c.provider, model: c.model, expected: dim, got: v.length },
          });
        }
        out.set(v, i * dim);
      });
      return l2NormalizeRows(out, dim);
    },
  };
}

export const workersAiEmbedder = modelEmbedder(
  'workers-ai',
  '@cf/baai/bge-small-en-v1.5',
  'Workers AI text embeddings (default @cf/baai/bge-small-en-v1.5, 384 numbers), L2-normalized',
);

export const openAiEmbedder = modelEmbedder(
  'openai',
  undefined,
  "an OpenAI-compatible /embeddings endpoint (the provider's model unless `model` is set), L2-normalized",
);
