import type { ShardRecord } from '../../schemas/record.ts';
import type { BenchAnswer, Grade, Rate, SafetyBench, SafetyReport } from '../../schemas/safety.ts';
import { toJsonl } from '../pipeline/jsonl.ts';
import { readShardRecords } from '../pipeline/shard-records.ts';
import type { BlobStore } from '../pipeline/store.ts';
import type { JobSpec, ShardInfo } from '../pipeline/types.ts';
import { isRequestRejected, requireProvider } from '../providers/index.ts';
import type { ChatMessage, ModelUsage, ProviderSet } from '../providers/types.ts';
import { judgeRequest, makeGrader, parseJudge } from './grade.ts';
import { answersKey } from './keys.ts';
import { usageOf, usageSince } from './usage.ts';
import { wilson } from './wilson.ts';

export function benchConfig(spec: JobSpec): SafetyBench {
  const s = spec.recipe.safety;
  if (s?.task !== 'bench') throw new Error(`job ${spec.id} is not a safety benchmark job`);
  return s;
}

export interface Tally {
  n: number;
  defended: number;
  compromised: number;
  unclear: number;
}
export type Failure = Extract<SafetyReport, { task: 'bench' }>['failures'][number];

/** What one shard's bench task did: tallies per `<category>/<lang>`, some failures, its bytes. */
export interface BenchTally {
  cells: Record<string, Tally>;
  failures: Failure[];
  disagreements: number;
  errors: number;
  bytes: number;
  records: number;
  usage: ModelUsage;
}

const HAN = /[\u4e00-\u9fff]/;

/** A record's category and language: its `safety` block (generated sets), a `category`/`lang` field, or guessed. */
export function labelsOf(r: ShardRecord): { category: string; lang: string } {
  const row = (r.record ?? {}) as {
    safety?: { category?: unknown; lang?: unknown };
    category?: unknown;
    lang?: unknown;
  };
  const category = row.safety?.category ?? row.category;
  const lang = row.safety?.lang ?? row.lang;
  const users = r.turns
    .filter((t) => t.role === 'user')
    .map((t) => t.content)
    .join('\n');
  return {
    category: typeof category === 'string' && category ? category : 'uncategorized',
    lang: typeof lang === 'string' && lang ? lang : HAN.test(users) ? 'zh' : 'en',
  };
}

/** The conversation sent: the system prompt, then the record's turns up to its last user turn. */
export function attackMessages(r: ShardRecord, system: string | undefined): ChatMessage[] {
  const turns = r.turns.filter((t) => t.role !== 'system');
  let last = turns.length - 1;
  while (last >= 0 && turns[last].role !== 'user') last--;
  const own = r.turns.filter((t) => t.role === 'system');
  const head: ChatMessage[] = system ? [{ role: 'system', content: system }] : own;
  return [...head, ...turns.slice(0, last + 1)];
}

/**
 * One shard of attacks: each sent to the target through the provider layer (its concurrency,
 * timeouts, retries and request budget), the answer graded (src/safety/grade.ts), and confirmed by the
 * judge when the recipe names one (the judge's grade counts; a disagreement is counted). Writes the
 * shard's part of safety-answers.jsonl.
 */
