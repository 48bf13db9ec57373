/**
 * A stage of the tests' own, to show that a stage is its definition plus one registry line: after
 * `score`, every shard counts the words of its valid records, then one task adds the shards up and
 * writes `word-counts.json`, an output of its own. It runs on jobs whose dataset name starts with
 * `words-`, so it stays out of every other test's way.
 */

import { normalizeRecord } from '../../src/formats/index.ts';
import { singleFile } from '../../src/pipeline/outputs.ts';
import { readShardRecords } from '../../src/pipeline/shard-records.ts';
import { getJson } from '../../src/pipeline/store.ts';
import type { JobSpec, ShardInfo, StageDef } from '../../src/pipeline/types.ts';

interface Counted {
  records: number;
  words: number;
}

interface WordCountState {
  /** Words of each shard, then the total file's size once written. */
  shards: number[];
  bytes?: number;
}

const countKey = (job: string, shard: number) => `jobs/${job}/word-count/${shard}.json`;
const totalKey = (job: string) => `jobs/${job}/out/word-counts.json`;

export const wordCountStage: StageDef<
  WordCountState,
  { shard?: ShardInfo },
  { count: Counted; total: { bytes: number } }
> = {
  id: 'word-count',
  queue: 'score',
  summary: 'count the words of every valid record (a test stage)',
  applies: (spec: JobSpec) => spec.dataset.startsWith('words-'),
  start: () => ({ step: 'count', state: { shards: [] } }),
  steps: {
    count: {
      fan: 'shards',
      async run(t, { store }) {
        const shard = t.input.shard!.shard;
        const records = await readShardRecords(store, t.spec.id, t.input.shard!);
        const words = records.reduce(
          (a, r) => a + r.turns.reduce((b, turn) => b + turn.content.split(/\s+/).filter(Boolean).length, 0),
          0,
        );
        await store.put(countKey(t.spec.id, shard), JSON.stringify({ words }));
        return { records: records.length, words };
      },
      counts: (r) => ({ in: r.records, out: r.records }),
    },
    total: {
      fan: 'one',
      async run(t, { store }) {
        const perShard: number[] = [];
        for (let s = 0; s < t.shards; s++)
          perShard.push((await getJson<{ words: number }>(store, countKey(t.spec.id, s)))!.words);
        const body = JSON.stringify({ words: perShard.reduce((a, b) => a + b, 0), perShard });
        await store.put(totalKey(t.spec.id), body, 'application/json');
        return { bytes: new TextEncoder().encode(body).byteLength };
      },
    },
  },
  input: (view, _state, step, index) => (step === 'count' ? { shard: view.table.shard(index) } : {}),
  next(_view, b) {
    if (b.step === 'count') return { step: 'total', state: { shards: b.results.map((r) => r.words) } };
    return { done: true, state: { ...b.state, bytes: b.results[0].bytes } };
  },
  outputs: (view, s) =>
    s?.bytes === undefined ? [] : [singleFile('word-counts.json', totalKey(view.spec.id), s.bytes)],
};

/** The same count, straight from the input's JSONL lines (the tests' reference). */
export function inputWords(jsonl: string): number {
  let words = 0;
  for (const line of jsonl.split('\n')) {
    if (line.trim() === '') continue;
    const r = normalizeRecord(line, 'auto');
    if (r.ok) for (const t of r.turns) words += t.content.split(/\s+/).filter(Boolean).length;
  }
  return words;
}
