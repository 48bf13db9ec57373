import { randomBytes } from 'node:crypto';
import { expect, inject } from 'vitest';
import type { RecipeInput } from '../../schemas/recipe.ts';
import { WinnowClient } from '../../src/client/index.ts';
import { pollJob } from '../support/crash.ts';

/** The shared `wrangler dev` stack of the e2e tier (test/e2e/global-setup.ts): its url and token. */
export function sharedStack(): { url: string; token: string } {
  return inject('e2eStack');
}

/** A client of the shared stack. */
export function sharedClient(): WinnowClient {
  return new WinnowClient(sharedStack());
}

/** `--url <shared stack> --token <its token>`, for the CLI. */
export function sharedStackArgs(): string[] {
  const { url, token } = sharedStack();
  return ['--url', url, '--token', token];
}

/** A name no other test uses (datasets, pair sets), so tests on the shared stack stay independent. */
export function unique(name: string): string {
  return `${name}-${randomBytes(4).toString('hex')}`;
}

/**
 * The uninterrupted run a crash test compares with: `data` as dataset `name` on the shared stack, a
 * job with `recipe`, waited for. Its client and job id, once the job is done.
 */
export async function uninterruptedJob(name: string, data: Uint8Array, recipe: RecipeInput) {
  const client = sharedClient();
  await client.uploadDataset(name, data);
  const { id } = await client.createJob(name, recipe);
  expect((await pollJob(client, id, () => false, { everyMs: 250 })).state).toBe('done');
  return { client, id };
}
