import { type LocalStack, type LocalStackOptions, startLocalStack } from './local-stack.ts';
import { streamingFetch } from './stream-fetch.ts';

/** Whether the stack at `url` answers its health check within 2 s. */
export async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/v1/health`, { signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

export interface SupervisedStack {
  /** The same URL and token across restarts: clients are not cut off. */
  url: string;
  token: string;
  log: string;
  /** The running stack's pid (its process group); a restart changes it. */
  readonly pid: number;
  /** How many times the stack was restarted. */
  readonly restarts: number;
  /** Settles, with the reason, when the stack cannot be restarted: supervision has given up. */
  failed: Promise<Error>;
  /**
   * `fetch` for the stack's clients that rides out a restart: a GET that finds no runtime (no
   * connection, or a 5xx while the stack is in trouble) is sent again once the stack answers.
   */
  fetch: typeof fetch;
  stop(): Promise<void>;
  /** As LocalStack.leftover, for the first start. */
  leftover?: number;
}

export interface SupervisedStackOptions extends Omit<LocalStackOptions, 'onCrash'> {
  /** Where the one line per restart goes. */
  say?: (line: string) => void;
  /** Poll /v1/health this often (ms). */
  everyMs?: number;
  /**
   * Restart when /v1/health has not answered for this long (ms). A crash is seen at once (wrangler
   * reports it, or exits), so this only catches a runtime that hangs silently; it is longer than a
   * busy runtime takes to answer (one isolate runs both the API and a task's CPU-bound work).
   */
  hangMs?: number;
  /** Give up after this many failed restarts in a row (a start that fails, or a stack that dies within `stableMs`). */
  maxFailures?: number;
  stableMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * The local stack, kept answering. After `kill -9` of workerd, wrangler starts a new runtime that
 * has lost its queues and may never answer again; so when the runtime crashes, wrangler exits, or
 * /v1/health stops answering, the stack is stopped and started again on the same state, port and
 * token, with a new STACK_STARTED, which has every job's coordinator re-send its lost work at once.
 * After `maxFailures` failed restarts in a row, `failed` settles and the stack is left stopped.
 */
export async function supervisedStack(
  state: string,
  {
    say = () => {},
    everyMs = 1000,
    hangMs = 60_000,
    maxFailures = 3,
    stableMs = 30_000,
    ...opts
  }: SupervisedStackOptions = {},
): Promise<SupervisedStack> {
  let current: LocalStack;
  let stopping = false;
  let restarts = 0;
  let giveUp: (e: Error) => void = () => {};
  const failed = new Promise<Error>((ok) => (giveUp = ok));
  /** Why the running stack must be restarted (set once per stack; the monitor acts on it). */
  let trouble: string | null = null;
  // Only the first start is the command's to abort: a restart is stopped by stop().
  const { signal, ...restartOpts } = opts;
  const launch = async (port?: number, first = false) => {
    const stack: LocalStack = await startLocalStack(state, {
      ...restartOpts,
      ...(first && signal ? { signal } : {}),
      ...(port ? { port } : {}),
      onCrash: () => {
        if (stack === current) trouble ??= 'its runtime crashed';
      },
    });
    void stack.exited.then((code) => {
      if (stack === current) trouble ??= code === -1 ? 'it was killed' : `wrangler exited with code ${code}`;
    });
    return stack;
  };
  current = await launch(opts.port, true);
  const url = current.url;
  const port = Number(new URL(url).port);
  const token = current.token;
  restartOpts.token = token;

  /** Stop the stack and start it again; after `maxFailures` starts that fail in a row, give up. */
  const restart = async (why: string, failures: number): Promise<number> => {
    const t0 = Date.now();
    say(
      `the local stack stopped working (${why}): restarting it on ${url} (restart ${restarts + 1}; log: ${current.log})`,
    );
    await current.stop({ graceMs: 2000 });
    for (;;) {
      if (stopping) throw new Error('stopped');
      try {
        current = await launch(port);
        restarts++;
        trouble = null;
        say(`the local stack answers again on ${url}, ${secs(Date.now() - t0)} after the restart began`);
        return failures;
      } catch (e) {
        failures++;
        if (failures >= maxFailures || stopping) throw e;
        say(`the local stack did not start again (${(e as Error).message}); trying again`);
        await sleep(1000 * failures);
      }
    }
  };

  const monitor = async () => {
    let lastOk = Date.now();
    let refused = 0;
    let failures = 0;
    let restartedAt = 0;
    while (!stopping) {
      await sleep(everyMs);
      if (stopping) return;
      if (!trouble) {
        try {
          const res = await fetch(`${url}/v1/health`, { signal: AbortSignal.timeout(5000) });
          await res.body?.cancel();
          if (res.ok) {
            lastOk = Date.now();
            refused = 0;
            if (restartedAt && lastOk - restartedAt > stableMs) failures = 0;
          }
        } catch (e) {
          // Nothing listens on the port: the runtime that serves it is gone.
          if ((e as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED') refused++;
        }
        if (refused >= 3) trouble = 'it refuses connections';
        else if (Date.now() - lastOk > hangMs)
          trouble = `it has not answered for ${secs(Date.now() - lastOk)}`;
      }
      if (!trouble || stopping) continue;
      // A stack that needs restarting soon after the last restart counts as a failed restart.
      if (restartedAt && Date.now() - restartedAt < stableMs) failures++;
      try {
        restarting = restart(trouble, failures);
        failures = await restarting;
      } catch (e) {
        if (stopping) return;
        giveUp(
          new Error(
            `the local stack stopped working (${trouble}) and could not be restarted (${maxFailures} tries in a row): ${(e as Error).message}`,
          ),
        );
        return;
      }
      if (failures >= maxFailures) {
        await current.stop();
        giveUp(
          new Error(
            `the local stack failed ${failures} times in a row soon after a restart; see ${current.log}`,
          ),
        );
        return;
      }
      restarting = null;
      restartedAt = lastOk = Date.now();
      refused = 0;
    }
  };
  let restarting: Promise<number> | null = null;
  let gaveUp: Error | null = null;
  void monitor();
  void failed.then((e) => (gaveUp = e));

  const healthy = () => answers(url);
  /** Resolves once the stack answers and no restart is due; throws once supervision has given up. */
  const ready = async () => {
    for (const deadline = Date.now() + hangMs + 120_000; Date.now() < deadline; ) {
      if (gaveUp) throw gaveUp;
      if (restarting) await restarting.catch(() => {});
      else if (!trouble && (await healthy())) return;
      else await sleep(250);
    }
    throw new Error(`the local stack has not answered for ${secs(hangMs + 120_000)}; see ${current.log}`);
  };
  const retrying: typeof fetch = async (input, init) => {
    const method = (init?.method ?? 'GET').toUpperCase();
    for (let attempt = 1; ; attempt++) {
      const last = method !== 'GET' || attempt === 5;
      try {
        const res = await streamingFetch(input, init);
        if (last || res.status < 500 || (!trouble && !restarting && (await healthy()))) return res;
        await res.body?.cancel();
      } catch (e) {
        if (last) throw e;
      }
      await ready();
    }
  };

  return {
    url,
    token,
    log: current.log,
    get pid() {
      return current.pid;
    },
    get restarts() {
      return restarts;
    },
    failed,
    fetch: retrying,
    async stop() {
      stopping = true;
      await restarting?.catch(() => {});
      await current.stop();
    },
    ...(current.leftover ? { leftover: current.leftover } : {}),
  };
}
