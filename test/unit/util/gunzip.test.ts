import { gzipSync, crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/demo/index.ts';
import { crc32 } from '../../../src/util/crc32.ts';
import { capBytes, DEFLATE_MAX_RATIO, GzipError, gunzip, maybeGunzip } from '../../../src/util/index.ts';

async function* chunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of it) parts.push(c);
  return Buffer.concat(parts);
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: Error) => e,
  );

/** Text of `n` bytes that compresses about as JSONL does. */
function text(n: number, seed: number): Uint8Array {
  const rand = mulberry32(seed);
  const words = ['the', 'record', 'instruction', 'output', '{"a":', '"é"', '世界', '\n', '12345'];
  let s = '';
  while (s.length < n) s += `${words[Math.floor(rand() * words.length)]} `;
  return new TextEncoder().encode(s.slice(0, n));
}

describe('gunzip', () => {
  it('inflates one or several members, whatever the chunks and slices', async () => {
    const a = text(40_000, 1);
    const b = text(5_000, 2);
    const gz = Buffer.concat([gzipSync(a), gzipSync(b), gzipSync(new Uint8Array(0))]);
    for (const chunk of [1, 7, 4096, 1 << 20]) {
      for (const sliceBytes of [3, 8192]) {
        const out = await collect(gunzip(chunks(gz, chunk), { sliceBytes }));
        expect(Buffer.compare(out, Buffer.concat([a, b])), `chunk ${chunk} slice ${sliceBytes}`).toBe(0);
      }
    }
  });

  it('fails on a stream cut short anywhere, never giving a short output', async () => {
    const gz = gzipSync(text(3_000, 3));
    for (let cut = 1; cut < gz.length; cut++) {
      const e = await failure(collect(gunzip(chunks(gz.subarray(0, cut), 64))));
      expect(e, `cut at ${cut}`).toBeInstanceOf(GzipError);
      expect(e.message, `cut at ${cut}`).toMatch(/^not valid gzip: /);
    }
  });

  it('fails on a wrong checksum, a wrong length and trailing bytes', async () => {
    const gz = gzipSync(text(3_000, 4));
    const crc = Buffer.from(gz);
    crc[crc.length - 6] ^= 1;
    const size = Buffer.from(gz);
    size[size.length - 2] ^= 1;
    for (const bad of [crc, size]) {
      expect((await failure(collect(gunzip(chunks(bad, 100))))).message).toBe(
        `not valid gzip: its trailer does not match the data (the stream is cut short or corrupt) (after ${gz.length} compressed bytes)`,
      );
    }
    const junk = await failure(collect(gunzip(chunks(Buffer.concat([gz, Buffer.from('junk')]), 100))));
    expect(junk.message).toMatch(/^not valid gzip: invalid gzip data/);
  });

  it('stops reading a bomb once the consumer stops: bounded output per slice, little input read', async () => {
    // 256 MiB of spaces in about 256 KB of gzip: 32 members of 8 MiB each.
    const member = gzipSync(new Uint8Array(8 * 1024 * 1024).fill(0x20), { level: 9 });
    const bomb = Buffer.concat(Array.from({ length: 32 }, () => member));
    const seen = { bytes: 0 };
    let input = 0;
    let largest = 0;
    const over = () => new RangeError('over');
    const out = (async () => {
      for await (const c of capBytes(
        gunzip(chunks(bomb, 1 << 20), { onInput: (n) => (input = n) }),
        4 << 20,
        over,
        seen,
      ))
        largest = Math.max(largest, c.byteLength);
    })();
    expect((await failure(out)).message).toBe('over');
    expect(seen.bytes).toBeGreaterThan(4 << 20);
    // No chunk beyond what one 8 KiB slice can inflate to, and about 4 MiB / 1032 of input read.
    expect(largest).toBeLessThanOrEqual(8192 * DEFLATE_MAX_RATIO);
    expect(input).toBeLessThanOrEqual(Math.ceil((4 << 20) / DEFLATE_MAX_RATIO) + 2 * 8192);
    expect(input).toBeLessThan(bomb.length / 10);
  });
});

describe('maybeGunzip', () => {
  it('passes plain bytes through and gunzips a gzip stream, saying which', async () => {
    const plain = text(10_000, 5);
    const stream = (b: Uint8Array) => new Blob([b]).stream() as ReadableStream<Uint8Array>;
    const said: boolean[] = [];
    expect(Buffer.compare(await collect(maybeGunzip(stream(plain), (g) => said.push(g))), plain)).toBe(0);
    expect(
      Buffer.compare(await collect(maybeGunzip(stream(gzipSync(plain)), (g) => said.push(g))), plain),
    ).toBe(0);
    expect(said).toEqual([false, true]);
  });
});

describe('crc32', () => {
  it('matches zlib on every length around the 8-byte step, fed whole or in pieces', () => {
    const rand = mulberry32(9);
    for (let n = 0; n < 70; n++) {
      const bytes = Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
      const whole = crc32();
      whole.update(bytes);
      expect(whole.value(), `length ${n}`).toBe(zlibCrc32(bytes));
      const pieces = crc32();
      for (let at = 0; at < n; at += 3) pieces.update(bytes.subarray(at, at + 3));
      expect(pieces.value(), `length ${n} in pieces`).toBe(zlibCrc32(bytes));
    }
  });
});
