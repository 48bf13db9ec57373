import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Report } from '../../schemas/output.ts';
import { RecipeSchema } from '../../schemas/recipe.ts';
import type { Rate, SafetyReport } from '../../schemas/safety.ts';
import { SafetyBenchRequestSchema, SafetyGenerateRequestSchema } from '../../schemas/safety-api.ts';
import type { WinnowClient } from '../../src/client/index.ts';
import { parseProviderFlags, providerVars, recipeEndpoints } from './providers.ts';
import { waitAndDownload } from './run.ts';
import { type Target, withClient } from './target.ts';

export interface SafetyOptions {
  out?: string;
  count?: string;
  seed?: string;
  dataset?: string;
  /** generate: append safety.jsonl to this dataset as a part, ready for a selection job. */
  into?: string;
}

/** The request file (the API's body, docs/safety.md), with --count, --seed and --dataset over it. */
function request(file: string, o: SafetyOptions): Record<string, unknown> {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${resolve(file)}: ${(e as Error).message}`);
  }
  const int = (v: string | undefined, flag: string) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new Error(`--${flag} takes a whole number, got "${v}"`);
    return n;
  };
  const count = int(o.count, 'count');
  const seed = int(o.seed, 'seed');
  return {
    ...body,
    ...(count === undefined ? {} : { count }),
    ...(seed === undefined ? {} : { seed }),
    ...(o.dataset ? { dataset: o.dataset } : {}),
  };
}

/** Locally, the request's own endpoints (and --provider flags) are what the user declares to allow. */
function vars(t: Target, providers: unknown): Record<string, string> {
  if (t.url) return {};
  const recipe = RecipeSchema.parse({ providers: providers ?? {} });
  return providerVars({ ...recipeEndpoints(recipe), ...parseProviderFlags(t.provider) });
}

async function start(
  client: WinnowClient,
  path: string,
  body: unknown,
): Promise<{ id: string; excluded?: number }> {
  const res = await client.request('POST', path, {
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  return (await res.json()) as { id: string; excluded?: number };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const rateText = (r: Rate) => `${pct(r.rate)} [${pct(r.low)}, ${pct(r.high)}] of ${r.n}`;

/** What a safety job's report says, in a few lines. */
export function safetySummary(s: SafetyReport, out: string): string {
  if (s.task === 'generate') {
    const reasons = Object.entries(s.rejectedByReason)
      .map(([r, n]) => `${r} ${n}`)
      .join(', ');
    return [
      `${s.accepted} of ${s.requested} defence records for ${s.identity} (${s.drafted} drafted, ${s.paraphrased} paraphrased by the model)`,
      `checks passed ${pct(s.passRate)}, near duplicates ${pct(s.nearDuplicateRate)}; rejected ${s.rejected}${reasons ? `: ${reasons}` : ''}`,
      `records in ${join(out, 'safety.jsonl')}, rejected (with reasons) in ${join(out, 'safety-rejected.jsonl')}`,
    ].join('\n');
  }
  const lines = [`defence of ${s.identity} by "${s.target}": ${rateText(s.overall)} defended (Wilson 95%)`];
  for (const [c, r] of Object.entries(s.byCategory)) lines.push(`  ${c.padEnd(14)} ${rateText(r)}`);
  for (const [l, r] of Object.entries(s.byLanguage)) lines.push(`  ${l.padEnd(14)} ${rateText(r)}`);
  if (s.errors) lines.push(`${s.errors} attacks the endpoint refused (not graded)`);
  lines.push(`every answer with its grade in ${join(out, 'safety-answers.jsonl')}`);
  return lines.join('\n');
}

/**
 * `winnow safety generate <request.json> [--count N] [--seed S] [--out dir] [--into <dataset>]`: start
 * a generation job, wait, download safety.jsonl and the rest; with --into, append safety.jsonl to the
 * dataset as the part `defence-<job>`.
 */
export async function safetyGenerate(t: Target, file: string, o: SafetyOptions): Promise<number> {
  const body = SafetyGenerateRequestSchema.parse(request(file, o));
  const out = o.out ?? 'winnow-safety';
  return withClient(
    t,
    async (client) => {
      const { id } = await start(client, '/v1/safety/generate', body);
      process.stderr.write(`generation job ${id}\n`);
      const report: Report = await waitAndDownload(client, id, { out, quiet: t.quiet });
      process.stdout.write(`${safetySummary(report.safety!, out)}\n`);
      if (o.into) {
        const data = readFileSync(join(out, 'safety.jsonl'));
        await client.appendPart(o.into, `defence-${id}`, new Uint8Array(data), data.byteLength);
        process.stdout.write(`appended to dataset ${o.into} as part defence-${id}\n`);
      }
      return 0;
    },
    { vars: vars(t, body.providers) },
  );
}

/**
 * `winnow safety bench <request.json> [--dataset <name>] [--count N] [--seed S] [--out dir]`: start a
 * benchmark job (a held-out attack set, or the dataset), wait, print the defence rates.
 */
export async function safetyBench(t: Target, file: string, o: SafetyOptions): Promise<number> {
  const body = SafetyBenchRequestSchema.parse(request(file, o));
  const out = o.out ?? 'winnow-safety-bench';
  return withClient(
    t,
    async (client) => {
      const { id, excluded } = await start(client, '/v1/safety/bench', body);
      process.stderr.write(
        `benchmark job ${id}${excluded ? ` (${excluded} attacks left out: a generated training set holds them)` : ''}\n`,
      );
      const report: Report = await waitAndDownload(client, id, { out, quiet: t.quiet });
      process.stdout.write(`${safetySummary(report.safety!, out)}\n`);
      return 0;
    },
    { vars: vars(t, body.providers) },
  );
}
