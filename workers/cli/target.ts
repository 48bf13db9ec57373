import { WinnowClient } from '../../src/client/index.ts';
import { startLocalStack } from './local-stack.ts';
import { parseProviderFlags, providerVars } from './providers.ts';

/** Where a command goes: a deployed instance (`url`, `token`), or the local stack over `state`. */
export interface Target {
  state: string;
  url?: string;
  token?: string;
  quiet?: boolean;
  /** `--provider <name>=<url>[,key=<ENV>]`: model endpoints declared for the local stack. */
  provider?: string[];
}

/** What the CLI says when it stopped a stack that a killed command had left running on the state. */
export const leftoverNote = (pid: number, state: string) =>
  `stopped the local stack (pid ${pid}) that an interrupted command had left running on ${state}`;

export const logger = (t: Pick<Target, 'quiet'>) => (s: string) => {
  if (!t.quiet) process.stderr.write(`${s}\n`);
};

/**
 * Run `fn` with a client for the target. For the local stack, it is started for `fn` (with `vars`)
 * and stopped after, also when the command is interrupted (or wrangler and workerd outlive it).
 */
export async function withClient<T>(
  t: Target,
  fn: (client: WinnowClient) => Promise<T>,
  { vars = {} as Record<string, string> } = {},
): Promise<T> {
  if (!t.url) logger(t)(`starting the local stack (state in ${t.state}) …`);
  const local = t.url
    ? null
    : await startLocalStack(t.state, { vars: { ...providerVars(parseProviderFlags(t.provider)), ...vars } });
  if (local?.leftover) logger(t)(leftoverNote(local.leftover, t.state));
  const interrupted = (signal: NodeJS.Signals) => {
    void (local?.stop() ?? Promise.resolve()).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    return await fn(new WinnowClient({ url: t.url ?? local!.url, token: t.token ?? local!.token }));
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await local?.stop();
  }
}
