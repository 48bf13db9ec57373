import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { WinnowClient } from '../../src/client/index.ts';

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
