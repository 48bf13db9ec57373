import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DryRunSchema } from '../../../schemas/dryrun.ts';
import { ROOT, run } from './helpers.ts';

// `winnow run --dry-run` through the real CLI: it reads the file, prints the projection and exits 0,
// or 1 over a provider's requestBudget, without starting a stack (no wrangler or workerd, nothing under
// --state) and without sending the model endpoint a single request.

const tmp = mkdtempSync(join(tmpdir(), 'winnow-dryrun-'));
const CLI = join(ROOT, 'workers/cli/winnow.js');
const STATE = join(tmp, 'state');

/** A model endpoint that only counts: a dry run must never reach it. */
let requests = 0;
let server: Server;
let baseUrl = '';
beforeAll(async () => {
  server = createServer((_req, res) => {
    requests++;
    res.writeHead(500).end();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  await new Promise((ok) => server.close(ok));
  rmSync(tmp, { recursive: true, force: true });
});

// 120 distinct records (answers of 20…59 words drawn from a vocabulary, so no two are near
// duplicates), then 12 exact copies of the first ones and 3 invalid lines.
const VOCAB = [
  'river',
  'stone',
  'cloud',
  'paper',
  'green',
  'quick',
  'light',
  'table',
  'sound',
  'field',
  'house',
  'plant',
  'metal',
  'water',
  'night',
  'bread',
  'train',
  'glass',
  'chair',
  'music',
  'north',
  'south',
  'apple',
  'horse',
  'money',
  'story',
  'dream',
  'floor',
  'world',
  'heart',
  'voice',
  'earth',
];
function sentence(n: number, seed: number): string {
  let x = seed + 1;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out.push(VOCAB[(x >>> 16) % VOCAB.length]);
  }
  return `${out.join(' ')}.`;
}
const rec = (i: number) =>
  JSON.stringify({ instruction: `Describe ${sentence(6, 1000 + i)}`, output: sentence(20 + (i % 40), i) });
const lines = Array.from({ length: 120 }, (_, i) => rec(i));
lines.push(
  ...Array.from({ length: 12 }, (_, i) => rec(i)),
  '{"instruction": "cut',
  '42',
  '{"output": "no instruction"}',
);
const INPUT = join(tmp, 'known.jsonl');
writeFileSync(INPUT, `${lines.join('\n')}\n`);

function recipe(requestBudget: number): string {
  const file = join(tmp, `recipe-${requestBudget}.json`);
  const providers = { lm: { kind: 'openai', baseUrl, model: 'm', requestBudget, pricePer1kTokens: 0.25 } };
  writeFileSync(
    file,
    JSON.stringify({
      providers,
      scorers: [{ id: 'length' }, { id: 'heuristics' }, { id: 'judge', config: { provider: 'lm' } }],
      select: { budget: 30 },
    }),
  );
  return file;
}

/** The CLI's exit code, stdout and stderr. */
async function winnow(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args, '--state', STATE], {
      cwd: ROOT,
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const f = e as { code: number; stdout: string; stderr: string };
    if (typeof f.code !== 'number') throw e;
    return f;
  }
}

/** Processes whose command line names this test's state directory (a stack the CLI would have started). */
function stackProcesses(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmd.includes(STATE) && /wrangler|workerd|esbuild/.test(cmd)) found.push(`${pid}: ${cmd}`);
    } catch {}
  }
  return found;
}

describe('winnow run --dry-run (CLI)', () => {
  it('within budget: the table, exit 0, no stack, no request', async () => {
    const r = await winnow(['run', INPUT, '--dry-run', '--recipe', recipe(1000)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('dry run of known.jsonl: nothing uploaded, no model called');
    expect(r.stdout).toMatch(/^input {5}135 records/m);
    expect(r.stdout).toMatch(/^valid {5}132 {4}invalid 3/m);
    expect(r.stdout).toMatch(/^ {2}duplicate +12 /m);
    expect(r.stdout).toMatch(/^ {2}selected {4}30 /m);
    // 120 distinct records reach the judge; one provider line, within its budget, with a cost.
    expect(r.stdout).toMatch(/^ {2}scorers\[2\] +judge +lm +120 +120 /m);
    expect(r.stdout).toMatch(/^ {2}lm +120 +1,000 +[\d,]+ +\d+\.\d\d +ok$/m);
    expect(requests).toBe(0);
    expect(existsSync(STATE)).toBe(false);
    expect(stackProcesses()).toEqual([]);
  });

  it('over budget: exit 1 naming the provider, its projected requests and its requestBudget; --json', async () => {
    const r = await winnow(['run', INPUT, '--dry-run', '--json', '--recipe', recipe(100)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'winnow: over budget: provider "lm": 120 requests projected, over its requestBudget of 100',
    );
    const d = DryRunSchema.parse(JSON.parse(r.stdout));
    expect(d.counts).toEqual({ input: 135, valid: 132, invalid: 3 });
    expect(d.projected.rejectedByReason.duplicate).toBe(12);
    expect(d.projected.selected).toBe(30);
    expect(d.providers).toEqual([
      expect.objectContaining({ name: 'lm', requests: 120, requestBudget: 100, overBudget: true }),
    ]);
    expect(d.providers[0].cost).toBeCloseTo((d.providers[0].tokens / 1000) * 0.25, 12);
    expect(d.withinBudget).toBe(false);
    expect(requests).toBe(0);
    expect(existsSync(STATE)).toBe(false);
  });

  it('reads a gzip file the same, and takes --sample and --budget', async () => {
    const gz = join(tmp, 'known.jsonl.gz');
    writeFileSync(gz, gzipSync(readFileSync(INPUT)));
    const r = await winnow(['run', gz, '--dry-run', '--json', '--sample', '50', '--budget', '10%']);
    expect(r.code).toBe(0);
    const d = DryRunSchema.parse(JSON.parse(r.stdout));
    expect(d.counts).toEqual({ input: 135, valid: 132, invalid: 3 });
    expect(d.sample.requested).toBe(50);
    expect(d.sample.records).toBeGreaterThanOrEqual(50);
    expect(d.sample.records).toBeLessThan(60);
    expect(d.projected.budget).toMatchObject({ requested: '10%', target: 13 });
    expect(d.models).toEqual([]);
  });

  it('a bad --sample is an error', async () => {
    const r = await winnow(['run', INPUT, '--dry-run', '--sample', 'many']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('--sample takes a whole number ≥ 1, got "many"');
  });
});
