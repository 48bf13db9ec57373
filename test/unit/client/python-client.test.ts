import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..', '..', '..');

describe("the Python client's pure helpers, with the machine's python3", () => {
  it('maps error bodies to typed errors, quotes path segments, words progress, and parses as Python 3.9', async () => {
    const { stderr } = await run('python3', [
      '-B',
      join(import.meta.dirname, 'python_client_test.py'),
      join(ROOT, 'src/client/python'),
    ]).catch((e: { stderr?: string; message: string }) => {
      throw new Error(`python3 failed: ${e.stderr || e.message}`);
    });
    expect(stderr).toMatch(/\nOK\n$/);
  });
});
