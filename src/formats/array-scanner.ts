import { WinnowError } from '../errors.ts';
import { BOM, describeByte, isJsonWhitespace } from './bytes.ts';

/**
 * A resumable byte-level scanner over a top-level JSON array. It tracks brackets, strings and escapes,
 * reports each top-level element as the byte span [start, end) of its trimmed text, and throws
 * `malformed_input` for structural errors that make the array unreadable. It does not validate the
 * elements themselves: `{"a": }` is one element that fails to parse later.
 *
 * All state is plain data in `state`, so a caller can checkpoint it and resume with
 * `createArrayScanner(savedState)`.
 */
export interface ArrayScanState {
  /** `open`: before the `[`; `array`: inside the top-level array; `closed`: after its `]`. */
  phase: 'open' | 'array' | 'closed';
  /** Absolute offset of the next byte to push. */
  offset: number;
  /** BOM bytes matched so far (only at offsets 0..2). */
  bom: number;
  /** Open brackets as pairs: bracket byte, offset. The top-level `[` is the first pair. */
  stack: number[];
  inString: boolean;
  esc: boolean;
  stringStart: number;
  /** At depth 1: `first` right after `[`, `value` after a comma, `element` inside an element. */
  expect: 'first' | 'value' | 'element';
  elementStart: number;
  /** One past the last non-whitespace byte of the current element. */
  lastSig: number;
  /** Elements completed so far. */
  elements: number;
  /** Offset of the closing `]`, or -1. */
  closeAt: number;
}

export type ElementVisitor = (start: number, end: number, index: number) => void;

export interface ArrayScanner {
  readonly state: ArrayScanState;
  /** Scan the next chunk, which must start at `state.offset`. */
  push(chunk: Uint8Array, chunkOffset: number, onElement?: ElementVisitor): void;
  /** Declare the end of input at `state.offset`; throws unless the array was closed. */
  finish(): void;
}

export interface ArrayScannerOptions {
  /** Start inside the array at the first byte of an element at `offset` (used by shard readers). */
  atElement?: number;
}

const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

function fail(offset: number, detail: string): never {
  throw new WinnowError('malformed_input', { path: `byte ${offset}`, detail });
}

export function initialScanState(opts: ArrayScannerOptions = {}): ArrayScanState {
  const inside = opts.atElement !== undefined;
  return {
    phase: inside ? 'array' : 'open',
    offset: opts.atElement ?? 0,
    bom: 0,
    stack: inside ? [OPEN_ARRAY, -1] : [],
    inString: false,
    esc: false,
    stringStart: -1,
    expect: inside ? 'value' : 'first',
    elementStart: -1,
    lastSig: -1,
    elements: 0,
    closeAt: -1,
  };
}

export function createArrayScanner(init?: ArrayScanState | ArrayScannerOptions): ArrayScanner {
  const state: ArrayScanState =
    init && 'phase' in init ? { ...init, stack: [...init.stack] } : initialScanState(init);
  return {
    state,
    push: (chunk, chunkOffset, onElement) => scan(state, chunk, chunkOffset, onElement),
    finish: () => finish(state),
  };
}

function scan(s: ArrayScanState, chunk: Uint8Array, chunkOffset: number, visit?: ElementVisitor): void {
  if (chunkOffset !== s.offset)
    throw new RangeError(`expected a chunk at offset ${s.offset}, got ${chunkOffset}`);
  const stack = s.stack;
  let { phase, inString, esc, expect, lastSig } = s;
  for (let i = 0; i < chunk.length; i++) {
    const b = chunk[i];
    const at = chunkOffset + i;
    if (inString) {
      if (esc) esc = false;
      else if (b === BACKSLASH) esc = true;
      else if (b === QUOTE) inString = false;
      lastSig = at + 1;
      continue;
    }
    if (isJsonWhitespace(b)) continue;
    if (phase === 'open') {
      if (at < 3 && s.bom === at && b === BOM[at]) {
        s.bom++;
        continue;
      }
      if (s.bom > 0 && s.bom < 3) fail(at, 'incomplete UTF-8 byte order mark');
      if (b !== OPEN_ARRAY) fail(at, `expected '[' to open a JSON array, found ${describeByte(b)}`);
      phase = 'array';
      stack.push(OPEN_ARRAY, at);
      expect = 'first';
      continue;
    }
    if (phase === 'closed')
      fail(at, `unexpected ${describeByte(b)} after the array closed at byte ${s.closeAt}`);
    if (stack.length === 2) {
      // Depth 1: between or inside top-level elements.
      if (expect !== 'element') {
        if (b === COMMA) fail(at, `expected a value, found ','`);
        if (b === CLOSE_ARRAY) {
          if (expect === 'value') fail(at, `expected a value after ',', found ']' (trailing comma)`);
          phase = close(s, stack, at);
          continue;
        }
        expect = 'element';
        s.elementStart = at;
      } else if (b === COMMA || b === CLOSE_ARRAY) {
        visit?.(s.elementStart, lastSig, s.elements);
        s.elements++;
        s.elementStart = -1;
        if (b === COMMA) expect = 'value';
        else phase = close(s, stack, at);
        continue;
      }
    }
    lastSig = at + 1;
    if (b === QUOTE) {
      inString = true;
      s.stringStart = at;
    } else if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
      stack.push(b, at);
    } else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) {
      const open = stack[stack.length - 2];
      const want = open === OPEN_ARRAY ? ']' : '}';
      if (b !== open + 2) {
        const where =
          stack.length === 2
            ? 'the top-level array'
            : `'${String.fromCharCode(open)}' at byte ${stack[stack.length - 1]}`;
        fail(at, `expected '${want}' or ',' to continue ${where}, found '${String.fromCharCode(b)}'`);
      }
      stack.length -= 2;
    }
  }
  s.phase = phase;
  s.inString = inString;
  s.esc = esc;
  s.expect = expect;
  s.lastSig = lastSig;
  s.offset = chunkOffset + chunk.length;
}

function close(s: ArrayScanState, stack: number[], at: number): 'closed' {
  stack.length = 0;
  s.closeAt = at;
  return 'closed';
}

function finish(s: ArrayScanState): void {
  const at = s.offset;
  if (s.phase === 'closed') return;
  if (s.phase === 'open')
    fail(
      at,
      s.bom > 0
        ? 'incomplete UTF-8 byte order mark'
        : `expected '[' to open a JSON array, found end of input`,
    );
  if (s.inString) fail(at, `unexpected end of input inside the string that starts at byte ${s.stringStart}`);
  const open = s.stack[s.stack.length - 2];
  const openAt = s.stack[s.stack.length - 1];
  const what =
    s.stack.length === 2 ? 'the top-level array' : `'${String.fromCharCode(open)}' at byte ${openAt}`;
  const want = open === OPEN_ARRAY ? ']' : '}';
  fail(at, `unexpected end of input: expected '${want}' to close ${what}`);
}
