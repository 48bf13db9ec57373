import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RECORD_BYTES } from '../../../src/limits.ts';
import { TEST_MAX_UPLOAD_BYTES } from '../../support/limits.ts';
import { type Standin, startStandin } from '../../support/standin-lm/index.ts';
import { sharedStackArgs, unique } from '../stack.ts';
import { jsonl, ROOT, run } from './helpers.ts';

// Issue #16 through the CLI, on the e2e tier's shared stack: the exit code, what the CLI prints, and
// every record accounted for in the files it downloads. test/workers/bad-input.test.ts has the same
// table over HTTP, with every error's text.

const tmp = mkdtempSync(join(tmpdir(), 'winnow-bad-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const CLI = join(ROOT, 'workers/cli/winnow.js');

const winnow = (args: string[]) =>
  run(process.execPath, [CLI, ...args, ...sharedStackArgs(), '--quiet'], { cwd: ROOT, timeout: 240_000 });

/** The CLI's exit code and stderr when it fails. */
async function fails(args: string[]): Promise<{ code: number; stderr: string }> {
  const e = await winnow(args).then(
    () => {
      throw new Error(`winnow ${args.join(' ')} succeeded`);
    },
    (e: { code: number; stderr: string }) => e,
  );
  return { code: e.code, stderr: e.stderr };
}

const rec = (i: number) =>
  JSON.stringify({ instruction: `Question ${i}: how do ${i} things work?`, output: `In ${i} ways, mostly.` });

/** A file of this test's own (its name makes the dataset's). */
function file(name: string, body: string | Uint8Array): string {
  const path = join(tmp, `${unique(name)}`);
  writeFileSync(path, body);
  return path;
}

/** `winnow run`, then the accounting over what it downloaded. */
async function runAccounted(input: string, records: number) {
  const out = join(tmp, unique('out'));
  const { stdout } = await winnow(['run', input, '--budget', '100%', '--out', out]);
  const selected = jsonl(join(out, 'selected.jsonl'));
  const rejected = jsonl(join(out, 'rejected.jsonl'));
  const invalid = jsonl(join(out, 'invalid.jsonl'));
  const indices = [...selected, ...rejected, ...invalid].map((l) => l.source.index).sort((a, b) => a - b);
  expect(indices).toEqual(Array.from({ length: records }, (_, i) => i));
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  expect(report.counts.input).toBe(records);
  return { stdout, selected, rejected, invalid };
}

describe('winnow run on bad input (CLI, shared stack)', () => {
  it('bad records: exit 0, each one located in invalid.jsonl, every other record out once', async () => {
    const lines = [
      `\uFEFF${rec(0)}`, // a BOM at the start of the file
      rec(0), // a duplicate of line 1
      Buffer.concat([
        Buffer.from('{"instruction":"caf'),
        Buffer.from([0xe9]),
        Buffer.from('","output":"x"}'),
      ]),
      '{"instruction":"a\u0000b","output":"NUL in a string"}', // a raw NUL byte in a string
      `{"instruction":"x","output":"y","meta":${'['.repeat(50_000)}${']'.repeat(50_000)}}`,
      '{"instruction":"only"}',
      '{"instruction":5,"output":"x"}',
      JSON.stringify({
        messages: [
          { role: 'user', content: 'q?' },
          { role: 'assistant', content: 'an answer' },
        ],
      }),
      `\uFEFF${rec(8)}`, // a BOM where a second file was joined on
      `{"instruction":"${'x'.repeat(MAX_RECORD_BYTES)}","output":"too long"}`,
      rec(10),
    ];
    const body = Buffer.concat(lines.flatMap((l) => [Buffer.from(l), Buffer.from('\r\n')]));
    const { stdout, invalid, rejected } = await runAccounted(file('bad-records.jsonl', body), 11);
    expect(stdout).toContain('input     11 records');
    expect(stdout).toContain('valid     5    invalid 6');
    expect(invalid.map((l) => [l.source.line, l.error.code, l.error.path])).toEqual([
      [3, 'invalid_utf8', undefined],
      [4, 'invalid_json', undefined],
      [5, 'record_too_deep', 'meta'],
      [6, 'unknown_format', 'output'],
      [7, 'invalid_record', 'instruction'],
      [10, 'record_too_large', undefined],
    ]);
    expect(invalid[0].error.message).toMatch(/^not valid UTF-8: byte 0xe9 at byte 19 of the record/);
    expect(invalid.every((l) => Number.isInteger(l.offset))).toBe(true);
    expect(rejected.find((l) => l.source.index === 1)).toMatchObject({ reason: 'duplicate' });
  }, 240_000);

  it('an empty and a whitespace-only file: exit 1, saying there are no records', async () => {
    const empty = await fails(['run', file('empty.jsonl', ''), '--out', join(tmp, unique('out'))]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(
      /^winnow: dataset "[^"]+" has no records: its object holds 0 bytes; upload a file with records first\n$/,
    );
    const blank = file('blank.jsonl', '\n \t\r\n');
    const out = join(tmp, unique('out'));
    const e = await winnow(['run', blank, '--budget', '100%', '--out', out]).then(
      () => null,
      (x: { code: number; stdout: string; stderr: string }) => x,
    );
    expect(e?.code).toBe(1);
    expect(e?.stdout).toContain('input     0 records');
    expect(e?.stderr).toContain(
      `winnow: ${blank} has no records (it is empty or holds only whitespace): nothing to select\n`,
    );
    // The outputs are there all the same: a report of no records, empty files.
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).counts.input).toBe(0);
  }, 240_000);

  it('a JSON array with trailing garbage: exit 1, the job failed at the byte', async () => {
    const body = `[${rec(0)}, ${rec(1)}]\n}garbage`;
    const close = body.indexOf(']\n}');
    const { code, stderr } = await fails(['run', file('trailing.json', body), '--out', join(tmp, 'x')]);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      new RegExp(
        `^winnow: job j[0-9a-z]+ failed: plan shard 0: byte ${close + 2}: unexpected '\\}' after the array closed at byte ${close} \\(see .+report\\.html\\)\\n$`,
      ),
    );
  }, 240_000);

  it('truncated gzip: exit 1, the upload refused at the compressed byte', async () => {
    const gz = gzipSync(Buffer.from(`${rec(1)}\n`.repeat(2000)));
    const { code, stderr } = await fails([
      'run',
      file('cut.jsonl.gz', gz.subarray(0, 300)),
      '--out',
      join(tmp, 'x'),
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      // Where the cut falls decides the reason: inside a block, or before the trailer was complete.
      /^winnow: the upload starts like gzip but is not valid gzip: (unexpected EOF|its trailer does not match the data \(the stream is cut short or corrupt\)), at compressed byte 300 \(\d+ bytes decompressed before it\)\n$/,
    );
  }, 240_000);

  it(`a gzip bomb: exit 1, refused at MAX_UPLOAD_BYTES (${TEST_MAX_UPLOAD_BYTES} on the test stack)`, async () => {
    const member = gzipSync(new Uint8Array(8 * 1024 * 1024).fill(0x20), { level: 9 });
    const bomb = Buffer.concat(Array.from({ length: 128 }, () => member)); // 1 GiB in about 1 MB
    const { code, stderr } = await fails(['upload', unique('bomb'), file('bomb.jsonl.gz', bomb)]);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^winnow: the upload decompresses to more than 24 MiB \(25165824 bytes\) \(refused after \d+ compressed bytes\), the most one upload may store \(MAX_UPLOAD_BYTES\): send the dataset in parts/,
    );
  }, 240_000);

  it('names: a traversal, an over-long or a non-ASCII dataset name exits 1 with the rule', async () => {
    const data = file('ok.jsonl', `${rec(0)}\n`);
    const rule =
      'winnow: request path is invalid: name: dataset names are 1-128 of A-Z a-z 0-9 . _ - and start with a letter or digit\n';
    for (const name of ['../../jobs', '%2e%2e%2fx', 'a'.repeat(129), 'café', '..']) {
      const { code, stderr } = await fails(['upload', name, data]);
      expect(code, name).toBe(1);
      expect(stderr, name).toBe(rule);
    }
    const { code, stderr } = await fails(['diff', 'okname', '../../x']);
    expect(code).toBe(1);
    expect(stderr).toBe(
      'winnow: request path is invalid: run: job ids are "j" then 8-40 of 0-9 a-z, as POST /v1/jobs returns them\n',
    );
  }, 240_000);

  it('a recipe over the 1 MiB JSON body limit: exit 1, the limit named', async () => {
    const recipe = file(
      'big-recipe.json',
      JSON.stringify({ scorers: [{ id: 'identity', config: { name: 'x'.repeat(1024 * 1024) } }] }),
    );
    const { code, stderr } = await fails(['run', file('ok.jsonl', `${rec(0)}\n`), '--recipe', recipe]);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^winnow: request body is \d+ bytes, over the 1 MiB \(1048576 bytes\) limit for a JSON body/,
    );
  }, 240_000);
});

describe('a model request budget (CLI, shared stack, the stand-in model server)', () => {
  let lm: Standin;
  beforeAll(async () => {
    lm = await startStandin();
  });
  afterAll(async () => {
    await lm?.close();
  });

  it('spent: exit 1, the job failed naming the budget, its split and what to raise', async () => {
    const input = file('budget.jsonl', `${Array.from({ length: 40 }, (_, i) => rec(i)).join('\n')}\n`);
    const recipe = file(
      'budget-recipe.json',
      JSON.stringify({
        shardBytes: 1024,
        scorers: [{ id: 'judge', config: { provider: 'lm' } }],
        providers: { lm: { kind: 'openai', baseUrl: lm.url, model: lm.modelName, requestBudget: 3 } },
      }),
    );
    const { code, stderr } = await fails(['run', input, '--recipe', recipe, '--out', join(tmp, 'x')]);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^winnow: job j[0-9a-z]+ failed: score shard \d+: provider "lm" has no request left for this task: the job's budget of 3 requests is shared by its (\d+) tasks, less than one each; raise providers\.lm\.requestBudget in the recipe to at least \1 \(see .+report\.html\)\n$/,
    );
    expect(lm.stats().requests).toBe(0);
  }, 240_000);
});
