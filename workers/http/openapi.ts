import { OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { z } from 'zod';
import { ErrorBodySchema } from '../../schemas/api.ts';
import { jsonBody, parseWith } from './errors.ts';

export type AppEnv = { Bindings: Env };

/**
 * A group of routes. Mount each with `openapi(group, createRoute({...}), handler)`; `app.route(prefix,
 * group)` mounts the group and merges its definitions into the app's document.
 */
export const routes = () => new OpenAPIHono<AppEnv>();

type Output<S> = S extends z.ZodType ? z.output<S> : never;
type Request<R extends RouteConfig> = NonNullable<R['request']>;
type JsonSchema<R extends RouteConfig> =
  Request<R> extends {
    body?: { content: { 'application/json': { schema: infer S } } };
  }
    ? S
    : never;

/** What `c.req.valid(…)` returns in a route's handler: its params, query and JSON body, validated. */
export type Valid<R extends RouteConfig> = {
  out: {
    param: Output<Request<R>['params']>;
    query: Output<Request<R>['query']>;
    json: Output<JsonSchema<R>>;
  };
};

/** A route's path as Hono routes it: `/{id}/outputs/{file}` is `/:id/outputs/:file`. */
type HonoPath<P extends string> = P extends `${infer A}{${infer Name}}${infer B}`
  ? `${A}:${Name}${HonoPath<B>}`
  : P;

export type Handler<R extends RouteConfig> = (
  c: Context<AppEnv, HonoPath<R['path']>, Valid<R>>,
) => Response | Promise<Response>;

/**
 * Mount a route from its one definition (`createRoute`): the definition goes into the document, and
 * the request's path params, query and JSON body are validated with its zod schemas before `handler`
 * runs (read them with `c.req.valid('param' | 'query' | 'json')`).
 *
 * Not `group.openapi(route, handler)`: its validators answer a body sent without a JSON content type
 * (as `curl -d` sends it) with 415, and a body that is not JSON with Hono's own 400. Here a body is
 * read as JSON whatever its content type, an empty one as `{}`, a bad one is `invalid_json`, and
 * every issue is a `validation_failed` detail, as everywhere else in the API.
 */
export function openapi<R extends RouteConfig>(
  app: OpenAPIHono<AppEnv>,
  route: R,
  handler: Handler<R>,
): void {
  app.openAPIRegistry.registerPath(documented(route));
  const path = route.path.replaceAll(/\{(\w+)\}/g, ':$1');
  app.on(route.method.toUpperCase(), path, async (c) => {
    const { params, query, body } = route.request ?? {};
    if (params) c.req.addValidatedData('param', parseWith(params, c.req.param(), 'request path') as object);
    if (query) c.req.addValidatedData('query', parseWith(query, c.req.query(), 'query string') as object);
    const media = body?.content['application/json'];
    const schema = media && 'schema' in media ? media.schema : undefined;
    if (isZod(schema))
      c.req.addValidatedData('json', parseWith(schema, await jsonBody(c), 'request body') as object);
    return handler(c as unknown as Parameters<Handler<R>>[0]);
  });
}

const isZod = (s: unknown): s is z.ZodType =>
  typeof s === 'object' && s !== null && typeof (s as z.ZodType).safeParse === 'function';

/** A JSON response. */
export const json = <S extends z.ZodType>(description: string, schema: S) => ({
  description,
  content: { 'application/json': { schema } },
});

/** A JSON request body; optional when `{}` is valid (an empty body reads as `{}`). */
export const jsonRequest = <S extends z.ZodType>(schema: S) => ({
  required: !schema.safeParse({}).success,
  content: { 'application/json': { schema } },
});

/** Bytes in a body, request or response, of this media type. */
export const binary = (mediaType: string) => ({
  [mediaType]: { schema: { type: 'string', format: 'binary' } as const },
});

/** A raw request body (a file), streamed as it is. */
export const rawRequest = (mediaType: string) => ({ required: true, content: binary(mediaType) });

/** The error body of every 4xx, documented once as `#/components/schemas/ErrorBody`. */
const ErrorBody = ErrorBodySchema.openapi('ErrorBody');

/**
 * The definition as documented: a 401 unless the route opts out of auth (`security: []`), a 413 on a
 * route with a JSON body (over 1 MiB, `jsonBody`), and the error body on every 4xx response that has
 * no content of its own.
 */
function documented(route: RouteConfig): RouteConfig {
  const open = Array.isArray(route.security) && route.security.length === 0;
  const body = route.request?.body;
  const jsonBody = !!body && 'content' in body && 'application/json' in body.content;
  const responses: RouteConfig['responses'] = {
    ...route.responses,
    ...(open ? {} : { 401: { description: 'missing or wrong bearer token' } }),
    ...(jsonBody ? { 413: { description: 'a JSON body over 1 MiB' } } : {}),
  };
  for (const [status, res] of Object.entries(responses)) {
    if (/^4\d\d$/.test(status) && !('content' in res && res.content) && !('$ref' in res))
      responses[status] = { ...res, content: { 'application/json': { schema: ErrorBody } } };
  }
  return { ...route, responses };
}

/** The OpenAPI 3.1 document of every route mounted on `app` (with `openapi`, directly or in a group). */
export function openApiDocument(app: OpenAPIHono<AppEnv>) {
  const doc = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: { title: 'Winnow API', version: '1', description: 'Data selection for LLM training data.' },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
  });
  const securitySchemes = { bearer: { type: 'http', scheme: 'bearer' } } as const;
  return { ...doc, components: { ...doc.components, securitySchemes } };
}
