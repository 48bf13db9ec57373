import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { type LocalStack, startLocalStack } from '../../workers/cli/local-stack.ts';
import { TEST_MAX_UPLOAD_BYTES } from '../support/limits.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The `wrangler dev` stack the e2e files share (test/e2e/stack.ts reads it). */
    e2eStack: { url: string; token: string };
  }
}

/**
 * One `wrangler dev` stack for the whole e2e tier, started once: a file that only needs a running
 * Worker drives it with `--url`/`--token` (each test on datasets of its own), instead of starting and
 * stopping one per command. Files that restart wrangler on a state directory, or run `winnow serve`,
 * keep their own stacks.
 */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'winnow-e2e-'));
  let stack: LocalStack | undefined;
  try {
    // As an operator with a model server on the same machine would: loopback hosts are allowed, with
    // no secret (the stand-in model servers of model-scorers.test.ts and provider-policy.test.ts).
    // And a test-sized upload limit (test/support/limits.ts), so that a gzip bomb crosses it at once.
    const vars = {
      PROVIDERS: JSON.stringify({ endpoints: {}, allowHosts: ['127.0.0.1'] }),
      MAX_UPLOAD_BYTES: String(TEST_MAX_UPLOAD_BYTES),
    };
    stack = await startLocalStack(join(dir, 'state'), { vars });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  project.provide('e2eStack', { url: stack.url, token: stack.token });
  return async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
