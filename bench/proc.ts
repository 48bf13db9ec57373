/** Memory readings from /proc (Linux only). */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const KIB_PER_MB = 1024;

function statusField(pid: number | 'self', field: string): number {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = text.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  return m ? Number(m[1]) : 0;
}

/** This process's peak resident set (VmHWM), in MB. */
export function peakRssMb(): number {
  return statusField('self', 'VmHWM') / KIB_PER_MB;
}

/** Parent pid of every process, from /proc/<pid>/stat (field 4, after the `(comm)`). */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(name), Number(rest[1]));
    } catch {} // the process exited while we looked
  }
  return out;
}

/** `root` and all its descendants. */
export function processTree(root: number): number[] {
  const ppid = parents();
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, parent] of ppid) if (parent === tree[i]) tree.push(pid);
  }
  return tree;
}

/** VmRSS of each of `pids`, in MB, by `<pid> <name>`; exited processes are left out. */
export function rssByProcess(pids: number[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pid of pids) {
    try {
      const name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      out[`${pid} ${name}`] = statusField(pid, 'VmRSS') / KIB_PER_MB;
    } catch {} // exited
  }
  return out;
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat (fields 14, 15). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / CLOCK_TICKS;
}
/** USER_HZ: 100 on Linux, whatever the kernel's HZ. */
const CLOCK_TICKS = 100;

export interface TreePeak {
  /** Max over samples of the summed VmRSS (pages shared between processes count once per process). */
  peakMb: number;
  /** CPU seconds each process of the tree had used when last seen, by `<pid> <name>`. */
  cpu: Record<string, number>;
  /** Per-process RSS at that sample. */
  atPeak: Record<string, number>;
  /** Distinct processes seen in the tree. */
  pids: number;
}

/** Sample the RSS of `root`'s process tree every `everyMs` until stopped. */
export function sampleTreeRss(root: number, everyMs = 100): { stop(): TreePeak } {
  const peak: TreePeak = { peakMb: 0, cpu: {}, atPeak: {}, pids: 0 };
  const seen = new Set<number>();
  const tick = () => {
    const tree = processTree(root);
    for (const pid of tree) seen.add(pid);
    const byProcess = rssByProcess(tree);
    for (const name of Object.keys(byProcess))
      try {
        peak.cpu[name] = cpuSeconds(Number(name.split(' ')[0]));
      } catch {} // exited
    const sum = Object.values(byProcess).reduce((a, b) => a + b, 0);
    if (sum > peak.peakMb) Object.assign(peak, { peakMb: sum, atPeak: byProcess });
  };
  tick();
  const timer = setInterval(tick, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return { ...peak, pids: seen.size };
    },
  };
}

export interface ChildRun {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
  timedOut: boolean;
}

/**
 * Run a script in its own Node process (so its peak RSS is its own) and collect its output. After
 * `timeoutS` it gets SIGTERM (a child running wrangler dev stops its process group on it), then
 * SIGKILL `graceS` later.
 */
export function runChild(
  script: string,
  args: string[],
  {
    timeoutS,
    nodeArgs = [],
    graceS = 20,
    cwd,
  }: { timeoutS: number; nodeArgs?: string[]; graceS?: number; cwd?: string },
): Promise<ChildRun> {
  return new Promise<ChildRun>((ok, bad) => {
    const t0 = performance.now();
    const c = spawn(process.execPath, [...nodeArgs, script, ...args], {
      cwd,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    c.stdout.on('data', (d) => {
      stdout += d;
    });
    c.stderr.on('data', (d) => {
      stderr += d;
    });
    c.on('error', bad);
    let kill: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      c.kill('SIGTERM');
      kill = setTimeout(() => c.kill('SIGKILL'), graceS * 1000);
    }, timeoutS * 1000);
    c.on('close', (code) => {
      clearTimeout(timer);
      clearTimeout(kill);
      ok({ code, stdout, stderr, seconds: (performance.now() - t0) / 1000, timedOut });
    });
  });
}
