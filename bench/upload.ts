/**
 * A large upload through the local stack (wrangler dev + workerd): in parts through an upload session
 * (16 MiB parts, 4 at a time, as the CLI sends them) against one streamed PUT, in the same run, each
 * on a fresh stack, in alternating order. Per way: seconds from the first request to the dataset
 * stored, and workerd's peak resident memory (sampled every 50 ms) over its resident memory just
 * before the upload.
 *
 *   node bench/upload.ts [--runs 3] [--mb 1000] [--parallel 4] [--part-mib 16]
 *
 * Writes bench/out/upload.md and upload.json. See bench/README.md.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { WinnowClient } from '../src/client/index.ts';
import { generateDemo } from '../src/demo/index.ts';
import { startLocalStack } from '../workers/cli/local-stack.ts';
import { fileStream, streamingFetch } from '../workers/cli/stream-fetch.ts';
import { sha256File } from '../workers/cli/upload-file.ts';
import { processTree, rssByProcess } from './proc.ts';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench', 'out');
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    mb: { type: 'string', default: '1000' },
    parallel: { type: 'string', default: '4' },
    'part-mib': { type: 'string', default: '16' },
  },
});
const runs = Number(values.runs);
const bytes = Number(values.mb) * 1e6;
const parallel = Number(values.parallel);
const partBytes = Number(values['part-mib']) * 1024 * 1024;
const note = (s: string) => process.stderr.write(`${s}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** About `size` bytes of JSONL: the demo generator's records, numbered so that every line differs. */
function makeFile(file: string, size: number): void {
  if (existsSync(file) && statSync(file).size >= size) return;
  note(`writing ${file} (${(size / 1e6).toFixed(0)} MB) …`);
  const base = generateDemo({ records: 20_000, seed: 3 }).split('\n').filter(Boolean);
  const fd = openSync(file, 'w');
  let written = 0;
  for (let round = 0; written < size; round++) {
    const chunk = Buffer.from(`${base.map((l, i) => `{"id":"r${round}-${i}",${l.slice(1)}`).join('\n')}\n`);
    writeSync(fd, chunk);
    written += chunk.byteLength;
  }
  closeSync(fd);
}

/** workerd's resident memory (MB) under `root`: the largest workerd process's. */
function workerdRss(root: number): number {
  const byProcess = rssByProcess(processTree(root));
  return Math.max(
    0,
    ...Object.entries(byProcess)
      .filter(([k]) => k.endsWith(' workerd'))
      .map(([, v]) => v),
  );
}

interface Measure {
  way: 'put' | 'parts';
  seconds: number;
  baseMb: number;
  peakMb: number;
  stored: number;
  /** parts: seconds from the last part stored to the complete answered. */
  completeSeconds?: number;
}

async function once(
  way: Measure['way'],
  file: string,
  size: number,
  sha256: string,
  dir: string,
): Promise<Measure> {
  const state = join(dir, `state-${way}`);
  rmSync(state, { recursive: true, force: true });
  const stack = await startLocalStack(state, { vars: { MAX_UPLOAD_BYTES: String(4 * 1024 ** 3) } });
  try {
    const client = new WinnowClient({ url: stack.url, token: stack.token, fetch: streamingFetch });
    await client.health();
    const baseMb = workerdRss(stack.pid);
    let peakMb = baseMb;
    const timer = setInterval(() => {
      peakMb = Math.max(peakMb, workerdRss(stack.pid));
    }, 50);
    const t0 = performance.now();
    let stored: number;
    let lastPart = 0;
    try {
      if (way === 'put') {
        stored = (await client.uploadDataset('big', fileStream(file), size)).bytes;
      } else {
        const fh = await open(file);
        try {
          const r = await client.uploadFile(
            'big',
            {
              size,
              sha256,
              async read(offset, length) {
                const buf = new Uint8Array(length);
                const { bytesRead } = await fh.read(buf, 0, length, offset);
                return buf.subarray(0, bytesRead);
              },
            },
            {
              parallel,
              partBytes,
              onProgress: (p) => {
                if (p.partsDone === p.parts) lastPart = performance.now();
              },
            },
          );
          stored = r.dataset.bytes;
        } finally {
          await fh.close();
        }
      }
    } finally {
      clearInterval(timer);
    }
    const end = performance.now();
    const seconds = (end - t0) / 1000;
    const completeSeconds = lastPart ? (end - lastPart) / 1000 : undefined;
    peakMb = Math.max(peakMb, workerdRss(stack.pid));
    if (stored !== size) throw new Error(`${way}: stored ${stored} bytes of ${size}`);
    return { way, seconds, baseMb, peakMb, stored, completeSeconds };
  } finally {
    await stack.stop();
    rmSync(state, { recursive: true, force: true });
  }
}

mkdirSync(OUT, { recursive: true });
const dir = join(OUT, 'upload');
mkdirSync(dir, { recursive: true });
const file = join(OUT, `upload-${values.mb}mb.jsonl`);
makeFile(file, bytes);
const size = statSync(file).size;
const sha256 = await sha256File(file);
const all: Measure[] = [];
for (let r = 0; r < runs; r++) {
  const order: Measure['way'][] = r % 2 === 0 ? ['put', 'parts'] : ['parts', 'put'];
  for (const way of order) {
    const m = await once(way, file, size, sha256, dir);
    const complete = m.completeSeconds === undefined ? '' : ` (complete ${m.completeSeconds.toFixed(1)} s)`;
    note(
      `run ${r + 1} ${way}: ${m.seconds.toFixed(1)} s${complete}, workerd ${m.baseMb.toFixed(0)} → ${m.peakMb.toFixed(0)} MB`,
    );
    all.push(m);
  }
}
const summary = (way: Measure['way']) => {
  const ms = all.filter((m) => m.way === way);
  return {
    seconds: median(ms.map((m) => m.seconds)),
    peakMb: median(ms.map((m) => m.peakMb)),
    growthMb: median(ms.map((m) => m.peakMb - m.baseMb)),
    mbPerSecond: size / 1e6 / median(ms.map((m) => m.seconds)),
  };
};
const put = summary('put');
const parts = summary('parts');
const rows = [
  ['one streamed PUT', put],
  [`parts of ${values['part-mib']} MiB, ${parallel} at a time`, parts],
] as const;
const md = [
  `Upload of ${(size / 1e6).toFixed(0)} MB of JSONL through the local stack, medians of ${runs} runs (fresh stack each, alternating order):`,
  '',
  '| way | seconds | MB/s | workerd peak RSS | growth over idle |',
  '| --- | ---: | ---: | ---: | ---: |',
  ...rows.map(
    ([name, s]) =>
      `| ${name} | ${s.seconds.toFixed(1)} | ${s.mbPerSecond.toFixed(0)} | ${s.peakMb.toFixed(0)} MB | ${s.growthMb.toFixed(0)} MB |`,
  ),
  '',
  `parts / PUT: time ${(parts.seconds / put.seconds).toFixed(2)}, workerd peak ${(parts.peakMb / put.peakMb).toFixed(2)}; of the parts' time, the complete took ${median(all.flatMap((m) => (m.completeSeconds === undefined ? [] : [m.completeSeconds]))).toFixed(1)} s (median)`,
  '',
].join('\n');
writeFileSync(join(OUT, 'upload.md'), md);
writeFileSync(join(OUT, 'upload.json'), `${JSON.stringify({ size, runs, all, put, parts }, null, 2)}\n`);
process.stdout.write(md);
