import { execFile } from 'node:child_process';
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
