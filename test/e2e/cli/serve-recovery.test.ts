import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RecipeInput } from '../../../schemas/recipe.ts';
import { WinnowClient } from '../../../src/client/index.ts';
import { answers } from '../../../workers/cli/supervised-stack.ts';
import {
  commandLinesWith,
  killGroup,
  noneLeftWith,
  outputText,
  pollJob,
  processGroup,
  workerdPids,
} from '../../support/crash.ts';
import { uninterruptedJob, unique } from '../stack.ts';
import { ALPACA_9K, ROOT } from './helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'winnow-serve-'));
const state = join(tmp, 'state');
const CLI = join(ROOT, 'workers/cli/winnow.js');
let serve: ChildProcess | undefined;
let blocker: Server | undefined;
afterAll(async () => {
  blocker?.close();
  // Killed, serve takes its stack down with it (stack-watchdog.js).
  if (serve && serve.exitCode === null) serve.kill('SIGKILL');
  await noneLeftWith(state, 20_000);
  rmSync(tmp, { recursive: true, force: true });
});

// 1,500 Alpaca records in shards of 48 KiB (about 12), the default scorers and a 25% top-k: a job that
// is still running a few seconds after it starts, on the repository's wrangler.toml (as serve runs it).
const rows = (JSON.parse(readFileSync(ALPACA_9K, 'utf8')) as unknown[]).slice(0, 1500);
const data = new TextEncoder().encode(rows.map((r) => JSON.stringify(r)).join('\n'));
const recipe: RecipeInput = { shardBytes: 48 * 1024, select: { budget: '25%' } };
const FILES = ['selected.jsonl', 'rejected.jsonl', 'invalid.jsonl', 'weights.jsonl'];

const stackPid = (): number => JSON.parse(readFileSync(join(state, 'stack.json'), 'utf8')).pid;
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

async function outputs(client: WinnowClient, id: string) {
  return Object.fromEntries(await Promise.all(FILES.map(async (f) => [f, await outputText(client, id, f)])));
}

describe('winnow serve: the local stack recovers by itself', () => {
  it('restarts the stack after kill -9 of workerd, on the same URL and token, and the job finishes as an uninterrupted one; exits 1 when it cannot', async () => {
    // The uninterrupted run: the same records and recipe on the e2e tier's shared stack.
    const name = unique('serve');
    const baseline = uninterruptedJob(name, data, recipe).then(({ client, id }) => outputs(client, id));

    // A token kept in the state folder from an earlier serve, its mode loosened since: serve answers
    // to it, and makes the file its owner's alone again.
    const kept = 'b'.repeat(32);
    mkdirSync(state, { recursive: true });
    writeFileSync(join(state, 'token'), `${kept}\n`);
    chmodSync(join(state, 'token'), 0o644);

    serve = spawn(process.execPath, [CLI, 'serve', '--state', state], { cwd: ROOT });
    let out = '';
    let err = '';
    serve.stdout!.on('data', (d) => (out += d));
    serve.stderr!.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((ok) => serve!.on('exit', (code) => ok(code)));
    for (let i = 0; !/^token {2}\S+$/m.test(out); i++) {
      if (i > 900 || serve.exitCode !== null) throw new Error(`serve did not start:\n${err}`);
      await sleep(100);
    }
    const url = out.match(/^url {4}(\S+)$/m)![1];
    const token = out.match(/^token {2}(\S+)$/m)![1];
    expect(token).toBe(kept);
    expect(statSync(join(state, 'token')).mode & 0o777).toBe(0o600);
    // No process shows the token on its command line (wrangler gets it in its environment).
    expect(commandLinesWith(token)).toEqual([]);

    const client = new WinnowClient({ url, token });
    await client.uploadDataset(name, data);
    const { id } = await client.createJob(name, recipe);
    const at = await pollJob(client, id, (s) => s.stage === 'score', { timeoutMs: 60_000 });
    expect(at).toMatchObject({ state: 'running', stage: 'score' });

    // kill -9 of workerd alone (both runtimes: the one serving the port and the Worker's), as a crash
    // or the out-of-memory killer would. wrangler stays up and starts new runtimes that never answer.
    const before = stackPid();
    const workerd = workerdPids(before);
    expect(workerd.length).toBeGreaterThan(0);
    const t0 = performance.now();
    for (const pid of workerd) process.kill(pid, 'SIGKILL');
    while (!(await answers(url))) {
      if (performance.now() - t0 > 60_000) throw new Error(`no answer 60 s after the kill:\n${err}`);
      await sleep(100);
    }
    const answeredAfter = (performance.now() - t0) / 1000;
    console.log(`serve answered again ${answeredAfter.toFixed(1)} s after kill -9 of workerd`);
    expect(answeredAfter).toBeLessThan(45);
    expect(err).toMatch(
      /^the local stack stopped working \(its runtime crashed\): restarting it on http:\/\/127\.0\.0\.1:\d+ \(restart 1; /m,
    );
    const again = /^the local stack answers again on http:\/\/127\.0\.0\.1:\d+, [\d.]+ s after/m;
    for (let i = 0; i < 50 && !again.test(err); i++) await sleep(100);
    expect(err).toMatch(again);
    // A new stack (the old group is gone), on the same state, URL and token: no 401.
    expect(stackPid()).not.toBe(before);
    expect(processGroup(before)).toEqual([]);
    expect(commandLinesWith(token)).toEqual([]);

    // The job goes on by itself (the restart's STACK_STARTED re-sends its lost work) and ends with the
    // outputs of the uninterrupted run.
    const done = await pollJob(client, id, () => false, { timeoutMs: 60_000 });
    expect(done).toMatchObject({ state: 'done', error: null });
    const got = await outputs(client, id);
    const want = await baseline;
    const ids = (text: string) =>
      text
        .split('\n')
        .filter((l) => l)
        .map((l) => JSON.parse(l).id);
    expect(ids(got['selected.jsonl']).length).toBeGreaterThan(0);
    expect(ids(got['selected.jsonl'])).toEqual(ids(want['selected.jsonl']));
    for (const f of FILES) expect(got[f], f).toBe(want[f]);

    // When the stack cannot be started again (here its port is taken the moment it dies), serve says
    // so and exits 1 after a few tries, leaving nothing running.
    // serve is paused meanwhile (SIGSTOP), so that it cannot take the port back before the blocker does.
    const port = Number(new URL(url).port);
    serve.kill('SIGSTOP');
    try {
      await killGroup(stackPid());
      blocker = createServer();
      await new Promise<void>((ok, fail) => blocker!.once('error', fail).listen(port, '127.0.0.1', ok));
    } finally {
      serve.kill('SIGCONT');
    }
    expect(await exited).toBe(1);
    expect(err).toMatch(
      new RegExp(
        `^winnow: the local stack stopped working \\(it was killed\\) and could not be restarted \\(3 tries in a row\\): wrangler dev exited with code 1 \\(Address already in use \\(127\\.0\\.0\\.1:${port}\\)`,
        'm',
      ),
    );
    expect(await noneLeftWith(state, 10_000)).toEqual([]);
  }, 180_000);
});
