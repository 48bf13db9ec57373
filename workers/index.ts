import { useClusterKernel } from '../src/cluster/index.ts';
import clusterKernel from '../src/cluster/kernel-relaxed.wasm';
import { app } from './http/app.ts';
import { queue } from './queues/consumer.ts';

// The WebAssembly SIMD clustering kernel, bundled as a module: workerd cannot compile it from bytes.
useClusterKernel(clusterKernel);

export { JobCoordinator } from './coordinator.ts';
export { ScoreCache } from './score-cache.ts';

export default {
  fetch: app.fetch,
  queue,
} satisfies ExportedHandler<Env>;
