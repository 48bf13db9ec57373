import { WinnowClient } from '../../src/client/index.ts';
import { parseProviderFlags, providerVars } from './providers.ts';
import { streamingFetch } from './stream-fetch.ts';
import { type SupervisedStack, supervisedStack } from './supervised-stack.ts';

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

/** Always said on stderr, even with --quiet: the stack restarted, or the command stopped early. */
export const say = (s: string) => process.stderr.write(`${s}\n`);

export interface WithClientOptions {
  /** Vars for the local stack (wrangler.toml's [vars]). */
  vars?: Record<string, string>;
  /**
   * What to tell the user when the command stops before `fn` is done (Ctrl-C, SIGTERM, a local stack
   * that could not be restarted): how to pick up the work it leaves, when there is some.
   */
  leftBehind?: () => string | undefined;
}

/**
 * Run `fn` with a client for the target. For the local stack, it is started for `fn` (with `vars`),
 * kept answering (restarted when its runtime dies or hangs: supervised-stack.ts) and stopped after,
 * also when the command is interrupted; a `kill -9` of the command stops it too (stack-watchdog.js).
 */
export async function withClient<T>(
  t: Target,
  fn: (client: WinnowClient) => Promise<T>,
  { vars = {}, leftBehind = () => undefined }: WithClientOptions = {},
): Promise<T> {
  // The handlers are installed before the stack starts: a Ctrl-C while it starts stops what was spawned
  // (wrangler, esbuild, workerd) before the command exits, rather than leaving it to the watchdog.
  const starting = new AbortController();
  let local: SupervisedStack | null = null;
  let signalled: NodeJS.Signals | null = null;
  const code = () => (signalled === 'SIGINT' ? 130 : 143);
  // A second Ctrl-C finds no handler and ends the process at once; the watchdog stops the stack.
  const interrupted = (signal: NodeJS.Signals) => {
    signalled = signal;
    const note = leftBehind();
    say(`\ninterrupted${t.url ? '' : ': stopping the local stack'}${note ? `; ${note}` : ''}`);
    // While the stack starts, its start stops it and rejects; the command exits there.
    if (!t.url && !local) return starting.abort();
    void (local?.stop() ?? Promise.resolve()).finally(() => process.exit(code()));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  if (!t.url) {
    logger(t)(`starting the local stack (state in ${t.state}) …`);
    try {
      local = await supervisedStack(t.state, {
        vars: { ...providerVars(parseProviderFlags(t.provider)), ...vars },
        say,
        signal: starting.signal,
      });
    } catch (e) {
      if (signalled) process.exit(code());
      process.off('SIGINT', interrupted);
      process.off('SIGTERM', interrupted);
      throw e;
    }
    if (signalled) {
      // Interrupted as the start ended: the handler found no stack to stop.
      await local.stop();
      process.exit(code());
    }
    if (local.leftover) logger(t)(leftoverNote(local.leftover, t.state));
  }
  try {
    // Locally, the stack's own token: a $WINNOW_TOKEN meant for a deployed instance is not sent to it.
    const client = new WinnowClient(
      local
        ? { url: local.url, token: local.token, fetch: local.fetch }
        : { url: t.url!, token: t.token!, fetch: streamingFetch },
    );
    if (!local) return await fn(client);
    return await Promise.race([
      fn(client),
      local.failed.then((e) => {
        const note = leftBehind();
        throw new Error(note ? `${e.message}\n${note}` : e.message);
      }),
    ]);
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await local?.stop();
  }
}
