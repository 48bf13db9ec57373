import { useClusterKernel } from '../src/cluster/index.ts';
import clusterKernel from '../src/cluster/kernel-relaxed.wasm';
import { app } from './http/app.ts';
import { queue } from './queues/consumer.ts';
import { scheduled } from './scheduled.ts';

// The WebAssembly SIMD clustering kernel, bundled as a module: workerd cannot compile it from bytes.
useClusterKernel(clusterKernel);

export { JobCoordinator } from './coordinator.ts';
export { DatasetKeeper } from './dataset-keeper.ts';
export { PairSet } from './pair-set.ts';
export { SamplerRun } from './sampler-run.ts';
export { ScoreCache } from './score-cache.ts';

export default {
  fetch: app.fetch,
  queue,
  scheduled,
} satisfies ExportedHandler<Env>;
