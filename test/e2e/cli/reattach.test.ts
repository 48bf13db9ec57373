import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killGroup, noneLeftWith, processGroup } from '../../support/crash.ts';
import { unique } from '../stack.ts';
import { ALPACA_9K, newJobLine, ROOT, run, spawnRun, stageLine, winnowRunShared } from './helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'winnow-reattach-'));
const state = join(tmp, 'state');
const CLI = join(ROOT, 'workers/cli/winnow.js');
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.pid) await killGroup(c.pid);
  const stack = stackPid();
  if (stack) await killGroup(stack);
  rmSync(tmp, { recursive: true, force: true });
});

// 3,000 Alpaca records in shards of 32 KiB (about 40): the job runs long enough on the local stack for
// the CLI to be killed in the middle of it. The file's name makes its dataset this file's own.
const input = join(tmp, `${unique('reattach')}.jsonl`);
const rows = (JSON.parse(readFileSync(ALPACA_9K, 'utf8')) as unknown[]).slice(0, 3000);
writeFileSync(input, rows.map((r) => JSON.stringify(r)).join('\n'));
const ARGS = ['--budget', '25%', '--shard-bytes', String(32 * 1024)];
const FILES = ['selected.jsonl', 'rejected.jsonl', 'invalid.jsonl', 'weights.jsonl'];

/** The local stack named by `<state>/stack.json`, if any. */
function stackPid(): number | undefined {
  const file = join(state, 'stack.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).pid : undefined;
}

function start(out: string) {
  const child = spawnRun(input, ARGS, out, state);
  children.push(child.child);
  return child;
}

describe('winnow run, interrupted by kill -9 and run again on the same state', () => {
  it('takes its local stack down when killed, reattaches to the job it started, stops a stack left running, and downloads the outputs of an uninterrupted run', async () => {
    // The uninterrupted run: the same file and flags against the e2e tier's shared stack.
    const baseOut = join(tmp, 'base');
    const baseline = winnowRunShared(input, baseOut, ARGS);

    // 1. Killed once ingest is done: the command alone (kill -9). Its local stack (watchdog, wrangler,
    //    workerd) stops within seconds: nothing is left running on the state.
    const first = start(join(tmp, 'out1'));
    const job = (await first.waitFor(newJobLine))[1];
    await first.waitFor(stageLine('ingest'));
    const firstStack = stackPid()!;
    expect(processGroup(firstStack).length).toBeGreaterThan(2);
    await killGroup(first.child.pid!);
    const t0 = performance.now();
    expect(await noneLeftWith(state, 10_000)).toEqual([]);
    console.log(
      `the stack of a killed winnow run was gone ${((performance.now() - t0) / 1000).toFixed(1)} s after`,
    );
    expect(processGroup(firstStack)).toEqual([]);

    // 2. The same command: it reattaches to the job. Then, once score is done, killed with the stack's
    //    watchdog, so that wrangler and workerd are left running on the state without it (as after a
    //    kill -9 of both, or a command run again before a stack is quite gone).
    const second = start(join(tmp, 'out2'));
    await second.waitFor(/reattaching to it$/m);
    expect(second.stderr()).toContain(`job ${job} (started `);
    expect(second.stderr()).not.toMatch(newJobLine);
    expect(second.stderr()).not.toContain('stopped the local stack');
    await second.waitFor(stageLine('score'));
    const left = stackPid()!;
    // The watchdog, then in the same tick the command: neither lives to act on the other's end.
    process.kill(left, 'SIGKILL');
    process.kill(-second.child.pid!, 'SIGKILL');
    await killGroup(second.child.pid!);
    await new Promise((ok) => setTimeout(ok, 500));
    const orphans = processGroup(left);
    expect(orphans.length).toBeGreaterThan(0);
    expect(orphans).not.toContain(left);

    // 3. The same command again: it stops what was left running, then finds the same job (still
    //    running, or done and not downloaded), no new one.
    const out = join(tmp, 'out3');
    const third = start(out);
    expect(await third.exited).toBe(0);
    expect(third.stderr()).toContain(
      `stopped the local stack (pid ${left}) that an interrupted command had left running on ${state}`,
    );
    expect(processGroup(left)).toEqual([]);
    expect(third.stderr()).toMatch(
      new RegExp(
        `^job ${job} \\(started .*\\) is (still running: reattaching to it|done, its outputs not downloaded: downloading them)$`,
        'm',
      ),
    );
    expect(third.stderr()).not.toMatch(newJobLine);
    // The status says what the restarts cost: tasks sent again, none counted as a failure.
    expect(third.stderr()).toMatch(
      /^resumed after the local stack restarted: \d+ tasks? sent again \(not counted as failures\)$/m,
    );
    expect(third.stderr()).not.toMatch(/retried/);
    expect(third.stdout()).toContain('selected  ');
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.job).toBe(job);
    // Once downloaded, the job is no longer recorded: the next run starts a new job (as before).
    expect(readdirSync(join(state, 'runs'))).toEqual([]);

    await baseline;
    const want = JSON.parse(readFileSync(join(baseOut, 'report.json'), 'utf8'));
    for (const f of FILES)
      expect(readFileSync(join(out, f), 'utf8'), f).toBe(readFileSync(join(baseOut, f), 'utf8'));
    expect(report.counts).toEqual(want.counts);
    expect(report.rejectedByReason).toEqual(want.rejectedByReason);
    const lines = (f: string) =>
      readFileSync(join(out, f), 'utf8')
        .split('\n')
        .filter((l) => l);
    const indices = ['selected.jsonl', 'rejected.jsonl', 'invalid.jsonl']
      .flatMap((f) => lines(f).map((l) => JSON.parse(l).source.index as number))
      .sort((a, b) => a - b);
    expect(indices).toEqual(rows.map((_, i) => i));

    // `winnow fetch <job>` downloads a job's outputs by its id.
    const fetched = join(tmp, 'fetched');
    const { stdout } = await run(
      process.execPath,
      [CLI, 'fetch', job, '--out', fetched, '--state', state, '--quiet'],
      {
        cwd: ROOT,
      },
    );
    expect(stdout).toContain(`selected  ${report.counts.selected}`);
    for (const f of FILES)
      expect(readFileSync(join(fetched, f), 'utf8'), f).toBe(readFileSync(join(out, f), 'utf8'));
  }, 150_000);
});
