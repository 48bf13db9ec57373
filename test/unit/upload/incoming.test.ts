import { describe, expect, it } from 'vitest';
import { parseIncomingKey } from '../../../src/upload/index.ts';

describe('incoming/<dataset>/<part>', () => {
  it('names the dataset and part of a dropped object', () => {
    expect(parseIncomingKey('incoming/chat/0001.jsonl')).toEqual({ dataset: 'chat', part: '0001.jsonl' });
    expect(parseIncomingKey('incoming/chat/b.parquet')).toEqual({ dataset: 'chat', part: 'b.parquet' });
  });

  it('says why a key names nothing', () => {
    expect(parseIncomingKey('raw/chat/a.jsonl')).toMatchObject({
      problem: expect.stringContaining('not under'),
    });
    expect(parseIncomingKey('incoming/a.jsonl')).toMatchObject({
      problem: expect.stringContaining('no dataset folder'),
    });
    expect(parseIncomingKey('incoming/a/b/c.jsonl')).toMatchObject({
      problem: expect.stringContaining('2 folders'),
    });
    expect(parseIncomingKey('incoming/chat/')).toMatchObject({
      problem: expect.stringContaining('the part ""'),
    });
    expect(parseIncomingKey('incoming/ché/a.jsonl')).toMatchObject({
      problem: expect.stringContaining('name rule'),
    });
  });
});
