import type { z } from 'zod';

/** Parse a response body as JSON and check its shape; throws an Error naming the first problem. */
export function parseJson<S extends z.ZodType>(schema: S, text: string): z.infer<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('body is not JSON');
  }
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const path = issue.path.map(String).join('.');
  throw new Error(`${path ? `${path}: ` : ''}${issue.message}`);
}
