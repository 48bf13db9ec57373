/**
 * How long `winnow serve` takes to answer again after `kill -9` of its workerd processes (both
 * runtimes: the one serving the port and the Worker's), as a crash or the out-of-memory killer would
 * do it. serve watches its stack and starts it again on the same state, port and token.
 *
 *   node bench/recovery.ts [--tries 5] [--gap 35]
 *
 * `--gap`: seconds between tries (serve gives up after 3 failed restarts within 30 s of each other,
 * so tries closer than that test the give-up, not the recovery). Writes bench/out/recovery.md and
 * recovery.json. See bench/README.md.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { noneLeftWith, workerdPids } from '../test/support/crash.ts';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench', 'out');
const CLI = join(ROOT, 'workers', 'cli', 'winnow.js');
const { values } = parseArgs({
  options: { tries: { type: 'string', default: '5' }, gap: { type: 'string', default: '35' } },
});
const tries = Number(values.tries);
const gapMs = Number(values.gap) * 1000;
const note = (s: string) => process.stderr.write(`${s}\n`);
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

async function healthy(url: string, token: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/v1/datasets`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(2000),
    });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'winnow-recovery-'));
const state = join(tmp, 'state');
const serve = spawn(process.execPath, [CLI, 'serve', '--state', state], { cwd: ROOT });
let out = '';
let err = '';
serve.stdout.on('data', (d) => (out += d));
serve.stderr.on('data', (d) => (err += d));
const seconds: number[] = [];
try {
  for (let i = 0; !/^token {2}\S+$/m.test(out); i++) {
    if (i > 1800 || serve.exitCode !== null) throw new Error(`serve did not start:\n${err}`);
    await sleep(100);
  }
  const url = out.match(/^url {4}(\S+)$/m)![1];
  const token = out.match(/^token {2}(\S+)$/m)![1];
  for (let t = 1; t <= tries; t++) {
    const pgid = JSON.parse(readFileSync(join(state, 'stack.json'), 'utf8')).pid as number;
    const pids = workerdPids(pgid);
    if (pids.length === 0) throw new Error(`no workerd in the stack's process group ${pgid}`);
    const t0 = performance.now();
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    // The same URL and token: a 200 to an authenticated route, not only a health check.
    while (!(await healthy(url, token))) {
      if (performance.now() - t0 > 600_000) throw new Error(`no answer 600 s after the kill:\n${err}`);
      if (serve.exitCode !== null) throw new Error(`serve exited ${serve.exitCode}:\n${err}`);
      await sleep(100);
    }
    const s = (performance.now() - t0) / 1000;
    seconds.push(s);
    note(`  try ${t}: killed ${pids.length} workerd, answered again after ${s.toFixed(1)} s`);
    if (t < tries) await sleep(gapMs);
  }
} finally {
  serve.kill('SIGTERM');
  await noneLeftWith(state, 20_000);
  rmSync(tmp, { recursive: true, force: true });
}
const sorted = [...seconds].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
const md = [
  "| case | before (issue #24's probe; main before the fix, one try) | after (median of tries) | tries, s |",
  '|---|---|---|---|',
  `| \`kill -9\` of workerd under \`winnow serve\`: time until the API answers again (same URL and token) | 4.5–14 min; 468 s | ${median.toFixed(1)} s | ${seconds.map((s) => s.toFixed(1)).join(', ')} |`,
].join('\n');
process.stdout.write(`${md}\n`);
mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'recovery.md'), `${md}\n`);
writeFileSync(
  join(OUT, 'recovery.json'),
  `${JSON.stringify({ date: new Date().toISOString(), tries, gapMs, seconds, median }, null, 2)}\n`,
);
