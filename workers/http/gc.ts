import { createRoute } from '@hono/zod-openapi';
import { GcBodySchema, GcResultSchema } from '../../schemas/storage.ts';
import { collectGarbage } from '../gc.ts';
import { json, jsonRequest, openapi, routes } from './openapi.ts';

/** Storage clean-up: what nothing reads any more (docs/architecture.md, "Storage lifecycle"). */
export const gc = routes();

const collect = createRoute({
  method: 'post',
  path: '/',
  summary:
    'Free storage: intermediates of ended jobs, ended jobs older than jobsOlderThan, orphaned job files, replaced dataset versions; a page at a time',
  request: { body: jsonRequest(GcBodySchema) },
  responses: {
    200: json(
      'what this call freed (or would free), by kind; call again with cursor while one is returned',
      GcResultSchema,
    ),
    400: { description: 'invalid body; every issue listed' },
  },
});

openapi(gc, collect, async (c) => c.json(await collectGarbage(c.env, c.req.valid('json'))));
