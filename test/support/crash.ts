import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { JobStatus } from '../../schemas/api.ts';
import type { WinnowClient } from '../../src/client/index.ts';

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** The pids of the live processes in process group `pgid` (from /proc; Linux only). */
export function processGroup(pgid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // After `(comm)`: state, ppid, pgrp, …; a zombie (Z) holds no files any more.
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z') out.push(Number(name));
    } catch {} // the process exited while we looked
  }
  return out;
}

/** The workerd processes of process group `pgid` (a local stack's runtimes). */
export function workerdPids(pgid: number): number[] {
  return processGroup(pgid).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'workerd';
    } catch {
      return false;
    }
  });
}

/**
 * The command lines (`ps -eo args`, as any user of the machine sees them) that contain `text`, but for
 * the `ps` itself: e.g. the processes still running on a state folder, or any that shows a secret.
 */
export function commandLinesWith(text: string): string[] {
  const ps = execFileSync('ps', ['-ww', '-eo', 'pid=,args='], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return ps.split('\n').filter((l) => l.includes(text));
}

/** Wait until no command line contains `text`; the ones still there after `timeoutMs`. */
export async function noneLeftWith(text: string, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = commandLinesWith(text);
    if (left.length === 0 || Date.now() > deadline) return left;
    await sleep(100);
  }
}

/**
 * `kill -9` a whole process group (a local stack: wrangler dev, esbuild and workerd), as a crash
 * or an out-of-memory kill would, and wait until none of its processes is left.
 */
export async function killGroup(pgid: number): Promise<void> {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {}
  for (let i = 0; processGroup(pgid).length > 0; i++) {
    if (i > 400) throw new Error(`process group ${pgid} still alive 20 s after SIGKILL`);
    await sleep(50);
  }
}

/**
 * Poll the job until `stop(status)` says so (or it is no longer running): the status that stopped
 * it. `onStatus` sees every answer.
 */
export async function pollJob(
  client: WinnowClient,
  id: string,
  stop: (s: JobStatus) => boolean,
  { everyMs = 50, timeoutMs = 600_000, onStatus = (_s: JobStatus) => {} } = {},
): Promise<JobStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await client.job(id);
    onStatus(s);
    if (s.state !== 'running' || stop(s)) return s;
    if (Date.now() > deadline)
      throw new Error(`job ${id} still running (stage ${s.stage}) after ${timeoutMs / 1000}s`);
    await sleep(everyMs);
  }
}

/** A finished job's output file, as text. */
export async function outputText(client: WinnowClient, id: string, file: string): Promise<string> {
  return new Response(await client.output(id, file)).text();
}
