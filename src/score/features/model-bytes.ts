/**
 * A compact binary container for learned models: typed-array tables plus a small JSON header.
 *
 * Layout: the 4 ASCII bytes `WNM1`, a little-endian u32 header length, the UTF-8 JSON header
 * `{ kind, meta, arrays: [{ name, type, length }] }`, zero padding to a multiple of 8, then each array's
 * bytes (little-endian, as typed arrays are on every supported platform), each padded to 8. Decoding
 * makes views into the given bytes when they are 8-aligned (no copy), else copies once.
 */
export type Table = Float64Array | Float32Array | Uint32Array | Int32Array | Uint8Array;
export type Meta = Record<string, number | string | boolean | number[] | string[]>;

const TYPES = {
  f64: Float64Array,
  f32: Float32Array,
  u32: Uint32Array,
  i32: Int32Array,
  u8: Uint8Array,
} as const;
type TypeName = keyof typeof TYPES;
const MAGIC = [0x57, 0x4e, 0x4d, 0x31];

function typeName(a: Table): TypeName {
  if (a instanceof Float64Array) return 'f64';
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Uint32Array) return 'u32';
  if (a instanceof Int32Array) return 'i32';
  return 'u8';
}

const pad8 = (n: number) => (n + 7) & ~7;

export function encodeTables(kind: string, meta: Meta, arrays: Record<string, Table>): Uint8Array {
  const entries = Object.entries(arrays);
  const header = new TextEncoder().encode(
    JSON.stringify({
      kind,
      meta,
      arrays: entries.map(([name, a]) => ({ name, type: typeName(a), length: a.length })),
    }),
  );
  let size = pad8(8 + header.length);
  for (const [, a] of entries) size += pad8(a.byteLength);
  const out = new Uint8Array(size);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, header.length, true);
  out.set(header, 8);
  let at = pad8(8 + header.length);
  for (const [, a] of entries) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += pad8(a.byteLength);
  }
  return out;
}

export interface DecodedTables {
  meta: Meta;
  arrays: Record<string, Table>;
}

export function decodeTables(bytes: Uint8Array, kind: string): DecodedTables {
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new TypeError(`not a ${kind} model: bad magic bytes`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as {
    kind: string;
    meta: Meta;
    arrays: { name: string; type: TypeName; length: number }[];
  };
  if (header.kind !== kind) throw new TypeError(`not a ${kind} model: it is a ${header.kind} model`);
  const aligned = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  const arrays: Record<string, Table> = {};
  let at = pad8(8 + headerLength);
  for (const { name, type, length } of header.arrays) {
    const T = TYPES[type];
    const byteLength = length * T.BYTES_PER_ELEMENT;
    if (at + byteLength > aligned.length) throw new TypeError(`${kind} model is truncated at array ${name}`);
    arrays[name] = new T(aligned.buffer as ArrayBuffer, aligned.byteOffset + at, length);
    at += pad8(byteLength);
  }
  return { meta: header.meta, arrays };
}
