/** `winnow status` and `winnow open` on the local stack (`--state`), as `fetch` runs there. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../../../src/demo/index.ts';
import { noneLeftWith } from '../../support/crash.ts';
import { ROOT, run, winnowRun } from './helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'winnow-status-local-'));
const state = resolve(tmp, 'state');
afterAll(async () => {
  await noneLeftWith(state, 20_000);
  rmSync(tmp, { recursive: true, force: true });
});
const CLI = join(ROOT, 'workers/cli/winnow.js');
const cli = (...args: string[]) =>
  run(process.execPath, [CLI, ...args, '--state', state], { cwd: ROOT, timeout: 120_000 }).then(
    (r) => ({ ...r, code: 0 }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

describe('winnow status and open on the local stack', () => {
  it('prints a job of the state, and the report downloaded into --out', async () => {
    const input = join(tmp, 'demo.jsonl');
    writeFileSync(input, generateDemo({ records: 120, seed: 11 }));
    const out = join(tmp, 'out');
    await winnowRun(input, out, state);
    const { job } = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));

    const status = await cli('status', job, '--quiet');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`^job {7}${job} {2}done\\n`));
    expect(status.stdout).toMatch(/^select\s+\[#+\] /m);

    // No stack runs on the state now: open starts none, names the copy in --out and how to serve.
    const opened = await cli('open', job, '--out', out);
    expect(opened.code).toBe(0);
    expect(opened.stdout).toMatch(new RegExp(`^no local stack runs on ${state}: \`winnow serve --state`));
    expect(opened.stdout).toContain(`file      ${join(out, 'report.html')}\n`);
    const nowhere = await cli('open', job, '--out', join(tmp, 'elsewhere'));
    expect(nowhere.code).toBe(1);
  }, 180_000);
});
