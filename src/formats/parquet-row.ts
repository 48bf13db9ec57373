import type { RecordError } from '../../schemas/output.ts';
import { firstInvalidUtf8 } from './bytes.ts';

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A string column's value that is not UTF-8: kept as bytes, so the row it is in can say so. */
export class NotUtf8Value {
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }
}

/**
 * hyparquet's string parser, strict: bytes that are not UTF-8 become a NotUtf8Value instead of text
 * with U+FFFD in it, as a JSONL line that is not UTF-8 is an error rather than a record.
 */
export function stringFromBytes(bytes: Uint8Array): string | NotUtf8Value {
  try {
    return strict.decode(bytes);
  } catch {
    return new NotUtf8Value(bytes);
  }
}

/** Why a value of a row has no JSON form; `path` names it in its column (`messages[1].content`). */
export class RowValueError extends Error {
  readonly error: RecordError;
  constructor(error: RecordError) {
    super(error.message);
    this.error = error;
  }
}

function describeType(v: unknown): string {
  if (v instanceof Uint8Array) return `a binary value (${v.length} bytes)`;
  if (typeof v === 'object' && v !== null) return `a ${v.constructor?.name ?? 'object'}`;
  return `a ${typeof v}`;
}

/**
 * A Parquet value as the JSON value its JSONL form would parse to: BigInt (INT64) becomes a number, as
 * `JSON.parse` reads a long integer; a timestamp or date its ISO text; NaN and infinities null (as
 * `JSON.stringify` writes them); lists arrays and structs objects. A null field of a struct is left
 * out: Parquet cannot tell a missing key from a null, and files converted from JSONL with optional
 * keys hold null there. A value with no JSON form (raw binary) throws a RowValueError naming its path.
 */
export function toJsonValue(v: unknown, path: string): unknown {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? v : null;
    case 'bigint':
      return Number(v);
    case 'undefined':
      return null;
  }
  if (v === null) return null;
  if (Array.isArray(v)) return v.map((x, i) => toJsonValue(x, `${path}[${i}]`));
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (v instanceof NotUtf8Value) {
    const at = firstInvalidUtf8(v.bytes);
    const byte = `0x${v.bytes[at].toString(16).padStart(2, '0')}`;
    throw new RowValueError({
      code: 'invalid_utf8',
      message: `not valid UTF-8: byte ${byte} at byte ${at} of the value; a string column must hold UTF-8`,
      path,
    });
  }
  if (ArrayBuffer.isView(v) && !(v instanceof Uint8Array) && !(v instanceof DataView)) {
    // A list of numbers hyparquet decoded into a typed array.
    return Array.from(v as unknown as ArrayLike<number | bigint>, (x, i) => toJsonValue(x, `${path}[${i}]`));
  }
  if (Object.getPrototypeOf(v) === Object.prototype) return toJsonObject(v as Record<string, unknown>, path);
  throw new RowValueError({
    code: 'unmappable_type',
    message: `${describeType(v)} has no JSON form (a BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY column without a string, JSON or other logical type); a record is JSON, so convert the column or drop it`,
    path,
  });
}

/** A struct (or a row) as an object, its null fields left out. */
export function toJsonObject(v: Record<string, unknown>, path = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(v)) {
    const x = v[key];
    if (x === null || x === undefined) continue;
    const value = toJsonValue(x, path === '' ? key : `${path}.${key}`);
    // As JSON.parse does: a `__proto__` key is a field, not the object's prototype.
    if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true });
    else out[key] = value;
  }
  return out;
}
