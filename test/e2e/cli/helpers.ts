import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { dataFile } from '../../support/data.ts';
import { sharedStackArgs } from '../stack.ts';

export const ROOT = resolve(import.meta.dirname, '..', '..', '..');
export const ALPACA_9K = dataFile('alpaca-random-9k.json');
export const run = promisify(execFile);

/** `winnow run <input> …args` through the real CLI (local stack under `state`), quietly. */
export function winnowRun(input: string, out: string, state: string, args: string[] = []) {
  const cli = join(ROOT, 'workers/cli/winnow.js');
  return run(process.execPath, [cli, 'run', input, ...args, '--out', out, '--state', state, '--quiet'], {
    cwd: ROOT,
    timeout: 240_000,
  });
}

/** `winnow run <input> …args` through the real CLI against the e2e tier's shared stack, quietly. */
export function winnowRunShared(input: string, out: string, args: string[] = []) {
  const cli = join(ROOT, 'workers/cli/winnow.js');
  return run(process.execPath, [cli, 'run', input, ...args, '--out', out, ...sharedStackArgs(), '--quiet'], {
    cwd: ROOT,
    timeout: 240_000,
  });
}

// biome-ignore lint/suspicious/noExplicitAny: tests read loosely typed JSON lines
export function jsonl(file: string): any[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l)
    .map((l) => JSON.parse(l));
}

/**
 * `winnow run <input> …args --out <out> --state <state>` as its own process group (to be signalled or
 * killed alone), not quiet: on a pipe it logs the job and a line per finished stage.
 */
export function spawnRun(input: string, args: string[], out: string, state: string) {
  const cli = join(ROOT, 'workers/cli/winnow.js');
  const child = spawn(process.execPath, [cli, 'run', input, ...args, '--out', out, '--state', state], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  const waiters: (() => void)[] = [];
  child.stderr!.on('data', (d) => {
    stderr += d;
    for (const w of waiters) w();
  });
  child.stdout!.on('data', (d) => {
    stdout += d;
  });
  const exited = new Promise<number>((ok) => child.on('exit', (code) => ok(code ?? -1)));
  return {
    child,
    exited,
    stderr: () => stderr,
    stdout: () => stdout,
    /** Resolves once stderr matches `re` (rejects if the command exits first). */
    waitFor(re: RegExp): Promise<RegExpMatchArray> {
      return new Promise((ok, fail) => {
        const check = () => {
          const m = stderr.match(re);
          if (m) ok(m);
        };
        waiters.push(check);
        check();
        void exited.then((code) => fail(new Error(`winnow run exited ${code} before ${re}:\n${stderr}`)));
      });
    },
  };
}

/** The line `run` prints on a pipe when `stage` is done. */
export const stageLine = (stage: string) => new RegExp(`^${stage}\\s+\\[#+\\]`, 'm');
/** The line `run` prints when it starts a job. */
export const newJobLine = /^job (j[0-9a-z]+)$/m;
