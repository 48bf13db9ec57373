import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { auth } from './auth.ts';
import { webConsole } from './console.ts';
import { datasets } from './datasets.ts';
import { errorBody, onError } from './errors.ts';
import { gc } from './gc.ts';
import { jobs } from './jobs.ts';
import { type AppEnv, json, openApiDocument, openapi } from './openapi.ts';
import { pairs } from './pairs.ts';
import { report } from './report.ts';
import { safety } from './safety.ts';
import { sampler } from './sampler.ts';
import { scheduleList, schedules } from './schedules.ts';
import { scorers } from './scorers.ts';
import { uploadRoutes } from './upload-sessions.ts';

const HealthSchema = z.object({ ok: z.literal(true), service: z.literal('winnow') });

const health = createRoute({
  method: 'get',
  path: '/v1/health',
  summary: 'Liveness; no token needed',
  security: [],
  responses: { 200: json('alive', HealthSchema) },
});

const document = createRoute({
  method: 'get',
  path: '/v1/openapi.json',
  summary: 'This document',
  responses: { 200: { description: 'OpenAPI 3.1' } },
});

export const app = new OpenAPIHono<AppEnv>();
app.onError(onError);
app.notFound((c) => c.json(errorBody('not_found', `no route ${c.req.method} ${c.req.path}`), 404));
app.route('/', webConsole);
openapi(app, health, (c) => c.json({ ok: true, service: 'winnow' } as const));
app.use('/v1/*', auth);
app.route('/v1/datasets', datasets);
app.route('/v1/datasets', schedules);
app.route('/v1/datasets', uploadRoutes);
app.route('/v1/schedules', scheduleList);
app.route('/v1/runs', sampler);
app.route('/v1/jobs', jobs);
app.route('/v1/jobs', report);
app.route('/v1/pairs', pairs);
app.route('/v1/safety', safety);
app.route('/v1/scorers', scorers);
app.route('/v1/gc', gc);
let doc: ReturnType<typeof openApiDocument> | undefined;
openapi(app, document, (c) => c.json((doc ??= openApiDocument(app))));
