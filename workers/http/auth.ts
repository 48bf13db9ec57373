import type { MiddlewareHandler } from 'hono';
import { errorBody } from './errors.ts';

/**
 * Whether two strings are equal, in time that depends on neither: both are hashed to 32 bytes first
 * (so a guess's length tells nothing), then every byte is compared.
 */
async function same(a: string, b: string): Promise<boolean> {
  const hash = async (s: string) =>
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s)));
  const [x, y] = await Promise.all([hash(a), hash(b)]);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
  return diff === 0;
}

/**
 * Bearer-token auth: `Authorization: Bearer <API_TOKEN>`; 401 JSON otherwise. (Hono's `bearerAuth`
 * compares the same way, but answers a malformed header with a 400 and a text body: ours keeps one
 * JSON error shape for every refusal.)
 */
function bearerAuth(): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    const expected = c.env.API_TOKEN;
    const header = c.req.header('authorization') ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!expected || !m || !(await same(m[1].trim(), expected))) {
      const message = !m ? 'missing bearer token (Authorization: Bearer <token>)' : 'wrong bearer token';
      return c.json(errorBody('unauthorized', message), 401, { 'WWW-Authenticate': 'Bearer' });
    }
    await next();
  };
}

export const auth = bearerAuth();
