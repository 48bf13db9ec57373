import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's root (where wrangler.toml is): from a clone, or from the bundled CLI of an installed package. */
export const ROOT = packageRoot(dirname(fileURLToPath(import.meta.url)));

function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'wrangler.toml')) && existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no wrangler.toml above ${from}: is the package whole?`);
  }
}

export interface LocalStack {
  url: string;
  token: string;
  log: string;
  /** The pid of the stack's watchdog, which leads its process group (watchdog, wrangler, esbuild, workerd). */
  pid: number;
  /** Settles with wrangler's exit code (passed on by its watchdog) when it exits, -1 if the watchdog was killed. */
  exited: Promise<number>;
  /** Stop the whole process group: SIGTERM, then SIGKILL after `graceMs`; resolves once it is gone. */
  stop(opts?: { graceMs?: number }): Promise<void>;
  /** The pid of a stack a killed command had left running on this state, stopped before this one started. */
  leftover?: number;
}

export interface LocalStackOptions {
  timeoutMs?: number;
  /**
   * Values for vars the config declares (`[vars]` in wrangler.toml), for this start. They reach
   * wrangler in its environment, never on its command line: other users can read a command line
   * (`ps`), not another user's environment.
   */
  vars?: Record<string, string>;
  port?: number;
  /** The wrangler config file, the repository's wrangler.toml unless a test names its own. */
  config?: string;
  /** The API token (default: a fresh random one), passed like `vars`. */
  token?: string;
  /** Called each time wrangler reports that the runtime crashed (and that it restarts it). */
  onCrash?: () => void;
  /** The DevTools inspector's port (default: any free one), for profiling (bench/profile-stack.ts). */
  inspectorPort?: number;
  /**
   * Aborts the start (the command was interrupted): what was spawned is stopped, and the start rejects
   * with an `InterruptedStart`.
   */
  signal?: AbortSignal;
}

/** The start of the local stack was aborted (`signal`); nothing it spawned is left running. */
export class InterruptedStart extends Error {
  constructor() {
    super('the local stack was being started when the command was interrupted');
  }
}

/**
 * `<state>/stack.json`: the running stack's pid (its process group), the command that owns it, and its
 * port (workerd's own command line names it, when wrangler, which names the state, is gone).
 */
const STACK_FILE = 'stack.json';

/** What wrangler logs when workerd died under it; the runtime it starts in its place has lost its queues. */
const CRASH_LINE = /The Workers runtime crashed unexpectedly/;
/** wrangler colours its output. */
const ANSI = /\x1b\[[0-9;]*m/g;

const WATCHDOG = join(ROOT, 'workers', 'cli', 'stack-watchdog.js');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Proc {
  pid: number;
  ppid: number;
  args: string;
}

/** Every live process with its group (a zombie no longer counts: it holds no files or ports); null without `ps`. */
function liveProcesses(): (Proc & { pgid: number })[] | null {
  const ps = spawnSync('ps', ['-A', '-ww', '-o', 'pid=,pgid=,ppid=,stat=,args='], { encoding: 'utf8' });
  if (ps.status !== 0) return null;
  return ps.stdout.split('\n').flatMap((line) => {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line);
    if (!m || m[4].startsWith('Z')) return [];
    return [{ pid: Number(m[1]), pgid: Number(m[2]), ppid: Number(m[3]), args: m[5] }];
  });
}

/** The live processes of group `pgid`. */
function groupProcesses(pgid: number): Proc[] {
  const all = liveProcesses();
  if (all === null) {
    try {
      process.kill(-pgid, 0);
      return [{ pid: pgid, ppid: 0, args: '' }];
    } catch {
      return [];
    }
  }
  return all.filter((p) => p.pgid === pgid);
}

/** SIGTERM a process group, SIGKILL it `graceMs` later if it is still there; resolves once it is gone. */
async function stopGroup(pgid: number, graceMs = 5000): Promise<void> {
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-pgid, s);
    } catch {}
  };
  signal('SIGTERM');
  for (let waited = 0; groupProcesses(pgid).length > 0; waited += 100) {
    if (waited === graceMs) signal('SIGKILL');
    if (waited > graceMs + 10_000) throw new Error(`the local stack (pid ${pgid}) does not stop`);
    await sleep(100);
  }
}

/**
 * A stack dies with the command that started it (stack-watchdog.js), but not at once: a command run
 * right after a `kill -9`, or after its watchdog was killed too, can find it still holding the state.
 * When `<state>/stack.json` names such a stack, processes of its group running on this state while
 * the command that started it is gone, stop it and return its pid. A stack whose command still runs
 * is left alone, as is a process group now used by another program.
 */
async function stopLeftover(state: string): Promise<number | undefined> {
  const file = join(state, STACK_FILE);
  let rec: { pid?: unknown; owner?: unknown; port?: unknown };
  try {
    rec = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  const pid = Number(rec.pid);
  const group = Number.isInteger(pid) && pid > 0 ? groupProcesses(pid) : [];
  // wrangler's command line names the state; once wrangler has died, the workerd it left names the port.
  const onState = (p: Proc) => p.args.includes(resolve(state, 'wrangler'));
  const ours = (p: Proc) =>
    onState(p) ||
    (Number.isInteger(rec.port) && p.args.includes(`--socket-addr=entry=127.0.0.1:${rec.port} `));
  if (!group.some(ours)) {
    rmSync(file, { force: true }); // gone, or the group is another program's now
    // A stack on this state whose group lost its leader (the watchdog) is a leftover all the same,
    // whatever stack.json says: stop it, so that two runtimes never share the state.
    const all = liveProcesses() ?? [];
    const orphan = all.find((p) => onState(p) && !all.some((q) => q.pid === p.pgid));
    if (!orphan) return undefined;
    await stopGroup(orphan.pgid);
    return orphan.pgid;
  }
  if (group.some((p) => p.pid === pid && p.ppid === Number(rec.owner))) return undefined;
  await stopGroup(pid);
  rmSync(file, { force: true });
  return pid;
}

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => ok(port));
    });
  });
}

/**
 * Start the Worker on the real Workers runtime (workerd through `wrangler dev`), with R2, Queues
 * and Durable Objects emulated locally and persisted under `state`. Resolves once /v1/health answers.
 * The stack runs under a watchdog that stops it when this process exits, however it exits.
 *
 * Without a `port`, a free one is picked; another program can take it between the pick and wrangler's
 * bind (two stacks starting at once), so a start refused with `Address already in use` is tried again
 * on new ports, up to 3 times.
 */
export async function startLocalStack(state: string, options: LocalStackOptions = {}): Promise<LocalStack> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(state, options);
    } catch (e) {
      const taken = e instanceof Error && /Address already in use/.test(e.message);
      if (!taken || options.port || attempt === 3 || options.signal?.aborted) throw e;
    }
  }
}

async function startOnce(
  state: string,
  {
    timeoutMs = 90_000,
    vars = {},
    port = 0,
    config = join(ROOT, 'wrangler.toml'),
    token = randomBytes(16).toString('hex'),
    onCrash,
    inspectorPort,
    signal,
  }: LocalStackOptions,
): Promise<LocalStack> {
  mkdirSync(state, { recursive: true });
  const leftover = await stopLeftover(state);
  port ||= await freePort();
  if (signal?.aborted) throw new InterruptedStart();
  const log = join(state, 'wrangler.log');
  const out = createWriteStream(log, { flags: 'a' });
  // Wherever npm put it: in the package's node_modules, or hoisted into a project's.
  const wrangler = join(
    dirname(createRequire(join(ROOT, 'package.json')).resolve('wrangler/package.json')),
    'bin',
    'wrangler.js',
  );
  const args = [
    WATCHDOG,
    wrangler,
    'dev',
    '--config',
    config,
    '--persist-to',
    resolve(state, 'wrangler'),
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--inspector-port',
    String(inspectorPort ?? (await freePort())),
    '--show-interactive-dev-session=false',
    '--log-level',
    'warn',
  ];
  // wrangler.toml declares API_TOKEN a required secret, so wrangler reads it, and the declared vars,
  // from its environment (its own process's, which only this user can read).
  const env: Record<string, string | undefined> = {
    ...process.env,
    WRANGLER_SEND_METRICS: 'false',
    WRANGLER_HIDE_BANNER: 'true',
    WRANGLER_NO_SKILLS_UPDATE_PROMPTS: 'true',
    CI: 'true',
    API_TOKEN: token,
    // What was queued or leased before this start went down with the previous process (wrangler.toml).
    STACK_STARTED: String(Date.now()),
    ...vars,
  };
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    env: env as NodeJS.ProcessEnv, // worker-configuration.d.ts types the vars as the [vars] defaults
    // stdin: the pipe whose end tells the watchdog that this process is gone.
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  let tail = '';
  /** wrangler's last error line (`✘ [ERROR] Address already in use …`), to say why a start failed. */
  let lastError = '';
  const watch = (chunk: Buffer) => {
    tail = (tail + chunk.toString().replace(ANSI, '')).slice(-2000);
    lastError = [...tail.matchAll(/\[ERROR\] ([^\n]+)/g)].at(-1)?.[1].trim() ?? lastError;
    if (!CRASH_LINE.test(tail)) return;
    tail = '';
    onCrash?.();
  };
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', watch);
    stream?.pipe(out, { end: false });
  }
  child.on('close', () => out.end());
  child.stdin?.on('error', () => {}); // the watchdog gone: nothing is ever written to it
  const stackFile = join(state, STACK_FILE);
  writeFileSync(stackFile, `${JSON.stringify({ pid: child.pid, owner: process.pid, port })}\n`);
  const forget = () => {
    try {
      if (JSON.parse(readFileSync(stackFile, 'utf8')).pid === child.pid) rmSync(stackFile);
    } catch {}
  };
  let exited: number | null = null;
  const exitedPromise = new Promise<number>((ok) =>
    child.on('exit', (code) => {
      exited = code ?? -1;
      forget();
      ok(exited);
    }),
  );
  const stop = async ({ graceMs = 5000 } = {}) => {
    if (child.pid === undefined) return;
    await stopGroup(child.pid, graceMs);
    if (exited === null) await exitedPromise;
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (signal?.aborted) {
      await stop();
      throw new InterruptedStart();
    }
    if (exited !== null) {
      await stop();
      throw new Error(
        `wrangler dev exited with code ${exited}${lastError ? ` (${lastError})` : ''}; see ${log}`,
      );
    }
    try {
      // Bounded: another program on the port may take the connection and never answer.
      const timeout = AbortSignal.timeout(3000);
      const res = await fetch(`${url}/v1/health`, {
        signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
      });
      if (res.ok && !signal?.aborted)
        return {
          url,
          token,
          log,
          pid: child.pid!,
          exited: exitedPromise,
          stop,
          ...(leftover ? { leftover } : {}),
        };
    } catch {}
    await sleep(250);
  }
  await stop();
  throw new Error(`the local stack did not start within ${timeoutMs / 1000}s; see ${log}`);
}

/**
 * Fire the Worker's scheduled() handler as a Cron Trigger would: `wrangler dev` never fires Cron
 * Triggers by itself. `time` (ms since the epoch) is the controller's scheduledTime, default now.
 * (Wrangler 4 serves this at /cdn-cgi/local/scheduled and still answers the older path used here.)
 */
export async function fireCron(
  url: string,
  { cron = '* * * * *', time }: { cron?: string; time?: number } = {},
): Promise<void> {
  const query = new URLSearchParams({ cron });
  if (time !== undefined) query.set('time', String(time));
  const res = await fetch(`${url}/cdn-cgi/handler/scheduled?${query}`);
  const text = await res.text();
  if (!res.ok) throw new Error(`the scheduled handler failed: ${res.status} ${text.trim().slice(0, 300)}`);
}
