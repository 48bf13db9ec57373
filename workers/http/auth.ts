import type { MiddlewareHandler } from 'hono';
import { errorBody } from './errors.ts';

/** Constant-time comparison of two strings. */
function same(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** Bearer-token auth: `Authorization: Bearer <API_TOKEN>`; 401 JSON otherwise. */
function bearerAuth(): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    const expected = c.env.API_TOKEN;
    const header = c.req.header('authorization') ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!expected || !m || !same(m[1].trim(), expected)) {
      const message = !m ? 'missing bearer token (Authorization: Bearer <token>)' : 'wrong bearer token';
      return c.json(errorBody('unauthorized', message), 401, { 'WWW-Authenticate': 'Bearer' });
    }
    await next();
  };
}

export const auth = bearerAuth();
