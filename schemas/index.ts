export * from './api.ts';
export * from './message.ts';
export * from './output.ts';
export * from './pairs.ts';
export * from './recipe.ts';
export * from './record.ts';
export * from './sampler.ts';
export * from './schedule.ts';
