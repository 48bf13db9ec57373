import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ALPACA_9K, jsonl, ROOT } from './cli/helpers.ts';
import { sharedClient, sharedStack, unique } from './stack.ts';

const run = promisify(execFile);
const tmp = mkdtempSync(join(tmpdir(), 'winnow-python-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  return Buffer.from(await new Response(stream).arrayBuffer());
}

describe('the Python client (winnow_client.py) against the shared stack, with the machine’s python3', () => {
  it('uploads, runs a job, downloads its outputs, drives a sampler run with weights, and raises typed errors', async () => {
    // The module as a user gets it: `winnow python-client <dir>`.
    const moduleDir = join(tmp, 'module');
    const cli = join(ROOT, 'workers/cli/winnow.js');
    const got = await run(process.execPath, [cli, 'python-client', moduleDir], { cwd: ROOT });
    expect(got.stdout.trim()).toBe(join(moduleDir, 'winnow_client.py'));
    expect(readFileSync(join(moduleDir, 'winnow_client.py'))).toEqual(
      readFileSync(join(ROOT, 'src/client/python/winnow_client.py')),
    );

    const rows = (JSON.parse(readFileSync(ALPACA_9K, 'utf8')) as unknown[]).slice(0, 300);
    const lines = (rs: unknown[]) => rs.map((r) => `${JSON.stringify(r)}\n`).join('');
    const dataset = join(tmp, 'data.jsonl.gz');
    const part = join(tmp, 'part.jsonl');
    writeFileSync(dataset, gzipSync(lines(rows.slice(0, 250))));
    writeFileSync(part, lines(rows.slice(250)));
    const name = unique('python');

    const { url, token } = sharedStack();
    const py = await run(
      'python3',
      ['-B', join(ROOT, 'test/e2e/python_client_check.py'), moduleDir, dataset, part, tmp, name],
      { cwd: tmp, env: { ...process.env, WINNOW_URL: url, WINNOW_TOKEN: token }, timeout: 90_000 },
    ).catch((e: { stderr?: string; message: string }) => {
      throw new Error(`python3 failed: ${e.stderr || e.message}`);
    });
    const facts = JSON.parse(py.stdout);
    const client = sharedClient();
    const job: string = facts.job;

    // Datasets: the gzip upload stored decompressed, then one part appended; deleted at the end.
    expect(facts.uploaded.objects).toHaveLength(1);
    expect(facts.uploaded.bytes).toBe(Buffer.byteLength(lines(rows.slice(0, 250))));
    expect(facts.dataset.objects.map((o: { part?: string }) => o.part)).toEqual([undefined, 'extra']);
    expect(facts.deleted).toBe(true);
    // A file in parts, interrupted after its first part and resumed: only the missing parts were sent.
    const resume = facts.resume;
    expect(resume.parts).toBe(3);
    // The part in flight when the callback raised may have been stored too.
    expect([1, 2]).toContain(resume.stored);
    expect(resume.reused).toBe(resume.stored);
    expect(resume.progress).toEqual(resume.stored === 1 ? [1, 2, 3] : [2, 3]);
    expect(resume.bytes).toBe(resume.size);
    expect(resume.sessions).toEqual([[true, 'completed']]);
    expect(await client.dataset(name)).toBeNull();

    // The job ran to the end; wait's default progress printed its line on stderr.
    expect((await client.job(job)).state).toBe('done');
    expect(py.stderr).toContain(`${job}: done`);

    // Every output the API lists, downloaded byte for byte.
    const listed = await client.outputs(job);
    expect(facts.outputs).toEqual(listed);
    expect(listed.map((f) => f.name)).toEqual(expect.arrayContaining(['selected.jsonl', 'weights.jsonl']));
    for (const f of listed)
      expect(readFileSync(join(tmp, 'out', f.name)), f.name).toEqual(
        await bytesOf(await client.output(job, f.name)),
      );
    const selected = jsonl(join(tmp, 'out', 'selected.jsonl'));
    expect(facts.selected).toBe(selected.length);

    // The sampler run: one epoch of batches, each with its examples' weights from weights.jsonl.
    const weights = new Map<string, number>(
      jsonl(join(tmp, 'out', 'weights.jsonl')).map((w) => [w.id, w.weight]),
    );
    const served: { step: number; ids: string[]; weights: number[] }[] = facts.served;
    expect(served.map((b) => b.step)).toEqual([...served.keys()]);
    const ids = served.flatMap((b) => b.ids);
    expect(ids).toHaveLength(selected.length);
    const ok = new Set(selected.map((s) => s.id));
    expect(ids.filter((id) => !ok.has(id))).toEqual([]);
    for (const b of served) expect(b.weights).toEqual(b.ids.map((id) => weights.get(id)));
    const ws = served.flatMap((b) => b.weights);
    expect(new Set(ws).size).toBeGreaterThan(1);
    const status = await client.run(facts.run.id);
    expect(facts.run).toEqual(status);
    expect(status).toMatchObject({ state: 'exhausted', served: ids.length, feedbackSteps: served.length });
    expect(status.meanWeightServed).toBeCloseTo(ws.reduce((a, b) => a + b, 0) / ws.length, 9);

    // Typed errors carry the API's status, code and message; a network error names the URL.
    expect(facts.errors.notFound).toEqual({
      status: 404,
      code: 'not_found',
      message: 'job "j00000000zzzz" does not exist',
    });
    expect(facts.errors.unauthorized).toMatchObject({ status: 401, code: 'unauthorized' });
    expect(facts.errors.badRecipe).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(facts.errors.badRecipe.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      'recipe.select.budget',
      'recipe.select.strategy.id',
    ]);
    expect(facts.errors.badRecipe.text).toContain('\n  recipe.select.budget: ');
    expect(facts.errors.network).toMatchObject({ status: null, code: 'network' });
    expect(facts.errors.network.message).toMatch(/^GET http:\/\/127\.0\.0\.1:9\/v1\/datasets failed: /);
    expect(facts.errors.noFile).toEqual({ status: 404, code: 'not_found', cls: 'NotFound' });

    // A pair set's round, waited for and its pairs downloaded as the API serves them.
    expect(facts.round).toMatchObject({ round: 1, state: 'done', pairs: 12 });
    expect(facts.pairSet.rounds).toEqual([facts.round]);
    expect(readFileSync(facts.pairsFile)).toEqual(await bytesOf(await client.roundPairs(`${name}-pairs`, 1)));
  }, 90_000);
});
