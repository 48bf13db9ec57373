import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** The CPU-bound projects, longest files first on the whole: the workers tier, then the reworked units. */
const BUSY_ORDER = ['workers', 'unit-isolated', 'unit'];

/**
 * Vitest's order within a project (longest file first once a run has been timed, largest first
 * before), with two changes across projects. The e2e files, which mostly wait on `wrangler dev`, are
 * spread among the others: started side by side they would hold the workers while the cores idle.
 * And the CPU-bound projects go heaviest first, so that no long file starts last.
 */
export class TierSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = BUSY_ORDER.indexOf(f.project.name);
      return i < 0 ? BUSY_ORDER.length : i;
    };
    const waiting = sorted.filter((f) => f.project.name === 'e2e');
    const busy = sorted.filter((f) => f.project.name !== 'e2e').sort((a, b) => rank(a) - rank(b));
    const out: TestSpecification[] = [];
    for (let i = 0; i < Math.max(waiting.length, busy.length); i++) {
      if (i < waiting.length) out.push(waiting[i]);
      if (i < busy.length) out.push(busy[i]);
    }
    return out;
  }
}
