import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { type ScorerInfo, ScorerListSchema } from '../../schemas/api.ts';
import { listScorers } from '../../src/score/index.ts';
import { json, openapi, routes } from './openapi.ts';

export const scorers = routes();

const list = createRoute({
  method: 'get',
  path: '/',
  summary: 'Every registered scorer: id, version, kind, outputs and the JSON Schema of its config',
  responses: { 200: json('the registry', ScorerListSchema) },
});

openapi(scorers, list, (c) => {
  const list: ScorerInfo[] = listScorers().map((s) => ({
    id: s.id,
    version: s.version,
    kind: s.kind,
    description: s.description,
    outputs: [...s.outputs],
    fits: typeof s.fit === 'function',
    config: z.toJSONSchema(s.config, { io: 'input', unrepresentable: 'any' }),
  }));
  return c.json({ scorers: list });
});
