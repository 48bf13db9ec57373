import { Hono } from 'hono';
import { z } from 'zod';
import { type ScorerInfo, ScorerListSchema } from '../../schemas/api.ts';
import { listScorers } from '../../src/score/index.ts';
import type { RouteDoc } from './openapi.ts';

export const scorerRoutes: RouteDoc[] = [
  {
    method: 'get',
    path: '/v1/scorers',
    summary: 'Every registered scorer: id, version, kind, outputs and the JSON Schema of its config',
    responses: { 200: { description: 'the registry', schema: ScorerListSchema } },
  },
];

export const scorers = new Hono<{ Bindings: Env }>();

scorers.get('/', (c) => {
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
