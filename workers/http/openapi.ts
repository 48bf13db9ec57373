import { z } from 'zod';
import { ErrorBodySchema } from '../../schemas/api.ts';

export interface RouteDoc {
  method: 'get' | 'put' | 'post' | 'delete';
  /** OpenAPI path, `{param}` style. */
  path: string;
  summary: string;
  auth?: boolean;
  request?: { schema: z.ZodType; contentType?: string };
  /** Raw (non-JSON) request body, e.g. a dataset upload. */
  rawBody?: string;
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
}

const jsonSchema = (s: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' });

/** The OpenAPI document, generated from the route table and its zod schemas. */
export function openApiDocument(routes: readonly RouteDoc[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const responses: Record<string, unknown> = {};
    for (const [status, res] of Object.entries(r.responses)) {
      responses[status] = {
        description: res.description,
        ...(res.schema
          ? {
              content: {
                [res.contentType ?? 'application/json']: { schema: jsonSchema(res.schema, 'output') },
              },
            }
          : {}),
      };
    }
    if (r.auth !== false) {
      responses['401'] = {
        description: 'missing or wrong bearer token',
        content: { 'application/json': { schema: jsonSchema(ErrorBodySchema, 'output') } },
      };
    }
    paths[r.path] ??= {};
    paths[r.path][r.method] = {
      summary: r.summary,
      ...(params.length ? { parameters: params } : {}),
      ...(r.auth === false ? { security: [] } : {}),
      ...(r.request
        ? {
            requestBody: {
              required: true,
              content: {
                [r.request.contentType ?? 'application/json']: {
                  schema: jsonSchema(r.request.schema, 'input'),
                },
              },
            },
          }
        : {}),
      ...(r.rawBody
        ? {
            requestBody: {
              required: true,
              content: { [r.rawBody]: { schema: { type: 'string', format: 'binary' } } },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Winnow API', version: '1', description: 'Data selection for LLM training data.' },
    servers: [{ url: '/' }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths,
  };
}
