/**
 * `winnow gc` and `winnow delete` through the real CLI against the shared stack. gc runs dry here:
 * the other files' jobs on the shared stack are not this file's to delete (test/workers/gc.test.ts
 * deletes for real on its own runtime).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../../../src/demo/index.ts';
import { sharedClient, sharedStackArgs, unique } from '../stack.ts';
import { ROOT, run, winnowRunShared } from './helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'winnow-gc-'));
// A shared machine can take longer than the default 10 s to delete an installed package's tree.
afterAll(() => rmSync(tmp, { recursive: true, force: true }), 120_000);
const CLI = join(ROOT, 'workers/cli/winnow.js');
const cli = (...args: string[]) =>
  run(process.execPath, [CLI, ...args, ...sharedStackArgs()], { cwd: ROOT, timeout: 60_000 });

describe('winnow gc and delete', () => {
  it('reports what gc would free, deletes a job and a dataset, and refuses a running job', async () => {
    const input = join(tmp, `${unique('gc')}.jsonl`);
    writeFileSync(input, generateDemo({ records: 200, seed: 3 }));
    const recipe = join(tmp, 'keep-all.json');
    writeFileSync(recipe, JSON.stringify({ keep: 'all', shardBytes: 8192 }));
    const out = join(tmp, 'out');
    await winnowRunShared(input, out, ['--recipe', recipe]);
    const { job, dataset } = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));

    const dry = await cli('gc', '--jobs-older-than', '0m', '--dry-run');
    expect(dry.stdout).toMatch(
      /^would free \d+ objects, [\d.]+ (KiB|MiB|GiB) \(dry run: nothing deleted\)\n/,
    );
    expect(dry.stdout).toMatch(/\n {2}\d+ old jobs?, deleted whole: \d+ objects/);
    const client = sharedClient();
    expect((await client.job(job)).state).toBe('done');

    const busy = (await client.createJob(dataset, { shardBytes: 1024 })).id;
    const refused = await cli('delete', 'job', busy).catch((e: { code: number; stderr: string }) => e);
    expect(refused).toMatchObject({
      code: 1,
      stderr: `winnow: job "${busy}" is running: cancel it first (POST /v1/jobs/${busy}/cancel), then delete it\n`,
    });
    await client.cancelJob(busy);

    const deleted = await cli('delete', 'job', job);
    expect(deleted.stdout).toMatch(new RegExp(`^deleted job ${job}: \\d+ objects, [\\d.]+ (KiB|MiB)\\n$`));
    await cli('delete', 'job', busy);
    const gone = await cli('delete', 'dataset', dataset);
    expect(gone.stdout).toMatch(new RegExp(`^deleted dataset ${dataset}: \\d+ objects, `));
    expect(await client.dataset(dataset)).toBeNull();
  }, 120_000);
});
