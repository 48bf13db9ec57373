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
  /** wrangler's pid, which leads the process group of the stack (wrangler, esbuild, workerd). */
  pid: number;
  /** Settles with wrangler's exit code when it exits (stopped, or crashed). */
  exited: Promise<number>;
  stop(): Promise<void>;
  /** The pid of a stack a killed command had left running on this state, stopped before this one started. */
  leftover?: number;
}

/** `<state>/stack.json`: the running stack's pid (its process group) and the command that owns it. */
const STACK_FILE = 'stack.json';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Some process of group `pgid` is alive (a zombie no longer counts: it holds no files or ports). */
function groupAlive(pgid: number): boolean {
  const ps = spawnSync('ps', ['-A', '-o', 'pgid=,stat='], { encoding: 'utf8' });
  if (ps.status !== 0) {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  }
  return ps.stdout.split('\n').some((line) => {
    const [group, stat] = line.trim().split(/\s+/);
    return Number(group) === pgid && !stat?.startsWith('Z');
  });
}

/** SIGTERM a process group, SIGKILL it 5 s later if it is still there; resolves once it is gone. */
async function stopGroup(pgid: number): Promise<void> {
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-pgid, s);
    } catch {}
  };
  signal('SIGTERM');
  for (let waited = 0; groupAlive(pgid); waited += 100) {
    if (waited === 5000) signal('SIGKILL');
    if (waited > 15_000) throw new Error(`the local stack left running (pid ${pgid}) does not stop`);
    await sleep(100);
  }
}

/**
 * A command killed with SIGKILL cannot stop its stack (wrangler runs in a process group of its own),
 * which goes on holding the state. When `<state>/stack.json` names such a stack, wrangler still
 * running on this state while the command that started it is gone, stop it and return its pid. A
 * stack whose command still runs is left alone, as is a pid now used by another program.
 */
async function stopLeftover(state: string): Promise<number | undefined> {
  const file = join(state, STACK_FILE);
  let rec: { pid?: unknown; owner?: unknown };
  try {
    rec = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  const pid = Number(rec.pid);
  const ps = Number.isInteger(pid)
    ? spawnSync('ps', ['-ww', '-o', 'ppid=,args=', '-p', String(pid)], { encoding: 'utf8' })
    : null;
  const [, ppid, args] = ps?.status === 0 ? (/^\s*(\d+)\s+(.*)$/s.exec(ps.stdout) ?? []) : [];
  if (args === undefined || !args.includes(resolve(state, 'wrangler'))) {
    rmSync(file, { force: true }); // gone, or the pid is another program's now
    return undefined;
  }
  if (Number(ppid) === Number(rec.owner)) return undefined;
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
 * `config` is the wrangler config file, the repository's wrangler.toml unless a test names its own.
 */
export async function startLocalStack(
  state: string,
  {
    timeoutMs = 90_000,
    vars = {} as Record<string, string>,
    port = 0,
    config = join(ROOT, 'wrangler.toml'),
  } = {},
): Promise<LocalStack> {
  mkdirSync(state, { recursive: true });
  const leftover = await stopLeftover(state);
  port ||= await freePort();
  const token = randomBytes(16).toString('hex');
  const log = join(state, 'wrangler.log');
  const out = createWriteStream(log, { flags: 'a' });
  // Wherever npm put it: in the package's node_modules, or hoisted into a project's.
  const wrangler = join(
    dirname(createRequire(join(ROOT, 'package.json')).resolve('wrangler/package.json')),
    'bin',
    'wrangler.js',
  );
  const args = [
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
    String(await freePort()),
    '--var',
    `API_TOKEN:${token}`,
    // What was queued or leased before this start went down with the previous process (wrangler.toml).
    ...Object.entries({ STACK_STARTED: String(Date.now()), ...vars }).flatMap(([k, v]) => [
      '--var',
      `${k}:${v}`,
    ]),
    '--show-interactive-dev-session=false',
    '--log-level',
    'warn',
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: 'false',
      WRANGLER_HIDE_BANNER: 'true',
      WRANGLER_NO_SKILLS_UPDATE_PROMPTS: 'true',
      CI: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  const stackFile = join(state, STACK_FILE);
  writeFileSync(stackFile, `${JSON.stringify({ pid: child.pid, owner: process.pid })}\n`);
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
  const stop = async () => {
    if (exited !== null || child.pid === undefined) return;
    const done = new Promise((ok) => child.once('exit', ok));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {}
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {}
    }, 5000);
    await done;
    clearTimeout(timer);
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited !== null) throw new Error(`wrangler dev exited with code ${exited}; see ${log}`);
    try {
      const res = await fetch(`${url}/v1/health`);
      if (res.ok)
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
    await new Promise((r) => setTimeout(r, 250));
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
