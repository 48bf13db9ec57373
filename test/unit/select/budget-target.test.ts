import { describe, expect, it } from 'vitest';
import { budgetTarget } from '../../../src/select/index.ts';

describe('budgetTarget', () => {
  it('rounds percentages half up, exactly', () => {
    expect(budgetTarget('30%', 9229)).toEqual({ target: 2769, reachable: true });
    expect(budgetTarget('12.5%', 8)).toEqual({ target: 1, reachable: true });
    expect(budgetTarget('12.5%', 4)).toEqual({ target: 1, reachable: true }); // 0.5 → 1
    expect(budgetTarget('0.3%', 1000)).toEqual({ target: 3, reachable: true });
    expect(budgetTarget('35%', 10)).toEqual({ target: 4, reachable: true }); // 3.5, where 10 * 0.35 = 3.4999…
    expect(budgetTarget('100%', 7)).toEqual({ target: 7, reachable: true });
    expect(budgetTarget('0%', 7)).toEqual({ target: 0, reachable: true });
  });

  it('caps counts at the valid records', () => {
    expect(budgetTarget(0, 10)).toEqual({ target: 0, reachable: true });
    expect(budgetTarget(10, 10)).toEqual({ target: 10, reachable: true });
    expect(budgetTarget(11, 10)).toEqual({ target: 10, reachable: false });
  });

  it('rejects malformed budgets', () => {
    expect(() => budgetTarget('30', 10)).toThrow(RangeError);
    expect(() => budgetTarget(-1, 10)).toThrow(RangeError);
  });
});
