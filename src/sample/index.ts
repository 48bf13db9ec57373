export { drawCategorical, mix32, shuffled } from './order.ts';
export {
  type ComponentState,
  type Drawn,
  initialState,
  type Membership,
  Sampler,
  type SamplerOptions,
  type SamplerState,
} from './sampler.ts';
