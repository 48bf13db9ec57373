import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import type { ErrorBody } from '../../schemas/api.ts';
import { type ErrorCode, isWinnowError, validationError, WinnowError, zodIssues } from '../../src/errors.ts';
import { formatBytes, MAX_JSON_BODY_BYTES } from '../../src/limits.ts';
import { capBytes, streamChunks } from '../../src/util/index.ts';

const STATUS: Partial<Record<ErrorCode, ContentfulStatusCode>> = {
  bad_request: 400,
  validation_failed: 400,
  invalid_json: 400,
  unknown_scorer: 400,
  unknown_strategy: 400,
  unauthorized: 401,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  malformed_input: 422,
  too_many_shards: 422,
  dataset_empty: 422,
};

export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return { error: { code, message, ...(details === undefined ? {} : { details }) } };
}

/** The one place domain errors become HTTP responses. */
export function onError(err: Error, c: Context): Response {
  if (isWinnowError(err)) {
    return c.json(errorBody(err.code, err.message, err.details), STATUS[err.code] ?? 500);
  }
  if (err instanceof HTTPException) {
    return c.json(errorBody('bad_request', err.message), err.status);
  }
  console.error(err);
  return c.json(errorBody('internal', 'internal error'), 500);
}

/**
 * Validate a value with zod; every issue is listed in the error's details, its path under `prefix`
 * (`recipe` for a recipe inside a body makes `recipe.select.budget`).
 */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
  prefix = '',
): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw validationError(what, zodIssues(r.error, prefix));
}

/**
 * A JSON request body, read whole but never past MAX_JSON_BODY_BYTES (1 MiB): a larger one is a 413,
 * from its Content-Length when it has one, else once that many bytes have arrived. Empty reads as `{}`.
 */
export async function jsonBody(c: Context): Promise<unknown> {
  const text = await limitedText(c.req.raw, MAX_JSON_BODY_BYTES);
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new WinnowError('invalid_json', {
      detail: `request body is not valid JSON: ${(e as Error).message}`,
    });
  }
}

async function limitedText(req: Request, max: number): Promise<string> {
  const over = (size?: number) =>
    new WinnowError('payload_too_large', {
      detail: `request body is ${size === undefined ? '' : `${size} bytes, `}over the ${formatBytes(max)} (${max} bytes) limit for a JSON body: a recipe names its reference data ("dataset:<name>") rather than holding it`,
      details: { limit: 'MAX_JSON_BODY_BYTES', maxBytes: max },
    });
  const declared = Number(req.headers.get('content-length') ?? Number.NaN);
  if (declared > max) throw over(declared);
  if (!req.body) return '';
  const decoder = new TextDecoder();
  const seen = { bytes: 0 };
  let text = '';
  for await (const chunk of capBytes(streamChunks(req.body), max, () => over(), seen))
    text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}
