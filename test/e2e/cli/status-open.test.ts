/** `winnow status` and `winnow open` through the real CLI against the shared stack. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../../../src/demo/index.ts';
import { sharedClient, sharedStack, sharedStackArgs, unique } from '../stack.ts';
import { ROOT, run, winnowRunShared } from './helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'winnow-status-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const CLI = join(ROOT, 'workers/cli/winnow.js');
const cli = (...args: string[]) =>
  run(process.execPath, [CLI, ...args, ...sharedStackArgs()], { cwd: ROOT, timeout: 60_000 }).then(
    (r) => ({ ...r, code: 0 }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

describe('winnow status and open', () => {
  it('prints a finished job once, names its report and console, and exits 1 for a cancelled job', async () => {
    const input = join(tmp, `${unique('status')}.jsonl`);
    writeFileSync(input, generateDemo({ records: 200, seed: 5 }));
    const out = join(tmp, 'out');
    await winnowRunShared(input, out, ['--shard-bytes', '8192']);
    const { job, dataset } = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));

    const done = await cli('status', job);
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(
      new RegExp(`^job {7}${job} {2}done\\ndataset {3}${dataset}\\nstage {5}\\w+\\n`),
    );
    // A line per stage the job ran, each with its rate.
    const stages = (await sharedClient().job(job)).stages;
    for (const st of stages)
      expect(done.stdout).toMatch(
        new RegExp(`^${st.name}\\s+\\[#*\\.*\\] .*[\\d.]+s(  [\\d.]+k? (rec|shards|tasks)/s)?$`, 'm'),
      );
    expect(done.stdout).not.toContain('ETA');

    const { url, token } = sharedStack();
    const opened = await cli('open', job, '--out', out);
    expect(opened.code).toBe(0);
    const report = `${url}/v1/jobs/${job}/report.html`;
    expect(opened.stdout).toContain(`report    ${report}\n`);
    expect(opened.stdout).toContain(`console   ${url}/\n`);
    expect(opened.stdout).toContain(`file      ${join(out, 'report.html')}\n`);
    // The route is the report's, and it needs the token.
    expect((await fetch(report)).status).toBe(401);
    const page = await fetch(report, { headers: { authorization: `Bearer ${token}` } });
    expect(page.status).toBe(200);
    expect(await page.text()).toBe(readFileSync(join(out, 'report.html'), 'utf8'));

    const client = sharedClient();
    const cancelled = (await client.createJob(dataset, { shardBytes: 1024 })).id;
    await client.cancelJob(cancelled);
    const status = await cli('status', cancelled);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(new RegExp(`^job {7}${cancelled} {2}cancelled\\n`));

    const unknown = await cli('open', 'j0000000000000000');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^winnow: /);
  }, 240_000);
});
