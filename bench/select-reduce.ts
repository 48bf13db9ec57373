/**
 * Dedup reduce and resolve alone, on the partition files `bench/select-probe.ts --dump <dir>` wrote:
 * every partition reduced (as the dedup-reduce tasks do), its edges encoded, then one resolve over
 * all of them (the dedup-resolve task). Prints seconds per phase (median of `--runs`), the slowest
 * partition, the counts, and a hash of the losers file, so two versions of the code can be compared
 * on the same input.
 *
 *   node bench/select-reduce.ts <dir> [--runs 3]
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEDUP_THRESHOLD,
  decodeEdges,
  decodeEntries,
  encodeEdges,
  encodeLosers,
  reducePartition,
  resolveDuplicates,
} from '../src/select/dedup/index.ts';

const args = process.argv.slice(2);
const dir = args[0];
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 3;
if (!dir) {
  process.stderr.write('usage: node bench/select-reduce.ts <dir> [--runs 3]\n');
  process.exit(2);
}

const parts = readdirSync(dir)
  .filter((p) => /^\d+$/.test(p))
  .sort()
  .map((p) =>
    readdirSync(join(dir, p))
      .sort()
      .map((s) => new Uint8Array(readFileSync(join(dir, p, s)))),
  );

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const times = { reduce: [] as number[], slowest: [] as number[], resolve: [] as number[] };
let summary: Record<string, unknown> = {};
for (let r = 0; r < runs; r++) {
  let edges = 0;
  let compared = 0;
  let buckets = 0;
  let slowest = 0;
  let edgeBytes = 0;
  const files: Uint8Array[] = [];
  const t0 = performance.now();
  for (const p of parts) {
    const p0 = performance.now();
    const res = reducePartition(p.map(decodeEntries), { threshold: DEDUP_THRESHOLD });
    const bytes = encodeEdges(res.edges);
    slowest = Math.max(slowest, performance.now() - p0);
    files.push(bytes);
    edges += res.edges.count;
    compared += res.compared;
    buckets += res.buckets;
    edgeBytes += bytes.byteLength;
  }
  const t1 = performance.now();
  const losers = resolveDuplicates(files.map(decodeEdges));
  const loserBytes = encodeLosers(losers);
  const t2 = performance.now();
  times.reduce.push((t1 - t0) / 1000);
  times.slowest.push(slowest / 1000);
  times.resolve.push((t2 - t1) / 1000);
  let duplicate = 0;
  for (let i = 0; i < losers.count; i++) if (losers.reason[i] === 0) duplicate++;
  summary = {
    partitions: parts.length,
    edges,
    edgeBytes,
    compared,
    buckets,
    duplicate,
    near_duplicate: losers.count - duplicate,
    losers: createHash('sha256').update(loserBytes).digest('hex').slice(0, 16),
  };
}
process.stdout.write(
  `${JSON.stringify({
    ...summary,
    runs,
    reduceSeconds: median(times.reduce),
    slowestPartitionSeconds: median(times.slowest),
    resolveSeconds: median(times.resolve),
    all: times,
  })}\n`,
);
