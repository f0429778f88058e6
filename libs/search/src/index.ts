export * from './dimension';
export * from './early-stopping';
export * from './grid';
export * from './pareto';
export * from './random.sampler';
export * from './seeds';
export * from './sweep-plan';
export * from './tpe.sampler';
