import { describe, expect, it } from 'vitest';
import { WinnowError } from '../../../src/errors.ts';
import {
  type ArrayScanState,
  createArrayScanner,
  detectContainer,
  planShards,
} from '../../../src/formats/index.ts';
import { encode, source } from './helpers.ts';

async function planError(text: string, chunkBytes?: number): Promise<WinnowError> {
  try {
    await planShards(source(text), { part: 0, shardBytes: 8, chunkBytes });
  } catch (e) {
    if (e instanceof WinnowError) return e;
    throw e;
  }
  throw new Error(`planned without error: ${text}`);
}

describe('detectContainer', () => {
  it('detects by the first byte after a BOM and whitespace', async () => {
    expect(await detectContainer(source('[1]'))).toBe('json-array');
    expect(await detectContainer(source('\uFEFF \r\n\t[{"a":1}]'))).toBe('json-array');
    expect(await detectContainer(source('{"a":1}\n'))).toBe('jsonl');
    expect(await detectContainer(source('\n\n  "x"\n'))).toBe('jsonl');
    expect(await detectContainer(source(`${' '.repeat(5000)}[]`), 16)).toBe('json-array');
  });

  it('returns null for an empty or whitespace-only object', async () => {
    expect(await detectContainer(source(''))).toBeNull();
    expect(await detectContainer(source('\uFEFF'))).toBeNull();
    expect(await detectContainer(source(' \n\r\t '))).toBeNull();
  });
});

describe('planShards options', () => {
  it('rejects a non-positive shardBytes', async () => {
    await expect(planShards(source('{}'), { part: 0, shardBytes: 0 })).rejects.toThrow(
      'shardBytes must be a positive integer',
    );
    await expect(planShards(source('{}'), { part: -1, shardBytes: 5 })).rejects.toThrow(
      'part must be a non-negative integer',
    );
  });
});

describe('planShards (malformed json-array)', () => {
  const cases: Array<[string, string]> = [
    ['[{"a":1}, {"b":2}', `byte 17: unexpected end of input: expected ']' to close the top-level array`],
    ['[{"a":1}, {"b":[2, 3}]', `byte 20: expected ']' or ',' to continue '[' at byte 15, found '}'`],
    ['[{"a":"x}]', `byte 10: unexpected end of input inside the string that starts at byte 6`],
    ['[{"a":1}}]', `byte 8: expected ']' or ',' to continue the top-level array, found '}'`],
    ['[{"a":{"b":1}]', `byte 13: expected '}' or ',' to continue '{' at byte 1, found ']'`],
    ['[1, 2] 3', `byte 7: unexpected '3' after the array closed at byte 5`],
    ['[1, 2]]', `byte 6: unexpected ']' after the array closed at byte 5`],
    ['[1,,2]', `byte 3: expected a value, found ','`],
    ['[,1]', `byte 1: expected a value, found ','`],
    ['[1, 2, ]', `byte 7: expected a value after ',', found ']' (trailing comma)`],
    ['[{"a": [1, {"b": 2}]', `byte 20: unexpected end of input: expected '}' to close '{' at byte 1`],
  ];

  it.each(cases)('%s', async (text, message) => {
    for (const chunkBytes of [1, 3, undefined]) {
      const err = await planError(text, chunkBytes);
      expect(err.code).toBe('malformed_input');
      expect(err.message).toBe(message);
      expect(err.path).toBe(message.split(':')[0]);
    }
  });

  it('pins the message format', async () => {
    const err = await planError(`[\n  {"instruction": "a"},\n  {"instruction": "b"]\n]`);
    expect(err.message).toMatchInlineSnapshot(
      `"byte 47: expected '}' or ',' to continue '{' at byte 28, found ']'"`,
    );
    expect(err.path).toMatchInlineSnapshot(`"byte 47"`);
  });

  it('does not fail on syntactically bad elements with balanced brackets', async () => {
    const shards = await planShards(source('[{"a": }, {"a":1,}, {"a" "b"}]'), { part: 0, shardBytes: 1 });
    expect(shards.map((s) => s.count)).toEqual([1, 1, 1]);
  });
});

describe('createArrayScanner', () => {
  it('resumes from a JSON checkpoint of its state with the same result', async () => {
    const bytes = encode(
      JSON.stringify([{ a: 'x\\"]' }, [1, [2, { b: '}' }]], 'é🎉', null, { c: { d: [] } }]),
    );
    const all: number[][] = [];
    const whole = createArrayScanner();
    whole.push(bytes, 0, (s, e, i) => all.push([s, e, i]));
    whole.finish();
    for (let cut = 0; cut <= bytes.length; cut++) {
      const seen: number[][] = [];
      const first = createArrayScanner();
      first.push(bytes.subarray(0, cut), 0, (s, e, i) => seen.push([s, e, i]));
      const saved = JSON.parse(JSON.stringify(first.state)) as ArrayScanState;
      const second = createArrayScanner(saved);
      second.push(bytes.subarray(cut), cut, (s, e, i) => seen.push([s, e, i]));
      second.finish();
      expect(seen, `cut at ${cut}`).toEqual(all);
    }
    expect(all.map(([, , i]) => i)).toEqual([0, 1, 2, 3, 4]);
  });

  it('rejects a chunk that does not continue where the last one ended', () => {
    const scanner = createArrayScanner();
    scanner.push(encode('[1,'), 0);
    expect(() => scanner.push(encode('2]'), 4)).toThrow('expected a chunk at offset 3, got 4');
  });
});
