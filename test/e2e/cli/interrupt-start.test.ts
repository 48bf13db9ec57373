import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commandLinesWith, killGroup, noneLeftWith, workerdPids } from '../../support/crash.ts';
import { ROOT, spawnRun } from './helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'winnow-interrupt-start-'));
const state = resolve(tmp, 'state');
const pids: number[] = [];
const late = resolve(tmp, 'late');
const served = resolve(tmp, 'served');
afterAll(async () => {
  for (const pid of pids) await killGroup(pid);
  await noneLeftWith(state, 20_000);
  await noneLeftWith(late, 20_000);
  await noneLeftWith(served, 20_000);
  rmSync(tmp, { recursive: true, force: true });
});

const input = join(tmp, 'small.jsonl');
writeFileSync(
  input,
  Array.from({ length: 20 }, (_, i) =>
    JSON.stringify({ instruction: `Say the number ${i} in words.`, output: `The number is ${i}.` }),
  ).join('\n'),
);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Whether `pid` runs (a zombie, waiting for its reaper, does not). */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

describe('winnow run interrupted while the local stack starts', () => {
  it('on SIGINT before the stack answers, stops wrangler, esbuild and workerd, then exits 130', async () => {
    const r = spawnRun(input, [], join(tmp, 'out'), state);
    pids.push(r.child.pid!);
    await r.waitFor(/^starting the local stack/m);
    // Wait until the stack's processes run (stack.json is written once wrangler is spawned), but not
    // for it to answer: the CLI is still starting it.
    for (let i = 0; i < 200 && !existsSync(join(state, 'stack.json')); i++) await sleep(50);
    expect(existsSync(join(state, 'stack.json'))).toBe(true);
    await sleep(500);
    expect(r.stderr()).not.toMatch(/^job /m);
    expect(commandLinesWith(state).length).toBeGreaterThan(0);
    process.kill(r.child.pid!, 'SIGINT');
    expect(await r.exited).toBe(130);
    expect(r.stderr()).toMatch(/^interrupted: stopping the local stack/m);
    // Nothing is left by the time the command has exited: no waiting on the watchdog.
    expect(commandLinesWith(state)).toEqual([]);
  }, 60_000);

  it('on SIGTERM once workerd runs, stops the whole stack, then exits 143', async () => {
    const r = spawnRun(input, [], join(tmp, 'out-late'), late);
    pids.push(r.child.pid!);
    await r.waitFor(/^starting the local stack/m);
    const stackFile = join(late, 'stack.json');
    let workerd: number[] = [];
    for (let i = 0; i < 600 && workerd.length === 0; i++) {
      await sleep(50);
      if (existsSync(stackFile)) workerd = workerdPids(JSON.parse(readFileSync(stackFile, 'utf8')).pid);
    }
    expect(workerd.length).toBeGreaterThan(0);
    process.kill(r.child.pid!, 'SIGTERM');
    expect(await r.exited).toBe(143);
    expect(commandLinesWith(late)).toEqual([]);
    expect(workerd.filter(alive)).toEqual([]);
  }, 60_000);

  it('winnow serve on SIGINT before its stack answers stops it too, then exits 130', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'workers/cli/main.ts'), 'serve', '--state', served], {
      cwd: ROOT,
      detached: true,
    });
    pids.push(child.pid!);
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.resume();
    const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
    for (let i = 0; i < 200 && !existsSync(join(served, 'stack.json')); i++) await sleep(50);
    expect(existsSync(join(served, 'stack.json'))).toBe(true);
    expect(stdout).not.toMatch(/^url /m);
    process.kill(child.pid!, 'SIGINT');
    expect(await exited).toBe(130);
    expect(commandLinesWith(served)).toEqual([]);
  }, 60_000);
});
