import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { MAX_JSON_BODY_BYTES, MAX_RECORD_BYTES } from '../../src/limits.ts';
import { TEST_MAX_UPLOAD_BYTES } from '../support/limits.ts';
import { api, json, lines, output, startJob, upload, waitForJob } from './helpers.ts';

// Issue #16: every kind of bad input, through the real routes, queues and Durable Objects. A bad record
// is an invalid line that says where (line, or byte offset) and why (code, field); every other record
// still comes out, and each input record exactly once. Input that cannot be read as a whole is refused
// with a status and an error that locates it, and a refused upload leaves the dataset as it was.

const enc = new TextEncoder();
const bytes = (...parts: (string | number[] | Uint8Array)[]) => {
  const all = parts.map((p) => (typeof p === 'string' ? enc.encode(p) : Uint8Array.from(p)));
  const out = new Uint8Array(all.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of all) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
/** A distinct, valid alpaca record. */
const rec = (i: number) =>
  JSON.stringify({ instruction: `Question ${i}: how do ${i} things work?`, output: `In ${i} ways, mostly.` });
const RECIPE = { scorers: [{ id: 'length' }], select: { budget: '100%' } };

async function gzip(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Upload, run, and check the accounting: every input record out exactly once, at its own index. */
async function accounted(name: string, body: string | Uint8Array, records: number) {
  const res = await upload(name, body);
  expect(res.status, await res.clone().text()).toBe(201);
  const id = await startJob(name, RECIPE);
  const status = await waitForJob(id);
  expect(status.error).toBeNull();
  const selected = lines(await output(id, 'selected.jsonl'));
  const rejected = lines(await output(id, 'rejected.jsonl'));
  const invalid = lines(await output(id, 'invalid.jsonl'));
  const report = JSON.parse(await output(id, 'report.json'));
  expect(report.counts.input).toBe(records);
  expect(selected.length + rejected.length + invalid.length).toBe(records);
  const indices = [...selected, ...rejected, ...invalid].map((l) => l.source.index).sort((a, b) => a - b);
  expect(indices).toEqual(Array.from({ length: records }, (_, i) => i));
  return { selected, rejected, invalid, report };
}

/** An invalid line as the closing table shows it. */
const where = (l: { source: object; offset: number; error: object }) => ({
  ...l.source,
  offset: l.offset,
  ...l.error,
});

describe('bad records are located, and lose nothing else', () => {
  it('an empty file: no job starts (422 dataset_empty); a whitespace-only one: a job of no records', async () => {
    expect((await upload('bad-empty', '')).status).toBe(201);
    const res = await api('/v1/jobs', {
      method: 'POST',
      body: JSON.stringify({ dataset: 'bad-empty', recipe: RECIPE }),
    });
    expect(res.status).toBe(422);
    expect((await json(res)).error).toMatchObject({
      code: 'dataset_empty',
      message:
        'dataset "bad-empty" has no records: its object holds 0 bytes; upload a file with records first',
    });
    const { report } = await accounted('bad-blank', ' \n\t\r\n  \n', 0);
    expect(report.counts).toEqual({ input: 0, valid: 0, invalid: 0, selected: 0, rejected: 0 });
  });

  it('invalid UTF-8 and NUL bytes: the line and the byte', async () => {
    const line2 = bytes('{"instruction":"caf', [0xe9], '","output":"latin-1, not UTF-8"}');
    const body = bytes(
      `${rec(0)}\n`,
      line2,
      '\n',
      '{"instruction":"a',
      [0],
      'b","output":"c"}\n',
      [0, 0],
      `\n${rec(4)}\n`,
    );
    const { invalid, selected } = await accounted('bad-bytes', body, 5);
    const second = enc.encode(`${rec(0)}\n`).length;
    expect(invalid.map(where)).toEqual([
      {
        index: 1,
        line: 2,
        offset: second,
        code: 'invalid_utf8',
        message: `not valid UTF-8: byte 0xe9 at byte 19 of the record (byte ${second + 19} of the file); JSON text must be UTF-8`,
      },
      {
        index: 2,
        line: 3,
        offset: second + line2.length + 1,
        code: 'invalid_json',
        message: expect.stringMatching(
          /^not valid JSON: Bad control character in string literal .*position 17/,
        ),
      },
      {
        index: 3,
        line: 4,
        offset: expect.any(Number),
        code: 'invalid_json',
        message: expect.stringMatching(/^not valid JSON: /),
      },
    ]);
    // The bad line's raw text shows where the byte was, as U+FFFD; it is never a record.
    expect(invalid[0].raw).toBe('{"instruction":"caf\uFFFD","output":"latin-1, not UTF-8"}');
    expect(selected.map((l) => l.source.index).sort()).toEqual([0, 4]);
  });

  it('a BOM at the start of the file and of a later line, and CRLF line ends, are read through', async () => {
    const body = `\uFEFF${rec(0)}\r\n${rec(1)}\r\n\r\n\uFEFF${rec(2)}\r\n`;
    const { invalid, selected, rejected } = await accounted('bad-bom-crlf', body, 3);
    expect(invalid).toEqual([]);
    const kept = [...selected, ...rejected].sort((a, b) => a.source.index - b.source.index);
    expect(kept.map((l) => [l.source.index, l.source.line, l.record.instruction])).toEqual([
      [0, 1, 'Question 0: how do 0 things work?'],
      [1, 2, 'Question 1: how do 1 things work?'],
      [2, 4, 'Question 2: how do 2 things work?'],
    ]);
    // A JSON array with a BOM reads the same.
    const array = await accounted('bad-bom-array', `\uFEFF[${rec(0)},\r\n${rec(1)}]`, 2);
    expect(array.invalid).toEqual([]);
  });

  it('a line over the record size limit: its size and the limit, and the lines around it', async () => {
    const long = `{"instruction":"${'x'.repeat(MAX_RECORD_BYTES)}","output":"y"}`;
    const body = `${rec(0)}\n${long}\n${rec(2)}\n`;
    const { invalid, selected } = await accounted('bad-oversize', body, 3);
    expect(invalid.map(where)).toEqual([
      {
        index: 1,
        line: 2,
        offset: rec(0).length + 1,
        code: 'record_too_large',
        message: `record is ${long.length} bytes, over the 8 MiB (8388608 bytes) limit for a record`,
      },
    ]);
    expect(invalid[0].raw).toBe(long.slice(0, 200));
    expect(selected).toHaveLength(2);
  });

  it('deeply nested JSON: the field, one record, not the shard', async () => {
    const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    const body = [
      rec(0),
      `{"instruction":"a","output":"b","meta":${deep(100_000)}}`,
      deep(200_000),
      `{"instruction":"c","output":"d","meta":${deep(100)}}`,
    ].join('\n');
    const { invalid, selected } = await accounted('bad-deep', body, 4);
    expect(invalid.map(where)).toEqual([
      {
        index: 1,
        line: 2,
        offset: rec(0).length + 1,
        code: 'record_too_deep',
        path: 'meta',
        message: 'meta: nested more than 128 levels deep (objects and arrays), over the limit for a record',
      },
      {
        index: 2,
        line: 3,
        offset: expect.any(Number),
        code: 'invalid_record',
        message: 'record is an array, expected an object',
      },
    ]);
    expect(selected.map((l) => l.source.index).sort()).toEqual([0, 3]);
  });

  it('missing and wrongly typed fields: the field and what was expected', async () => {
    const body = [
      rec(0),
      '{"instruction":"a"}',
      '{"instruction":5,"output":"x"}',
      '{"conversations":[{"from":"human","value":"hi"},{"from":"robot","value":1}]}',
      '{"messages":[{"role":"user","content":"q"}]}',
      rec(5),
    ].join('\n');
    const { invalid } = await accounted('bad-fields', body, 6);
    expect(invalid.map((l) => [l.source.line, l.error.code, l.error.path, l.error.message])).toEqual([
      [
        2,
        'unknown_format',
        'output',
        'record has none of the keys of a known format: instruction+output (alpaca), conversations (sharegpt), messages (openai); it has: instruction (alpaca needs both instruction and output)',
      ],
      [3, 'invalid_record', 'instruction', 'instruction: expected string, received number'],
      [
        4,
        'invalid_record',
        'conversations[1].from',
        expect.stringMatching(
          /^conversations\[1\]\.from: .*received "robot"; conversations\[1\]\.value: expected string, received number$/,
        ),
      ],
      [
        5,
        'invalid_record',
        'messages',
        'messages: no assistant turn with non-empty content (needs at least one user and one assistant turn)',
      ],
    ]);
  });

  it('mixed formats in one file: each record read by its own keys', async () => {
    const body = [
      rec(0),
      JSON.stringify({
        conversations: [
          { from: 'human', value: 'hi there' },
          { from: 'gpt', value: 'hello to you' },
        ],
      }),
      JSON.stringify({
        messages: [
          { role: 'user', content: 'a question?' },
          { role: 'assistant', content: 'an answer' },
        ],
      }),
      '[1, 2]',
      '"a string"',
      JSON.stringify({ prompt: 'p', completion: 'c' }),
    ].join('\n');
    const { invalid, selected, rejected } = await accounted('bad-mixed', body, 6);
    const kept = [...selected, ...rejected].sort((a, b) => a.source.index - b.source.index);
    expect(kept.map((l) => Object.keys(l.record)[0])).toEqual(['instruction', 'conversations', 'messages']);
    expect(invalid.map((l) => [l.source.line, l.error.code, l.error.message])).toEqual([
      [4, 'invalid_record', 'record is an array, expected an object'],
      [5, 'invalid_record', 'record is a string, expected an object'],
      [
        6,
        'unknown_format',
        'record has none of the keys of a known format: instruction+output (alpaca), conversations (sharegpt), messages (openai); it has: prompt, completion',
      ],
    ]);
  });

  it('duplicate records: each copy rejected, naming the record kept', async () => {
    const copy = JSON.stringify({
      instruction: 'Question 0:  how do 0 things work?',
      output: 'In 0 ways, mostly.',
    });
    const body = [rec(0), rec(0), rec(1), copy].join('\n');
    const { rejected, selected } = await accounted('bad-dups', body, 4);
    const dups = rejected.filter((l) => l.reason === 'duplicate');
    expect(dups.map((l) => l.source.index).sort()).toEqual([1, 3]);
    const kept = selected.find((l) => l.source.index === 0);
    expect(dups.every((l) => l.duplicateOf === kept.id)).toBe(true);
  });

  it('a JSON array: a bad element is located by its byte offset, the others read', async () => {
    const head = `[${rec(0)},\n `;
    const body = bytes(
      head,
      '{"instruction":"x","output":',
      [0xff],
      '},\n {"instruction":"y"},\n',
      `${rec(3)}]`,
    );
    const { invalid } = await accounted('bad-array', body, 4);
    expect(invalid.map(where)).toEqual([
      expect.objectContaining({ index: 1, offset: enc.encode(head).length, code: 'invalid_utf8' }),
      expect.objectContaining({ index: 2, code: 'unknown_format', path: 'output' }),
    ]);
    expect(invalid.every((l) => l.source.line === undefined)).toBe(true);
  });
});

describe('input that cannot be read as a whole is refused, located, and stores nothing', () => {
  it('a JSON array with trailing garbage fails its job at the byte', async () => {
    const body = `[${rec(0)},${rec(1)}] xyz`;
    expect((await upload('bad-trailing', body)).status).toBe(201);
    const status = await waitForJob(await startJob('bad-trailing', RECIPE));
    expect(status.state).toBe('failed');
    const close = body.indexOf('] xyz');
    expect(status.error).toBe(
      `plan shard 0: byte ${close + 2}: unexpected 'x' after the array closed at byte ${close}`,
    );
  });

  it('truncated gzip: a 422 naming the compressed byte, and the dataset as it was', async () => {
    expect((await upload('bad-gz', `${rec(0)}\n`)).status).toBe(201);
    const gz = await gzip(enc.encode(`${rec(1)}\n`.repeat(2000)));
    const res = await upload('bad-gz', gz.subarray(0, 400));
    expect(res.status).toBe(422);
    const { error } = await json(res);
    expect(error.code).toBe('malformed_input');
    expect(error.message).toMatch(
      /^the upload starts like gzip but is not valid gzip: unexpected EOF, at compressed byte 400 \(\d+ bytes decompressed before it\)$/,
    );
    // Nothing was stored: the dataset is still the one record uploaded before.
    const info = await json(await api('/v1/datasets/bad-gz'));
    expect(info.bytes).toBe(rec(0).length + 1);
    expect(await (await env.DATA_BUCKET.get(info.objects[0].key))!.text()).toBe(`${rec(0)}\n`);
  });

  it(`a gzip bomb is refused at MAX_UPLOAD_BYTES (here ${TEST_MAX_UPLOAD_BYTES}), having read little of it`, async () => {
    expect((await upload('bad-bomb', `${rec(0)}\n`)).status).toBe(201);
    // 1 GiB of spaces in about 1 MB: 128 gzip members of 8 MiB each.
    const member = await gzip(new Uint8Array(8 * 1024 * 1024).fill(0x20));
    const bomb = bytes(...Array.from({ length: 128 }, () => member));
    const res = await upload('bad-bomb', bomb);
    expect(res.status).toBe(413);
    const { error } = await json(res);
    expect(error.code).toBe('payload_too_large');
    const m =
      /^the upload decompresses to more than 24 MiB \(25165824 bytes\) \(refused after (\d+) compressed bytes\), the most one upload may store \(MAX_UPLOAD_BYTES\): send the dataset in parts/.exec(
        error.message,
      );
    expect(m, error.message).not.toBeNull();
    // About 24 MiB / 1032 of the body was inflated, not the whole of it.
    expect(Number(m![1])).toBeLessThan(bomb.length / 20);
    expect(error.details).toEqual({ limit: 'MAX_UPLOAD_BYTES', maxBytes: TEST_MAX_UPLOAD_BYTES, gzip: true });
    const info = await json(await api('/v1/datasets/bad-bomb'));
    expect(info.bytes).toBe(rec(0).length + 1);
  });

  it('a plain upload, a part and a round over MAX_UPLOAD_BYTES are refused the same way', async () => {
    const big = new Uint8Array(TEST_MAX_UPLOAD_BYTES + 1).fill(0x0a);
    const res = await upload('bad-big', big);
    expect(res.status).toBe(413);
    expect((await json(res)).error.message).toBe(
      `the upload is over 24 MiB (25165824 bytes), the most one upload may store (MAX_UPLOAD_BYTES): send the dataset in parts (PUT /v1/datasets/{name}/parts/{part}) or register it from the bucket, or raise MAX_UPLOAD_BYTES in [vars]`,
    );
    expect((await api('/v1/datasets/bad-big')).status).toBe(404);
    await upload('bad-big', `${rec(0)}\n`);
    const part = await api('/v1/datasets/bad-big/parts/p1', { method: 'PUT', body: big });
    expect(part.status).toBe(413);
    expect((await json(part)).error.message).toMatch(/^the part is over 24 MiB .*: send it as several parts/);
    expect((await json(await api('/v1/datasets/bad-big'))).objects).toHaveLength(1);
  });
});

describe('names and ids are refused with the rule they break', () => {
  const rule = (what: string) =>
    `${what} names are 1-128 of A-Z a-z 0-9 . _ - and start with a letter or digit`;

  it('dataset, part and pair set names: traversal, encoded traversal, over-long, non-ASCII', async () => {
    await upload('named', `${rec(0)}\n`);
    const refused: [string, string, string][] = [
      ['PUT', '/v1/datasets/..%2f..%2fjobs', 'name'],
      ['PUT', '/v1/datasets/%2e%2e%2fetc', 'name'],
      ['PUT', '/v1/datasets/..%5cwin', 'name'],
      ['PUT', '/v1/datasets/%252e%252e%252f', 'name'],
      ['PUT', '/v1/datasets/a%2Fb', 'name'],
      ['PUT', `/v1/datasets/${'a'.repeat(129)}`, 'name'],
      ['PUT', '/v1/datasets/caf%C3%A9', 'name'],
      ['PUT', '/v1/datasets/a%00b', 'name'],
      ['GET', '/v1/datasets/..%2fnamed', 'name'],
      ['PUT', '/v1/datasets/named/parts/..%2f..%2fupload', 'part'],
      ['PUT', '/v1/pairs/%2e%2e%2fx', 'set'],
    ];
    for (const [method, path, param] of refused) {
      const res = await api(path, { method, body: method === 'PUT' ? `${rec(0)}\n` : undefined });
      expect(res.status, path).toBe(400);
      const what = { name: 'dataset', part: 'part', set: 'pair set' }[param]!;
      expect((await json(res)).error, path).toEqual({
        code: 'validation_failed',
        message: `request path is invalid: ${param}: ${rule(what)}`,
        details: [{ code: 'invalid_format', path: param, message: rule(what) }],
      });
    }
    // A bare `..` segment is resolved by the URL parser before routing: it never names a dataset.
    const dots = await api('/v1/datasets/%2e%2e', { method: 'PUT', body: `${rec(0)}\n` });
    expect(dots.status).toBe(404);
    expect((await json(dots)).error.message).toBe('no route PUT /v1/');
    // The longest name allowed is taken.
    expect((await upload('a'.repeat(128), `${rec(0)}\n`)).status).toBe(201);
  });

  it('job and run ids: a 400 that states the rule; an unknown well-formed id stays a 404', async () => {
    for (const path of [
      '/v1/jobs/..%2f..%2fdatasets',
      '/v1/jobs/j..%2f',
      '/v1/jobs/J0123456789',
      `/v1/jobs/j${'0'.repeat(41)}`,
      '/v1/jobs/j%C3%A90123456789/outputs',
      '/v1/jobs/..%2fx/outputs/report.json',
      '/v1/datasets/named/runs/..%2fx/diff',
    ]) {
      const res = await api(path);
      expect(res.status, path).toBe(400);
      expect((await json(res)).error.details[0].message, path).toBe(
        'job ids are "j" then 8-40 of 0-9 a-z, as POST /v1/jobs returns them',
      );
    }
    const run = await api('/v1/runs/..%2fx');
    expect(run.status).toBe(400);
    expect((await json(run)).error.message).toBe(
      'request path is invalid: id: sampler run ids are "r" then 8-40 of 0-9 a-z, as POST /v1/runs returns them',
    );
    expect((await api('/v1/jobs/j0000000000')).status).toBe(404);
    expect((await api('/v1/runs/r0000000000')).status).toBe(404);
  });
});

describe('limits on requests', () => {
  it(`a JSON body over ${MAX_JSON_BODY_BYTES} bytes is a 413, whether or not it declares its length`, async () => {
    await upload('limits', `${rec(0)}\n`);
    const recipe = { scorers: [{ id: 'identity', config: { name: 'x'.repeat(MAX_JSON_BODY_BYTES) } }] };
    const text = JSON.stringify({ dataset: 'limits', recipe });
    const declared = await api('/v1/jobs', { method: 'POST', body: text });
    expect(declared.status).toBe(413);
    expect((await json(declared)).error).toEqual({
      code: 'payload_too_large',
      message: `request body is ${text.length} bytes, over the 1 MiB (1048576 bytes) limit for a JSON body: a recipe names its reference data ("dataset:<name>") rather than holding it`,
      details: { limit: 'MAX_JSON_BODY_BYTES', maxBytes: MAX_JSON_BODY_BYTES },
    });
    // Streamed, with no Content-Length: refused once the limit is passed.
    const data = enc.encode(text);
    let at = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (at >= data.length) return c.close();
        c.enqueue(data.subarray(at, at + 65536));
        at += 65536;
      },
    });
    const chunked = await api('/v1/jobs', { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);
    expect((await json(chunked)).error.message).toMatch(/^request body is over the 1 MiB/);
    // Just under the limit is read (and then validated).
    const under = await api('/v1/jobs', {
      method: 'POST',
      body: `${text.slice(0, MAX_JSON_BODY_BYTES - 10)}`,
    });
    expect(under.status).toBe(400);
    expect((await json(under)).error.code).toBe('invalid_json');
  });

  it('a dataset that would cut into more than 10,000 shards is refused before its job starts', async () => {
    await upload('many-shards', `${rec(0)}\n`.repeat(200_000));
    const res = await api('/v1/jobs', {
      method: 'POST',
      body: JSON.stringify({ dataset: 'many-shards', recipe: { shardBytes: 1024 } }),
    });
    const info = await json(await api('/v1/datasets/many-shards'));
    expect(info.bytes).toBeGreaterThan(10_000 * 1024);
    expect(res.status).toBe(422);
    const { error } = await json(res);
    expect(error.code).toBe('too_many_shards');
    expect(error.message).toMatch(
      /^recipe\.shardBytes: .* in 1 object cut into shards of 1 KiB makes up to \d+ shards, over the limit of 10000 per job: set recipe\.shardBytes to \d+ \(.*\) or more$/,
    );
  });
});
