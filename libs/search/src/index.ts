export * from './dimension';
export * from './grid';
export * from './random.sampler';
export * from './seeds';
export * from './sweep-plan';
