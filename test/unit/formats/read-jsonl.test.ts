import { describe, expect, it } from 'vitest';
import { bytesSource, isOversize, planShards, readShard } from '../../../src/formats/index.ts';
import { countingSource, encode, planAndRead, readAll, rng, SHARD_SIZES } from './helpers.ts';

interface Expected {
  records: { text: string; offset: number; line: number }[];
  lines: number;
}

/** The reference model: split the whole object on LF, as a careful reader of the full file would. */
function expectedJsonl(bytes: Uint8Array): Expected {
  const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  const records: Expected['records'] = [];
  let lines = 0;
  let start = 0;
  while (start < bytes.length) {
    let nl = bytes.indexOf(0x0a, start);
    if (nl < 0) nl = bytes.length;
    // A BOM at the start of any line is skipped (files joined with `cat` keep theirs).
    const bom = bytes[start] === 0xef && bytes[start + 1] === 0xbb && bytes[start + 2] === 0xbf;
    const from = bom ? start + 3 : start;
    const text = decoder.decode(bytes.subarray(from, nl)).replace(/\r$/, '');
    lines++;
    if (text.trim() !== '') records.push({ text, offset: from, line: lines });
    start = nl + 1;
  }
  return { records, lines };
}

async function expectShardingMatches(
  bytes: Uint8Array,
  shardSizes = SHARD_SIZES,
  chunkSizes = [1, 5, 1 << 20],
) {
  const want = expectedJsonl(bytes);
  for (const shardBytes of shardSizes) {
    for (const chunkBytes of chunkSizes) {
      const got = await planAndRead(bytes, shardBytes, { chunkBytes });
      const ctx = `shardBytes=${shardBytes} chunkBytes=${chunkBytes}`;
      expect(got.lines, ctx).toBe(want.lines);
      expect(got.records, ctx).toBe(want.records.length);
      const seen = got.items.map(({ item, index, line }) => ({
        text: isOversize(item) ? '' : item.text,
        offset: item.offset,
        line,
        index,
      }));
      expect(seen, ctx).toEqual(want.records.map((r, index) => ({ ...r, index })));
    }
  }
}

