import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commandLinesWith, killGroup, noneLeftWith, workerdPids } from '../../support/crash.ts';
import { startStandin } from '../../support/standin-lm/index.ts';
import { unique } from '../stack.ts';
import { ALPACA_9K, jsonl, newJobLine, ROOT, run, spawnRun, stageLine } from './helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'winnow-interrupt-'));
const state = join(tmp, 'state');
const CLI = join(ROOT, 'workers/cli/winnow.js');
const children: ChildProcess[] = [];
const lm = await startStandin({ apiKey: 'sk-standin-0123456789abcdef' });
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.pid) await killGroup(c.pid);
  await noneLeftWith(state, 20_000);
  await lm.close();
  rmSync(tmp, { recursive: true, force: true });
});

// 800 Alpaca records in shards of 16 KiB (about 20); the judge scorer asks a real HTTP model server
// (the stand-in) that demands an API key, which the recipe names and this process's environment holds.
const input = join(tmp, `${unique('interrupt')}.jsonl`);
const rows = (JSON.parse(readFileSync(ALPACA_9K, 'utf8')) as unknown[]).slice(0, 800);
writeFileSync(input, rows.map((r) => JSON.stringify(r)).join('\n'));
const recipe = join(tmp, 'recipe.json');
writeFileSync(
  recipe,
  JSON.stringify({
    shardBytes: 16 * 1024,
    scorers: [{ id: 'length' }, { id: 'heuristics' }, { id: 'judge', config: { provider: 'lm' } }],
    providers: {
      lm: {
        kind: 'openai',
        baseUrl: lm.url,
        model: lm.modelName,
        apiKeySecret: 'STANDIN_KEY',
        concurrency: 4,
      },
    },
    select: { budget: '25%' },
  }),
);
const ARGS = ['--recipe', recipe];

const stackPid = (): number => JSON.parse(readFileSync(join(state, 'stack.json'), 'utf8')).pid;
/** The API token of the stack led by `pgid`: in its environment, which only this user can read. */
const tokenOf = (pgid: number) =>
  /(?:^|\0)API_TOKEN=([^\0]*)/.exec(readFileSync(`/proc/${pgid}/environ`, 'utf8'))![1];

describe('winnow run on the local stack: a dead runtime, Ctrl-C, and secrets', () => {
  it('restarts a runtime killed under it; on Ctrl-C stops its stack and says how to resume; fetch finishes the job', async () => {
    process.env.STANDIN_KEY = 'sk-standin-0123456789abcdef';
    const out = join(tmp, 'out');
    const first = spawnRun(input, ARGS, out, state);
    children.push(first.child);
    const job = (await first.waitFor(newJobLine))[1];

    // Neither the stack's API token nor the provider's key is on any command line.
    const token = tokenOf(stackPid());
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    expect(commandLinesWith(token)).toEqual([]);
    expect(commandLinesWith(process.env.STANDIN_KEY)).toEqual([]);

    // kill -9 of workerd under `winnow run`: its stack is restarted, and the job goes on.
    await first.waitFor(stageLine('ingest'));
    const workerd = workerdPids(stackPid());
    expect(workerd.length).toBeGreaterThan(0);
    for (const pid of workerd) process.kill(pid, 'SIGKILL');
    await first.waitFor(/^the local stack answers again on http:\/\/127\.0\.0\.1:\d+, [\d.]+ s after/m);
    expect(first.stderr()).toMatch(
      /^the local stack stopped working \(its runtime crashed\): restarting it/m,
    );

    // Ctrl-C: the stack stops, the job is left to resume, and the command says how.
    process.kill(first.child.pid!, 'SIGINT');
    expect(await first.exited).toBe(130);
    expect(first.stderr()).toContain(
      `interrupted: stopping the local stack; job ${job} is left unfinished, and goes on when a command next starts the local stack on ${state}. To wait for it and download its outputs, run the same command again, or: winnow fetch ${job} --state ${state} --out ${out} --provider lm=${lm.url},key=STANDIN_KEY\n`,
    );
    expect(await noneLeftWith(state, 10_000)).toEqual([]);
    expect(readdirSync(join(state, 'runs'))).toHaveLength(1);

    // The command it printed (with the model endpoint the recipe declared): the stack starts again, the
    // job resumes and its outputs are downloaded.
    const { stdout } = await run(
      process.execPath,
      [
        CLI,
        'fetch',
        job,
        '--state',
        state,
        '--out',
        out,
        '--provider',
        `lm=${lm.url},key=STANDIN_KEY`,
        '--quiet',
      ],
      {
        cwd: ROOT,
        timeout: 120_000,
      },
    );
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.job).toBe(job);
    expect(stdout).toContain(`selected  ${report.counts.selected} `);
    expect(report.counts).toMatchObject({ input: 800, valid: 800 });
    // Every record scored by the model (the key reached it), once across the outputs.
    expect(report.scoring.byScorer.judge.computed + report.scoring.byScorer.judge.cached).toBe(800);
    const indices = ['selected.jsonl', 'rejected.jsonl', 'invalid.jsonl']
      .flatMap((f) => jsonl(join(out, f)).map((l) => l.source.index as number))
      .sort((a, b) => a - b);
    expect(indices).toEqual(rows.map((_, i) => i));
  }, 180_000);
});