export async function benchShard(
  store: BlobStore,
  spec: JobSpec,
  info: ShardInfo,
  providers: ProviderSet | undefined,
): Promise<BenchTally> {
  const cfg = benchConfig(spec);
  const target = requireProvider(providers, cfg.target, 'safety.target');
  const judge = cfg.judge ? requireProvider(providers, cfg.judge, 'safety.judge') : null;
  const grade = makeGrader(cfg.identity, cfg.system);
  const records = await readShardRecords(store, spec.id, info);
  // This task's requests: the set may be shared by every task of the job (one process).
  const before = usageOf(providers);
  const answers = await Promise.all(
    records.map(async (r): Promise<BenchAnswer & { error?: string }> => {
      const messages = attackMessages(r, cfg.system);
      const { category, lang } = labelsOf(r);
      const base = { id: r.id, category, lang, messages };
      if (!messages.some((m) => m.role === 'user'))
        return {
          ...base,
          answer: '',
          grade: 'unclear',
          reason: 'no user turn',
          error: 'the record has no user turn',
        };
      let answer: string;
      try {
        answer = (await target.chat({ messages, maxTokens: cfg.maxTokens, temperature: cfg.temperature }))
          .text;
      } catch (e) {
        // The endpoint refused this one request (too long, malformed): counted, not graded. Anything
        // else (the budget, an outage, a bad configuration) fails the job.
        if (!isRequestRejected(e)) throw e;
        return {
          ...base,
          answer: '',
          grade: 'unclear',
          reason: 'request refused',
          error: (e as Error).message,
        };
      }
      const g = grade(answer);
      const out: BenchAnswer = { ...base, answer, grade: g.grade, reason: g.reason };
      if (judge) {
        const attack = messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
        try {
          const text = (
            await judge.chat({
              messages: judgeRequest(cfg.identity, attack, answer),
              maxTokens: 8,
              temperature: 0,
            })
          ).text;
          const verdict: Grade | null = parseJudge(text);
          if (verdict) {
            out.judge = { grade: verdict, text: text.slice(0, 200) };
            out.grade = verdict;
          }
        } catch (e) {
          if (!isRequestRejected(e)) throw e;
          out.reason += '; the judge refused the request';
        }
      }
      return out;
    }),
  );
  const cells: Record<string, Tally> = {};
  const failures: Failure[] = [];
  const perCategory = new Map<string, number>();
  let disagreements = 0;
  let errors = 0;
  for (const a of answers) {
    if (a.error) {
      errors++;
      continue;
    }
    const t = (cells[`${a.category}/${a.lang}`] ??= { n: 0, defended: 0, compromised: 0, unclear: 0 });
    t.n++;
    t[a.grade]++;
    if (a.judge && a.judge.grade !== grade(a.answer).grade) disagreements++;
    if (a.grade !== 'defended' && (perCategory.get(a.category) ?? 0) < cfg.examples) {
      perCategory.set(a.category, (perCategory.get(a.category) ?? 0) + 1);
      const prompt = a.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
      failures.push({
        id: a.id,
        category: a.category,
        lang: a.lang,
        grade: a.grade,
        reason: a.reason,
        answer: a.answer,
        prompt,
      });
    }
  }
  const text = toJsonl(answers);
  await store.put(answersKey(spec.id, info.shard), text);
  return {
    cells,
    failures,
    disagreements,
    errors,
    bytes: new TextEncoder().encode(text).length,
    records: records.length,
    usage: usageSince(providers, before),
  };
}

export function rateOf(t: Tally): Rate {
  const { low, high } = wilson(t.defended, t.n);
  return { ...t, rate: t.n ? t.defended / t.n : 0, low, high };
}

function add(into: Tally, t: Tally) {
  into.n += t.n;
  into.defended += t.defended;
  into.compromised += t.compromised;
  into.unclear += t.unclear;
}
const zero = (): Tally => ({ n: 0, defended: 0, compromised: 0, unclear: 0 });

/** Every shard's tallies as the report's rates: overall, per category, per language, per cell. */
export function benchRates(cells: Record<string, Tally>) {
  const overall = zero();
  const byCategory: Record<string, Tally> = {};
  const byLanguage: Record<string, Tally> = {};
  for (const [key, t] of Object.entries(cells)) {
    const [category, lang] = key.split('/');
    add(overall, t);
    add((byCategory[category] ??= zero()), t);
    add((byLanguage[lang] ??= zero()), t);
  }
  const rates = (m: Record<string, Tally>) =>
    Object.fromEntries(
      Object.entries(m)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, t]) => [k, rateOf(t)]),
    );
  return {
    overall: rateOf(overall),
    byCategory: rates(byCategory),
    byLanguage: rates(byLanguage),
    byCell: rates(cells),
  };
}

/** Tallies of several shards added up, their failures kept up to `examples` per category, in shard order. */
export function mergeTallies(results: readonly BenchTally[], examples: number) {
  const cells: Record<string, Tally> = {};
  const failures: Failure[] = [];
  const perCategory = new Map<string, number>();
  let disagreements = 0;
  let errors = 0;
  const usage = { requests: 0, cached: 0, failed: 0 };
  for (const r of results) {
    for (const [k, t] of Object.entries(r.cells)) add((cells[k] ??= zero()), t);
    for (const f of r.failures) {
      const n = perCategory.get(f.category) ?? 0;
      if (n < examples) {
        perCategory.set(f.category, n + 1);
        failures.push(f);
      }
    }
    disagreements += r.disagreements;
    errors += r.errors;
    usage.requests += r.usage.requests;
    usage.cached += r.usage.cached;
    usage.failed += r.usage.failed;
  }
  return { cells, failures, disagreements, errors, usage, bytes: results.map((r) => r.bytes) };
}