describe('readShard (jsonl)', () => {
  const tricky = [
    '{"a":1}',
    '',
    '   ',
    '{"b":"héllo 世界 🎉"}\r',
    '{"c":[1,2],"d":"x\\ny"}\r',
    '\r',
    '\t',
    '{"e":"ends with a backslash \\\\"}',
    '{"f":"ünïcödé \\u00e9"}',
  ];

  it('owns every line exactly once, in order, for any shard size (final newline)', async () => {
    await expectShardingMatches(encode(`${tricky.join('\n')}\n`));
  });

  it('owns every line exactly once without a final newline, and with blank trailing lines', async () => {
    await expectShardingMatches(encode(tricky.join('\n')));
    await expectShardingMatches(encode(`${tricky.join('\n')}\n\n\n`));
  });

  it('skips a BOM at offset 0 and reports the record after it', async () => {
    const bytes = encode('\uFEFF{"a":1}\n{"b":2}\n');
    expect(bytes.subarray(0, 3)).toEqual(Uint8Array.of(0xef, 0xbb, 0xbf));
    await expectShardingMatches(bytes);
    const { items } = await planAndRead(bytes, 1);
    expect(items.map((i) => [i.item.offset, i.shard])).toEqual([
      [3, 0],
      [11, 11],
    ]);
  });

  it('skips a BOM at the start of any line, as files joined with cat have them', async () => {
    const bytes = encode('\uFEFF{"a":1}\n\uFEFF{"b":2}\r\n{"c":"\uFEFF"}\n\uFEFF\n');
    await expectShardingMatches(bytes);
    const { items, records, lines } = await planAndRead(bytes, 1 << 20);
    expect([records, lines]).toEqual([3, 4]);
    // Offsets are those of the record's first byte after the mark; a mark inside a string stays.
    expect(items.map((i) => [isOversize(i.item) ? '' : i.item.text, i.item.offset])).toEqual([
      ['{"a":1}', 3],
      ['{"b":2}', 14],
      ['{"c":"\uFEFF"}', 23],
    ]);
  });

  it('marks each line that is not UTF-8 with its first bad byte, and reads the others', async () => {
    const good = encode('{"ok":"é"}');
    const bad: [number[], number][] = [
      [[0x22, 0xff, 0x22], 1], // a byte UTF-8 never uses
      [[0x22, 0x61, 0xc0, 0x80, 0x22], 2], // an overlong form of U+0000
      [[0x22, 0xe2, 0x82, 0x22], 1], // a sequence cut short
      [[0x22, 0xed, 0xa0, 0x80, 0x22], 1], // a UTF-16 surrogate
      [[0x22, 0xc3, 0xa9, 0xf4, 0x90, 0x80, 0x80, 0x22], 3], // above U+10FFFF, after a good é
    ];
    const pieces: number[] = [];
    for (const [line] of bad) pieces.push(...good, 0x0a, ...line, 0x0a);
    pieces.push(...good);
    const bytes = Uint8Array.from(pieces);
    for (const shardBytes of [1, 7, 1 << 20]) {
      for (const chunkBytes of [1, 5, 1 << 20]) {
        const { items, records } = await planAndRead(bytes, shardBytes, { chunkBytes });
        expect(records).toBe(11);
        const marks = items.map(({ item, line }) =>
          isOversize(item) || !item.notUtf8 ? line : { line, ...item.notUtf8 },
        );
        expect(marks).toEqual([
          1,
          { line: 2, at: 1, byte: 0xff },
          3,
          { line: 4, at: 2, byte: 0xc0 },
          5,
          { line: 6, at: 1, byte: 0xe2 },
          7,
          { line: 8, at: 1, byte: 0xed },
          9,
          { line: 10, at: 3, byte: 0xf4 },
          11,
        ]);
      }
    }
  });

  it('adds up on generated files with blank lines, CRLF and multibyte text', async () => {
    const rand = rng(7);
    const words = ['alpha', 'βήτα', '伽马', '🎉🎉', 'd"q', 'back\\slash', 'tab\there', ' '];
    for (let file = 0; file < 6; file++) {
      const lines: string[] = [];
      for (let i = 0; i < 120; i++) {
        const r = rand();
        if (r < 0.1) lines.push('');
        else if (r < 0.15) lines.push(' \t ');
        else {
          const n = Math.floor(rand() * 30);
          const text = Array.from({ length: n }, () => words[Math.floor(rand() * words.length)]).join(' ');
          lines.push(JSON.stringify({ i, text }) + (rand() < 0.3 ? '\r' : ''));
        }
      }
      const text = lines.join('\n') + (file % 2 === 0 ? '\n' : '');
      await expectShardingMatches(encode(text), [1, 7, 64, 333, 2048, 1 << 20], [1, 64, 1 << 20]);
    }
  });

  it('plans jsonl without reading it: contiguous ranges of shardBytes', async () => {
    const src = countingSource(encode('{"a":1}\n'.repeat(100)));
    const shards = await planShards(src, { part: 3, shardBytes: 300 });
    expect(shards.map((s) => [s.start, s.end])).toEqual([
      [0, 300],
      [300, 600],
      [600, 800],
    ]);
    expect(shards.every((s) => s.part === 3 && s.container === 'jsonl')).toBe(true);
    expect(src.bytesRead).toBe(800); // only container detection, in one small read
    expect(src.reads).toBe(1);
  });

  it('reads only its own range plus the line that straddles its end', async () => {
    const line = `${JSON.stringify({ pad: 'x'.repeat(90) })}\n`; // 101 bytes
    const bytes = encode(line.repeat(1000));
    const shardBytes = 10_000;
    const src = countingSource(bytes);
    const shards = await planShards(src, { part: 0, shardBytes, chunkBytes: 512 });
    const middle = shards[5];
    src.bytesRead = 0;
    const { records } = await readAll(src, [middle], { chunkBytes: 512 });
    expect(records).toBeGreaterThan(95);
    expect(src.bytesRead).toBeLessThanOrEqual(shardBytes + line.length + 512 + 1);
  });

  it('yields a line longer than maxRecordBytes as oversize, still counted, with its head', async () => {
    const long = JSON.stringify({ text: 'é'.repeat(5000) });
    const text = `{"a":1}\n${long}\r\n\n{"b":2}\n`;
    for (const chunkBytes of [3, 64, 1 << 20]) {
      const { items, records, lines } = await planAndRead(text, 1 << 20, { chunkBytes, maxRecordBytes: 100 });
      expect([records, lines]).toEqual([3, 4]);
      const big = items[1].item;
      expect(isOversize(big)).toBe(true);
      if (!isOversize(big)) return;
      expect(big).toMatchObject({ offset: 8, local: 1, localLine: 2, bytes: encode(long).length });
      expect(big.head).toBe(long.slice(0, 200));
      expect(items.map((i) => i.index)).toEqual([0, 1, 2]);
    }
  });

  it('draws the oversize line at exactly maxRecordBytes, ignoring the CR', async () => {
    const exact = `"${'x'.repeat(8)}"`; // 10 bytes
    const items = [];
    for await (const item of readShard(
      bytesSource(encode(`${exact}\r\n${exact}x\n`)),
      {
        part: 0,
        container: 'jsonl',
        start: 0,
        end: 24,
      },
      { maxRecordBytes: 10, chunkBytes: 4 },
    ))
      items.push(item);
    expect(items.map((i) => (isOversize(i) ? `oversize ${i.bytes}` : 'text' in i && i.text))).toEqual([
      exact,
      'oversize 11',
    ]);
  });

  it('returns no shards for an empty or whitespace-only object', async () => {
    for (const text of ['', '\n\n', ' \r\n\t']) {
      expect(await planShards(bytesSource(encode(text)), { part: 0, shardBytes: 10 })).toEqual([]);
    }
  });
});
