import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeMatrix, encodeMatrix, MATRIX_HEADER_BYTES, npyHeader } from '../../../src/embed/index.ts';

const m = { data: Float32Array.from({ length: 12 }, (_, i) => i / 4 - 1.5), n: 3, dim: 4 };

/** A python3 that imports numpy (.ci/run installs python3-numpy), or undefined: that test is then skipped. */
const python = ['/usr/bin/python3', 'python3'].find(
  (p) => spawnSync(p, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0,
);

describe('matrix files', () => {
  it('round-trips, viewing the bytes in place when aligned', () => {
    const bytes = encodeMatrix(m);
    expect(bytes).toHaveLength(16 + 48);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('WNEM');
    const back = decodeMatrix(bytes);
    expect(back).toEqual(m);
    expect(back.data.buffer).toBe(bytes.buffer);
    expect(back.data.byteOffset % 16).toBe(0);
    // Misaligned bytes (offset 1 into a buffer) decode by copying.
    const odd = new Uint8Array(bytes.length + 1).subarray(1);
    odd.set(bytes);
    const copied = decodeMatrix(odd);
    expect(copied).toEqual(m);
    expect(copied.data.buffer).not.toBe(odd.buffer);
    expect(decodeMatrix(encodeMatrix({ data: new Float32Array(0), n: 0, dim: 384 }))).toEqual({
      data: new Float32Array(0),
      n: 0,
      dim: 384,
    });
  });

  it('says what is wrong with a bad file', () => {
    const bytes = encodeMatrix(m);
    expect(() => decodeMatrix(bytes.subarray(0, 10))).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: not a matrix file: 10 bytes, shorter than the 16-byte header]`,
    );
    const bad = bytes.slice();
    bad[0] = 0x58;
    expect(() => decodeMatrix(bad)).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: not a matrix file: bad magic bytes (want WNEM)]`,
    );
    expect(() => decodeMatrix(bytes.subarray(0, 60))).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: matrix file is truncated: 3 × 4 needs 64 bytes, got 60]`,
    );
    const longer = new Uint8Array(68);
    longer.set(bytes);
    expect(() => decodeMatrix(longer)).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: matrix file has 4 bytes past its 3 × 4 data]`,
    );
    const v2 = bytes.slice();
    v2[4] = 2;
    expect(() => decodeMatrix(v2)).toThrow('matrix file version 2 is not supported (want 1)');
    expect(() => encodeMatrix({ data: new Float32Array(5), n: 2, dim: 3 })).toThrow(
      'matrix data has 5 numbers, but n × dim = 6',
    );
  });
});

describe('npy header', () => {
  it('is a v1.0 header padded to 64 bytes, describing <f4 (n, dim)', () => {
    for (const [n, dim] of [
      [3, 4],
      [0, 256],
      [123456789, 1024],
    ]) {
      const h = npyHeader(n, dim);
      expect(h.length % 64).toBe(0);
      expect([...h.subarray(0, 8)]).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
      const len = new DataView(h.buffer).getUint16(8, true);
      expect(10 + len).toBe(h.length);
      const text = new TextDecoder('latin1').decode(h.subarray(10));
      expect(text.endsWith('\n')).toBe(true);
      expect(text.trimEnd()).toBe(`{'descr': '<f4', 'fortran_order': False, 'shape': (${n}, ${dim}), }`);
    }
  });

  const numpyName = 'makes a file numpy reads: the header, then the shards’ row data in order';
  it.skipIf(!python)(python ? numpyName : `${numpyName} (skipped: no python3 with numpy)`, () => {
    const shards = [m, { data: Float32Array.of(9, 8, 7, 6), n: 1, dim: 4 }].map(encodeMatrix);
    const file = new Uint8Array([
      ...npyHeader(4, 4),
      ...shards.flatMap((s) => [...s.subarray(MATRIX_HEADER_BYTES)]),
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'winnow-npy-'));
    try {
      const path = join(dir, 'e.npy');
      writeFileSync(path, file);
      const r = spawnSync(
        python!,
        [
          '-c',
          `import numpy, json; a = numpy.load(${JSON.stringify(path)}); print(json.dumps([str(a.dtype), list(a.shape), a.flatten().tolist()]))`,
        ],
        { encoding: 'utf8' },
      );
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toEqual(['float32', [4, 4], [...m.data, 9, 8, 7, 6]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
