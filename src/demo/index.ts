export { type DemoOptions, generateDemo } from './generate.ts';
export { mulberry32 } from './random.ts';
