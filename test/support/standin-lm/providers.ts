import { createProviders } from '../../../src/providers/index.ts';
import type { ProviderSet } from '../../../src/providers/types.ts';
import type { Standin } from './server.ts';

/** The recipe provider `lm` pointed at a running stand-in server, 8 requests at a time. */
export function standinProviders(lm: Standin): ProviderSet {
  return createProviders(
    { lm: { kind: 'openai', baseUrl: lm.url, model: lm.modelName, concurrency: 8 } },
    { fetch, secrets: {} },
  );
}
