import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Vitest's order (project by project, longest or largest file first), with the e2e files spread among
 * the others: an e2e file mostly waits on `wrangler dev`, so started side by side they would hold the
 * workers while the cores idle. Alternating them with CPU-bound files keeps both kinds going at once.
 */
export class TierSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const waiting = sorted.filter((f) => f.project.name === 'e2e');
    const busy = sorted.filter((f) => f.project.name !== 'e2e');
    const out: TestSpecification[] = [];
    for (let i = 0; i < Math.max(waiting.length, busy.length); i++) {
      if (i < waiting.length) out.push(waiting[i]);
      if (i < busy.length) out.push(busy[i]);
    }
    return out;
  }
}
