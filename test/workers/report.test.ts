import { describe, expect, it } from 'vitest';
import type { Report } from '../../schemas/output.ts';
import type { ReportData } from '../../schemas/report-data.ts';
import { generateDemo } from '../../src/demo/index.ts';
import { api, output, startJob, upload, waitForJob } from './helpers.ts';

// GET /v1/jobs/:id/report.html on workerd: a finished job's page is the output the host wrote beside
// report.json; a failed job's is rendered from its status; both behind the token.

const HTML = 'text/html; charset=utf-8';

describe('GET /v1/jobs/:id/report.html', () => {
  it("serves a finished job's report.html, the one its outputs list", async () => {
    expect((await upload('report-page', generateDemo({ records: 200, seed: 9 }))).status).toBe(201);
    const id = await startJob('report-page', { shardBytes: 8192, select: { budget: '20%' } });
    expect((await waitForJob(id)).state).toBe('done');
    const res = await api(`/v1/jobs/${id}/report.html`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(HTML);
    const page = await res.text();
    expect(page).toBe(await output(id, 'report.html'));
    const report = JSON.parse(await output(id, 'report.json')) as Report;
    expect(report.outputs.slice(-3)).toEqual(['report-data.json', 'report.html', 'report.json']);
    const data = JSON.parse(await output(id, 'report-data.json')) as ReportData;
    expect(Object.keys(data.rejected).sort()).toEqual(Object.keys(report.rejectedByReason).sort());
    for (const [reason, n] of Object.entries(report.rejectedByReason))
      expect(page).toContain(`data-reason="${reason}">${n.toLocaleString('en-US')}</span>`);
    // Without the token: refused, as every /v1 route.
    expect((await api(`/v1/jobs/${id}/report.html`, { token: null })).status).toBe(401);
  });

  it("renders a failed job's page from its status: why, and which task", async () => {
    const rec = (i: number) => JSON.stringify({ instruction: `Question ${i}?`, output: `Answer ${i}.` });
    expect((await upload('report-failed', `[${rec(0)},${rec(1)}] <b>xyz`)).status).toBe(201);
    const id = await startJob('report-failed', { scorers: [{ id: 'length' }] });
    const status = await waitForJob(id);
    expect(status.state).toBe('failed');
    const res = await api(`/v1/jobs/${id}/report.html`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(HTML);
    const page = await res.text();
    expect(page).toContain('<section id="failure">');
    expect(page).toContain('Failed task: stage <b>plan</b>, plan shard 0');
    expect(page).toContain('unexpected &#39;&lt;&#39; after the array closed');
    expect(page).not.toContain('<b>xyz');
    // The recipe it ran with, from its job.json.
    expect(page).toContain('<h3>Recipe</h3>');
    expect(page).toContain('&quot;length&quot;');
  });

  it('answers an unknown job with 404 and a malformed id with 400', async () => {
    expect((await api('/v1/jobs/jdoesnotexist1/report.html')).status).toBe(404);
    expect((await api('/v1/jobs/not-a-job/report.html')).status).toBe(400);
  });
});
