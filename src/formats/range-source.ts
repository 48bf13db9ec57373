/**
 * Random access to the bytes of one stored object. An R2 object, a file or an in-memory buffer
 * can sit behind it; the format layer only ever asks for byte ranges.
 */
export interface RangeSource {
  readonly size: number;
  /** Bytes [offset, offset + length), clamped to the end of the object. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** An in-memory source, for tests and small inputs. */
export function bytesSource(bytes: Uint8Array): RangeSource {
  return {
    size: bytes.length,
    async read(offset, length) {
      if (!Number.isInteger(offset) || offset < 0)
        throw new RangeError('offset must be a non-negative integer');
      if (!Number.isInteger(length) || length < 0)
        throw new RangeError('length must be a non-negative integer');
      return bytes.subarray(Math.min(offset, bytes.length), Math.min(offset + length, bytes.length));
    },
  };
}
