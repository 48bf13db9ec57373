import { Hono } from 'hono';
import { z } from 'zod';
import { auth } from './auth.ts';
import { datasetRoutes, datasets } from './datasets.ts';
import { errorBody, onError } from './errors.ts';
import { jobRoutes, jobs } from './jobs.ts';
import { openApiDocument, type RouteDoc } from './openapi.ts';
import { pairRoutes, pairs } from './pairs.ts';
import { sampler, samplerRoutes } from './sampler.ts';
import { scheduleRoutes, schedules } from './schedules.ts';
import { scorerRoutes, scorers } from './scorers.ts';

const HealthSchema = z.object({ ok: z.literal(true), service: z.literal('winnow') });

const routes: RouteDoc[] = [
  {
    method: 'get',
    path: '/v1/health',
    summary: 'Liveness; no token needed',
    auth: false,
    responses: { 200: { description: 'alive', schema: HealthSchema } },
  },
  ...datasetRoutes,
  ...scheduleRoutes,
  ...samplerRoutes,
  ...jobRoutes,
  ...pairRoutes,
  ...scorerRoutes,
  {
    method: 'get',
    path: '/v1/openapi.json',
    summary: 'This document',
    responses: { 200: { description: 'OpenAPI 3.1' } },
  },
];

export const app = new Hono<{ Bindings: Env }>();
app.onError(onError);
app.notFound((c) => c.json(errorBody('not_found', `no route ${c.req.method} ${c.req.path}`), 404));
app.get('/v1/health', (c) => c.json({ ok: true, service: 'winnow' } as const));
app.use('/v1/*', auth);
app.route('/v1/datasets', datasets);
app.route('/v1/datasets', schedules);
app.route('/v1/runs', sampler);
app.route('/v1/jobs', jobs);
app.route('/v1/pairs', pairs);
app.route('/v1/scorers', scorers);
app.get('/v1/openapi.json', (c) => c.json(openApiDocument(routes)));
