import { describe, expect, it } from 'vitest';
import { Sha256, streamingSha256 } from '../../src/formats/sha256.ts';
import { hex } from '../../src/util/hex.ts';

describe('streamingSha256 on workerd', () => {
  it("uses the runtime's DigestStream and gives the JavaScript Sha256's digest, over any pieces", async () => {
    expect(typeof (globalThis as { crypto?: { DigestStream?: unknown } }).crypto?.DigestStream).toBe(
      'function',
    );
    const bytes = Uint8Array.from({ length: 200_003 }, (_, i) => (i * 2654435761) >>> 24);
    for (const cuts of [[], [0], [1, 63, 64, 65], [100_000], [7, 70_000, 199_999]]) {
      const native = streamingSha256();
      const js = new Sha256();
      let at = 0;
      for (const c of [...cuts, bytes.length]) {
        await native.update(bytes.subarray(at, c));
        js.update(bytes.subarray(at, c));
        at = c;
      }
      expect(hex(await native.digest())).toBe(hex(js.digest()));
    }
    const empty = streamingSha256();
    expect(hex(await empty.digest())).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });
});
