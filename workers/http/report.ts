import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { JobIdSchema } from '../../schemas/api.ts';
import type { Report } from '../../schemas/output.ts';
import type { ReportData } from '../../schemas/report-data.ts';
import { WinnowError } from '../../src/errors.ts';
import { jobSpecKey, reportDataKey, reportKey } from '../../src/pipeline/keys.ts';
import { HTML } from '../../src/pipeline/stages/report/html.ts';
import type { JobSpec } from '../../src/pipeline/types.ts';
import { renderReport } from '../../src/report/index.ts';
import { coordinator } from '../coordinator.ts';
import { openapi, routes } from './openapi.ts';
import { outputResponse, readManifest } from './outputs.ts';

export const report = routes();

const page = createRoute({
  method: 'get',
  path: '/{id}/report.html',
  summary:
    'The job’s report as one self-contained HTML page (inline charts, no external request): a finished job’s report.html; for a failed, cancelled or running job, why it stopped or how far it is',
  request: { params: z.object({ id: JobIdSchema }) },
  responses: {
    200: { description: 'the page', content: { 'text/html': { schema: { type: 'string' } } } },
    400: { description: 'not a job id' },
    404: { description: 'unknown job' },
  },
});

const json = async <T>(bucket: R2Bucket, key: string): Promise<T | undefined> =>
  ((await (await bucket.get(key))?.json()) as T | null) ?? undefined;

openapi(report, page, async (c) => {
  const id = c.req.param('id');
  const status = await coordinator(c.env, id).status();
  if (!status) throw new WinnowError('not_found', { detail: `job "${id}" does not exist` });
  const bucket = c.env.DATA_BUCKET;
  if (status.state === 'done') {
    const file = (await readManifest(bucket, id))?.files.find((f) => f.name === 'report.html');
    if (file) return outputResponse(bucket, file);
    // Finished before report.html existed: rendered now from what it kept.
    const done = await json<Report>(bucket, reportKey(id));
    if (done) {
      const data = await json<ReportData>(bucket, reportDataKey(id));
      return c.body(renderReport({ report: done, ...(data ? { data } : {}) }), 200, { 'content-type': HTML });
    }
  }
  // Failed, cancelled or still running: no report.json; the page says why, and where each stage stood.
  const spec = await json<JobSpec>(bucket, jobSpecKey(id));
  return c.body(renderReport({ status, ...(spec ? { recipe: spec.recipe } : {}) }), 200, {
    'content-type': HTML,
  });
});
