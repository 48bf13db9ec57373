/**
 * The `workers/<config>` child of bench/pairs.ts: a pairs job on the local Workers stack (wrangler dev +
 * workerd, fresh state), with the stack's process tree sampled for memory by phase.
 */
import { createReadStream, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { JobStatus } from '../schemas/api.ts';
import type { Report } from '../schemas/output.ts';
import type { LocalStack } from '../workers/cli/local-stack.ts';
import { type ChildResult, CONFIGS, configOfRun, indicesOf, OUT, rssMb, writeIdx } from './pairs-runs.ts';
import { processTree, rssByProcess } from './proc.ts';

/** RSS of this process's descendants (the stack: wrangler's node and workerd), sampled, by phase. */
function stackSampler(everyMs = 100) {
  const self = process.pid;
  let phase = 'start';
  const phases: Record<string, { peakMb: number; atPeak: Record<string, number> }> = {};
  let driverPeakMb = 0;
  const seen = new Set<number>();
  const tick = () => {
    const tree = processTree(self).filter((p) => p !== self);
    for (const p of tree) seen.add(p);
    const by = rssByProcess(tree);
    const sum = Object.values(by).reduce((a, b) => a + b, 0);
    const ph = (phases[phase] ??= { peakMb: 0, atPeak: {} });
    if (sum > ph.peakMb) Object.assign(ph, { peakMb: sum, atPeak: by });
    driverPeakMb = Math.max(driverPeakMb, rssMb());
  };
  const timer = setInterval(tick, everyMs);
  return {
    phase(name: string) {
      tick();
      phase = name;
      tick();
    },
    stop() {
      tick();
      clearInterval(timer);
      const peak = Object.values(phases).reduce((a, p) => (p.peakMb > a.peakMb ? p : a), {
        peakMb: 0,
        atPeak: {},
      });
      return { phases, peakMb: peak.peakMb, atPeak: peak.atPeak, driverPeakMb, pids: seen.size };
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function childWorkers(
  run: string,
  file: string,
  idx: string,
  keepState: boolean,
): Promise<ChildResult> {
  const config = configOfRun(run);
  const { startLocalStack } = await import('../workers/cli/local-stack.ts');
  const state = join(OUT, `pairs-state-${config}`);
  rmSync(state, { recursive: true, force: true });
  const sampler = stackSampler();
  let stack: LocalStack | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    void (stack?.stop() ?? Promise.resolve()).finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  const t0 = performance.now();
  try {
    stack = await startLocalStack(state, { timeoutMs: 180_000 });
    const api = async (method: string, path: string, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${stack!.token}`);
      const res = await fetch(`${stack!.url}${path}`, { ...init, method, headers });
      if (!res.ok) {
        const body = await res.text();
        throw Object.assign(new Error(`${method} ${path}: ${res.status} ${body.slice(0, 500)}`), {
          status: res.status,
        });
      }
      return res;
    };
    const t1 = performance.now();
    sampler.phase('upload');
    // Streamed, as the CLI does (workers/http/upload.ts stores it in 8 MiB multipart parts).
    const size = statSync(file).size;
    const dataset = 'traj-bench';
    await api('PUT', `/v1/datasets/${dataset}`, {
      body: Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
      duplex: 'half',
    } as RequestInit);
    const t2 = performance.now();
    sampler.phase('job');
    const recipe = CONFIGS[config];
    const { id } = (await (
      await api('POST', '/v1/jobs', {
        body: JSON.stringify({ dataset, recipe: { pairs: recipe } }),
        headers: { 'content-type': 'application/json' },
      })
    ).json()) as { id: string };
    let status: JobStatus;
    for (;;) {
      status = (await (await api('GET', `/v1/jobs/${id}`)).json()) as JobStatus;
      if (status.state !== 'running') break;
      await sleep(200);
    }
    const t3 = performance.now();
    if (status.state !== 'done')
      throw new Error(`job ${id} ${status.state}: ${status.error ?? 'no reason given'} (log: ${stack.log})`);
    sampler.phase('download');
    const report = (await (await api('GET', `/v1/jobs/${id}/outputs/report.json`)).json()) as Report;
    let jsonl: string;
    try {
      jsonl = await (await api('GET', `/v1/jobs/${id}/outputs/pairs.jsonl`)).text();
    } catch (e) {
      if ((e as { status?: number }).status === 404)
        throw new Error(
          `GET /v1/jobs/${id}/outputs/pairs.jsonl answered 404: this checkout's Worker does not serve pairs ` +
            `jobs' pairs.jsonl yet (${(e as Error).message})`,
        );
      throw e;
    }
    const t4 = performance.now();
    const pairs = indicesOf(jsonl);
    writeIdx(idx, pairs);
    const mem = sampler.stop();
    await stack.stop();
    stack = undefined;
    if (!keepState) rmSync(state, { recursive: true, force: true });
    return {
      run,
      mode: 'workers',
      config,
      rollouts: report.counts.input,
      seconds: (t3 - t2) / 1000,
      span: 'POST /v1/jobs until GET /v1/jobs/:id says done (polled every 200 ms)',
      pairs: report.pairs!.pairs,
      lines: pairs.length,
      peakRssMb: mem.peakMb,
      timings: {
        stackStart: (t1 - t0) / 1000,
        upload: (t2 - t1) / 1000,
        job: (t3 - t2) / 1000,
        download: (t4 - t3) / 1000,
      },
      stages: Object.fromEntries(Object.entries(report.stages).map(([s, v]) => [s, v.seconds])),
      pipelineSeconds: report.seconds,
      report: report.pairs!,
      budget: report.budget,
      memory: {
        byPhase: Object.fromEntries(Object.entries(mem.phases).map(([p, v]) => [p, v.peakMb])),
        atPeak: mem.atPeak,
        jobAtPeak: mem.phases.job?.atPeak,
        driverPeakMb: mem.driverPeakMb,
        pids: mem.pids,
        state,
      },
    };
  } finally {
    sampler.stop();
    await stack?.stop();
  }
}
