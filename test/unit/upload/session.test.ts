import { describe, expect, it } from 'vitest';
import { MiB } from '../../../src/limits.ts';
import {
  checkAbort,
  checkComplete,
  checkPart,
  checkServerPartBytes,
  choosePartBytes,
  isExpired,
  missingParts,
  partCount,
  partSize,
  type SessionRecord,
  sessionView,
} from '../../../src/upload/index.ts';

const NOW = Date.parse('2026-12-05T12:00:00Z');

function session(over: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id: 'u0000000001',
    dataset: 'd',
    part: null,
    size: 2 * 5 * MiB + 123,
    sha256: null,
    partBytes: 5 * MiB,
    key: 'datasets/d/.winnow/v/x/upload',
    uploadId: 'up',
    state: 'open',
    error: null,
    object: null,
    createdAt: NOW - 1000,
    updatedAt: NOW - 1000,
    leaseUntil: null,
    ...over,
  };
}

describe('upload session rules', () => {
  it('cuts a file into equal parts and a shorter last one', () => {
    expect(partCount(10, 4)).toBe(3);
    expect([1, 2, 3].map((n) => partSize(10, 4, n))).toEqual([4, 4, 2]);
    expect(partCount(8, 4)).toBe(2);
    expect(partSize(8, 4, 2)).toBe(4);
    expect(partCount(3, 4)).toBe(1);
    expect(partSize(3, 4, 1)).toBe(3);
  });

  it('lists the missing parts', () => {
    expect(missingParts(5, [{ part: 2 }, { part: 5 }])).toEqual([1, 3, 4]);
    expect(missingParts(2, [{ part: 1 }, { part: 2 }])).toEqual([]);
  });

  it('chooses the part size within R2 and the server', () => {
    expect(choosePartBytes(100, undefined, 16 * MiB)).toEqual({ partBytes: 16 * MiB });
    expect(choosePartBytes(100, 5 * MiB, 16 * MiB)).toEqual({ partBytes: 5 * MiB });
    expect(choosePartBytes(100, 4 * MiB, 16 * MiB)).toMatchObject({ path: 'partBytes' });
    expect(choosePartBytes(100, 32 * MiB, 16 * MiB)).toMatchObject({ path: 'partBytes' });
    expect(choosePartBytes(10_001 * 5 * MiB, 5 * MiB, 16 * MiB)).toMatchObject({ path: 'size' });
    expect(checkServerPartBytes(undefined, 7)).toBe(7);
    expect(checkServerPartBytes(String(8 * MiB), 7)).toBe(8 * MiB);
    expect(() => checkServerPartBytes('100', 7)).toThrow(/UPLOAD_PART_BYTES must be/);
    expect(() => checkServerPartBytes(String(100 * MiB), 7)).toThrow(/64 MiB/);
  });

  it('checks part numbers and sizes', () => {
    const s = session();
    expect(checkPart(s, 1, 5 * MiB, NOW)).toBeNull();
    expect(checkPart(s, 3, 123, NOW)).toBeNull();
    expect(checkPart(s, 3, null, NOW)).toBeNull();
    expect(checkPart(s, 0, 1, NOW)).toMatchObject({ code: 'validation_failed', path: 'part' });
    expect(checkPart(s, 4, 1, NOW)).toMatchObject({ code: 'validation_failed', path: 'part' });
    expect(checkPart(s, 2, 123, NOW)).toMatchObject({ path: 'content-length' });
    expect(checkPart(s, 3, 5 * MiB, NOW)?.detail).toContain('the last part and must be exactly 123 bytes');
    expect(checkPart(session({ state: 'completed' }), 1, 5 * MiB, NOW)).toMatchObject({ code: 'conflict' });
    expect(checkPart(session({ state: 'aborted' }), 1, 5 * MiB, NOW)).toMatchObject({ code: 'conflict' });
    const completing = session({ state: 'completing', leaseUntil: NOW + 1 });
    expect(checkPart(completing, 1, 5 * MiB, NOW)?.detail).toContain('being completed');
  });

  it('completes once, with every part, and lets a crashed complete be taken over', () => {
    const parts = [1, 2, 3].map((part) => ({ part, bytes: 1, etag: 'e' }));
    expect(checkComplete(session(), parts, NOW)).toBeNull();
    expect(checkComplete(session(), parts.slice(1), NOW)).toMatchObject({
      code: 'conflict',
      path: 'parts',
      details: { missing: [1] },
    });
    expect(checkComplete(session({ state: 'completed' }), parts, NOW)?.detail).toContain('already completed');
    expect(checkComplete(session({ state: 'completing', leaseUntil: NOW + 1 }), parts, NOW)).toMatchObject({
      code: 'conflict',
    });
    expect(checkComplete(session({ state: 'completing', leaseUntil: NOW - 1 }), parts, NOW)).toBeNull();
    expect(checkAbort(session())).toBeNull();
    expect(checkAbort(session({ state: 'completed' }))).toMatchObject({ code: 'conflict' });
  });

  it('expires open sessions after R2 drops their upload (7 days), and shows a session', () => {
    expect(isExpired(session({ createdAt: NOW - 8 * 86_400_000 }), NOW)).toBe(true);
    expect(isExpired(session({ createdAt: NOW - 6 * 86_400_000 }), NOW)).toBe(false);
    const view = sessionView(session(), [{ part: 2, bytes: 5 * MiB, etag: 'e' }]);
    expect(view).toMatchObject({ parts: 3, missing: [1, 3], receivedBytes: 5 * MiB, state: 'open' });
    expect(Date.parse(view.expiresAt) - Date.parse(view.createdAt)).toBe(7 * 86_400_000);
  });
});
